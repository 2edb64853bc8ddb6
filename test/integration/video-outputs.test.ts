import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { openOutputs, type OutputSpec } from '../../native-host/video/outputs';
import type { RgbFrame } from '../../native-host/video/frame-source';
import { childProcesses, decodeRaw, makeVideoTempDir, probeStream, rejectsWithHostError } from '../support/video-fixtures';

const tmp = makeVideoTempDir('outputs-test-');
afterAll(() => tmp.cleanup());

const NTSC = { num: 30000, den: 1001 };
const GREEN: [number, number, number] = [120, 255, 155];

/** Smooth synthetic content: colour ramps that move with the frame number (H.264 keeps them well). */
function syntheticFrame(index: number, width: number, height: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (x * 255) / (width - 1);
      data[p + 1] = (y * 255) / (height - 1);
      data[p + 2] = (index * 20) % 256;
    }
  return { index, width, height, data };
}

/** A horizontal alpha ramp 0 → 1 (with flat 0 and 1 margins), shifted a little per frame. */
function syntheticAlpha(index: number, width: number, height: number): Float32Array {
  const alpha = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) alpha[y * width + x] = Math.min(1, Math.max(0, (x - 20 - index) / (width - 60)));
  return alpha;
}

/** NumPy round(clip(α·scale)) computed here independently (float32 product, half to even). */
function quantise(alpha: Float32Array, scale: number): number[] {
  return Array.from(alpha, (a) => {
    const v = Math.min(scale, Math.max(0, Math.fround(a * scale)));
    const r = Math.round(v);
    return r - v === 0.5 && r % 2 ? r - 1 : r;
  });
}

async function writeRun(dir: string, specs: OutputSpec[], width: number, height: number, frames: number) {
  const sink = await openOutputs(dir, specs, { width, height, fps: NTSC });
  for (let i = 0; i < frames; i++) await sink.write(syntheticFrame(i, width, height), syntheticAlpha(i, width, height));
  return sink.close();
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};
const u16 = (buffer: Buffer) => new Uint16Array(Uint8Array.from(buffer).buffer);

describe('openOutputs: all four outputs at 30000/1001', () => {
  const W = 160;
  const H = 90;
  const N = 10;
  const dir = tmp.file('all');
  let files: Awaited<ReturnType<typeof writeRun>>;

  beforeAll(async () => {
    files = await writeRun(
      dir,
      [{ kind: 'alpha', depth: 16 }, { kind: 'prores4444' }, { kind: 'luma' }, { kind: 'composite', color: GREEN }],
      W,
      H,
      N,
    );
  });

  it('returns the files in the order of the specs', () => {
    expect(files).toEqual([
      { kind: 'alpha', path: path.join(dir, 'alpha') },
      { kind: 'prores4444', path: path.join(dir, 'matte.mov') },
      { kind: 'luma', path: path.join(dir, 'matte-luma.mov') },
      { kind: 'composite', path: path.join(dir, 'composite.mp4') },
    ]);
    expect(childProcesses().filter((p) => p.command.startsWith('ffmpeg'))).toEqual([]);
  });

  it('alpha/: 000000.png … 000009.png, 16-bit grey, exactly round_half_even(α·65535)', async () => {
    expect(fs.readdirSync(path.join(dir, 'alpha')).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `${String(i).padStart(6, '0')}.png`),
    );
    for (const i of [0, 9]) {
      const file = path.join(dir, 'alpha', `00000${i}.png`);
      const meta = await sharp(file).metadata();
      expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([W, H, 1, 'ushort']);
      const raw = await sharp(file).extractChannel(0).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
      expect(Array.from(u16(raw))).toEqual(quantise(syntheticAlpha(i, W, H), 65535));
    }
  });

  it('matte.mov: ProRes 4444 with alpha (ap4h), 10 frames, exact rate and size', () => {
    const stream = probeStream(path.join(dir, 'matte.mov'));
    expect(stream).toMatchObject({
      codec_name: 'prores',
      codec_tag_string: 'ap4h',
      width: W,
      height: H,
      r_frame_rate: '30000/1001',
      avg_frame_rate: '30000/1001',
      nb_read_frames: String(N),
      color_space: 'bt709',
    });
    expect(String(stream.pix_fmt)).toMatch(/^yuva444p1[02]le$/);
  });

  it('matte.mov: the alpha plane decodes to exactly round_half_even(α·1023) (10 bits), the RGB within ±3', () => {
    const mov = path.join(dir, 'matte.mov');
    // The decoder widens the 10-bit alpha to 12 bits ((a << 2) | (a >> 8)); gray16 shifts that up by 4.
    const alphas = u16(decodeRaw(mov, 'gray16le', ['-vf', 'alphaextract']));
    const rgb = decodeRaw(mov, 'rgb24');
    for (const i of [0, 4, 9]) {
      const decoded = Array.from(alphas.subarray(i * W * H, (i + 1) * W * H), (v) => v >> 6);
      expect(decoded).toEqual(quantise(syntheticAlpha(i, W, H), 1023));
      expect(maxAbsDiff(rgb.subarray(i * W * H * 3, (i + 1) * W * H * 3), syntheticFrame(i, W, H).data)).toBeLessThanOrEqual(3);
    }
  });

  it('matte-luma.mov: ProRes 422 HQ grey, 10 frames, exact rate; Y = 64 + 876·α (10-bit video range)', () => {
    const mov = path.join(dir, 'matte-luma.mov');
    expect(probeStream(mov)).toMatchObject({
      codec_name: 'prores',
      codec_tag_string: 'apch',
      pix_fmt: 'yuv422p10le',
      color_space: 'bt709',
      width: W,
      height: H,
      r_frame_rate: '30000/1001',
      nb_read_frames: String(N),
    });
    // Compare in the coded domain: swscale's own video-range → full-range step is off by a few codes.
    const planes = u16(decodeRaw(mov, 'yuv422p10le'));
    const frameSamples = W * H + 2 * (W / 2) * H;
    for (const i of [0, 9]) {
      const luma = planes.subarray(i * frameSamples, i * frameSamples + W * H);
      const expected = Array.from(syntheticAlpha(i, W, H), (a) => 64 + 876 * a);
      // ProRes 422 is lossy: a few codes (of 876) of ringing where the ramp bends.
      expect(maxAbsDiff(luma, expected)).toBeLessThanOrEqual(4);
      const chroma = planes.subarray(i * frameSamples + W * H, (i + 1) * frameSamples);
      expect(maxAbsDiff(chroma, new Array(chroma.length).fill(512))).toBeLessThanOrEqual(1);
    }
  });

  it('composite.mp4: H.264 yuv420p, 10 frames, exact rate; pixels match the official composite', () => {
    const mp4 = path.join(dir, 'composite.mp4');
    expect(probeStream(mp4)).toMatchObject({
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      color_space: 'bt709',
      width: W,
      height: H,
      r_frame_rate: '30000/1001',
      nb_read_frames: String(N),
    });
    const rgb = decodeRaw(mp4, 'rgb24');
    for (const i of [0, 5, 9]) {
      const frame = syntheticFrame(i, W, H);
      const alpha = syntheticAlpha(i, W, H);
      // inside the background (α = 0), mid-ramp, and inside the subject (α = 1)
      for (const [x, y] of [[5, 45], [80, 30], [150, 60]]) {
        const p = (y * W + x) * 3;
        const a = alpha[y * W + x];
        for (let c = 0; c < 3; c++) {
          const expected = (frame.data[p + c] / 255) * a * 255 + GREEN[c] * (1 - a);
          expect(Math.abs(rgb[i * W * H * 3 + p + c] - expected)).toBeLessThanOrEqual(6);
        }
      }
    }
  });
});

describe('openOutputs: other cases', () => {
  it('8-bit alpha PNGs are exactly round_half_even(α·255)', async () => {
    const dir = tmp.file('alpha8');
    await writeRun(dir, [{ kind: 'alpha', depth: 8 }], 33, 20, 2);
    const raw = await sharp(path.join(dir, 'alpha', '000001.png')).extractChannel(0).toColourspace('b-w').raw().toBuffer();
    expect(Array.from(raw)).toEqual(quantise(syntheticAlpha(1, 33, 20), 255));
  });

  it('odd sizes: the mattes keep 161×91, the H.264 composite is padded to 162×92', async () => {
    const dir = tmp.file('odd');
    await writeRun(dir, [{ kind: 'prores4444' }, { kind: 'luma' }, { kind: 'composite', color: GREEN }], 161, 91, 3);
    expect(probeStream(path.join(dir, 'matte.mov'))).toMatchObject({ width: 161, height: 91, nb_read_frames: '3' });
    expect(probeStream(path.join(dir, 'matte-luma.mov'))).toMatchObject({ width: 161, height: 91 });
    expect(probeStream(path.join(dir, 'composite.mp4'))).toMatchObject({ width: 162, height: 92, nb_read_frames: '3' });
  });

  it('closing after a few frames (an interrupted run) leaves playable files with those frames', async () => {
    const dir = tmp.file('interrupted');
    const sink = await openOutputs(dir, [{ kind: 'prores4444' }, { kind: 'composite', color: GREEN }], {
      width: 64,
      height: 36,
      fps: { num: 25, den: 1 },
    });
    for (let i = 0; i < 3; i++) await sink.write(syntheticFrame(i, 64, 36), syntheticAlpha(i, 64, 36));
    await sink.close();
    expect(probeStream(path.join(dir, 'matte.mov'))).toMatchObject({ nb_read_frames: '3', r_frame_rate: '25/1' });
    expect(probeStream(path.join(dir, 'composite.mp4'))).toMatchObject({ nb_read_frames: '3' });
  });

  it('abort() kills the encoders and removes the incomplete movies', async () => {
    const dir = tmp.file('aborted');
    const sink = await openOutputs(dir, [{ kind: 'alpha', depth: 8 }, { kind: 'prores4444' }, { kind: 'luma' }], {
      width: 64,
      height: 36,
      fps: NTSC,
    });
    for (let i = 0; i < 2; i++) await sink.write(syntheticFrame(i, 64, 36), syntheticAlpha(i, 64, 36));
    await sink.abort();
    expect(childProcesses().filter((p) => p.command.startsWith('ffmpeg'))).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(['alpha']);
    expect(fs.readdirSync(path.join(dir, 'alpha')).sort()).toEqual(['000000.png', '000001.png']);
  });

  it('OUTPUT_FAILED with ffmpeg’s last stderr line when an encoder fails', async () => {
    const dir = tmp.file('failing');
    fs.mkdirSync(path.join(dir, 'composite.mp4'), { recursive: true }); // a folder where the file should go
    const sink = await openOutputs(dir, [{ kind: 'composite', color: GREEN }], { width: 64, height: 36, fps: NTSC });
    const run = (async () => {
      for (let i = 0; i < 50; i++) await sink.write(syntheticFrame(i, 64, 36), syntheticAlpha(i, 64, 36));
      await sink.close();
    })();
    const error = await rejectsWithHostError(run, 'OUTPUT_FAILED');
    expect(error.message).toMatch(new RegExp(`^cannot write ${path.join(dir, 'composite.mp4')}: .*Is a directory`));
    expect(error.message).not.toContain('\n');
    await sink.abort();
  });

  it('FFMPEG_NOT_FOUND when ffmpeg is missing', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = tmp.file('no-such-ffmpeg');
    try {
      const sink = await openOutputs(tmp.file('noffmpeg'), [{ kind: 'luma' }], { width: 16, height: 16, fps: NTSC });
      const run = (async () => {
        await sink.write(syntheticFrame(0, 16, 16), syntheticAlpha(0, 16, 16));
        await sink.close();
      })();
      await rejectsWithHostError(run, 'FFMPEG_NOT_FOUND');
      await sink.abort();
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });

  it('INVALID_ARGUMENT for no outputs or the same kind twice', async () => {
    const format = { width: 16, height: 16, fps: NTSC };
    await rejectsWithHostError(openOutputs(tmp.file('x'), [], format), 'INVALID_ARGUMENT');
    const error = await rejectsWithHostError(openOutputs(tmp.file('x'), [{ kind: 'luma' }, { kind: 'luma' }], format), 'INVALID_ARGUMENT');
    expect(error.message).toBe('output "luma" requested twice');
  });
});
