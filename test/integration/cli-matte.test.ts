import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { fixtureModel } from '../support/engine-fixture';
import { expectOneLineError, PROJECT_ROOT, runCli } from '../support/cli';
import { ffmpeg, makeVideoTempDir, PARITY_A, probeStream } from '../support/video-fixtures';

const MASK = path.join(PARITY_A, 'mask.png');
const FAST = ['--warmup', '1', '--ep', 'cpu'];

describe('matanyone matte', () => {
  const tmp = makeVideoTempDir('matte-cli-');
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let clip: string;
  beforeAll(async () => {
    model = await fixtureModel();
    // The fixture frames as an H.264 clip at 30000/1001 fps (what a phone or camera gives).
    clip = tmp.file('clip.mp4');
    ffmpeg(['-framerate', '30000/1001', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-frames:v', '8', '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv444p', clip]);
  });
  afterAll(() => {
    model.cleanup();
    tmp.cleanup();
  });
  const matte = (args: string[]) => runCli(['matte', ...args, '--model', model.dir, ...FAST], { timeoutMs: 300_000 });

  test('writes every output format at the source size and exact frame rate', () => {
    const out = tmp.file('all');
    const r = matte([clip, '--mask', MASK, '--out', out, '--mov', 'prores4444', '--matte', 'luma', '--composite', '#00ff00', '--alpha', 'png8']);
    expect(r.stderr).toContain('engine: running on cpu');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/done: 8 frames/);
    const mov = probeStream(path.join(out, 'matte.mov'));
    expect(mov).toMatchObject({ codec_tag_string: 'ap4h', width: 426, height: 240, r_frame_rate: '30000/1001', nb_read_frames: '8' });
    expect(String(mov.pix_fmt)).toMatch(/^yuva444p/);
    expect(probeStream(path.join(out, 'matte-luma.mov'))).toMatchObject({ codec_tag_string: 'apch', nb_read_frames: '8', r_frame_rate: '30000/1001' });
    expect(probeStream(path.join(out, 'composite.mp4'))).toMatchObject({ codec_name: 'h264', nb_read_frames: '8' });
    expect(fs.readdirSync(path.join(out, 'alpha'))).toEqual(Array.from({ length: 8 }, (_, i) => `${String(i).padStart(6, '0')}.png`));
  });

  test('defaults to ProRes 4444 with alpha, and a frame range takes exactly those frames', () => {
    const out = tmp.file('range');
    const r = matte([clip, '--mask', MASK, '--out', out, '--from', '2', '--to', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/done: 3 frames/);
    expect(fs.readdirSync(out)).toEqual(['matte.mov']);
    expect(probeStream(path.join(out, 'matte.mov')).nb_read_frames).toBe('3');
  });

  test('several masks: one output folder per target, in one pass', async () => {
    const inverse = tmp.file('background.png');
    await sharp(MASK).extractChannel(0).negate().toColourspace('b-w').png().toFile(inverse);
    const out = tmp.file('targets');
    const r = matte([clip, '--mask', MASK, '--mask', inverse, '--out', out, '--alpha', 'png8', '--to', '2']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['background', 'mask']);
    const a = await sharp(path.join(out, 'mask', 'alpha', '000002.png')).extractChannel(0).raw().toBuffer();
    const b = await sharp(path.join(out, 'background', 'alpha', '000002.png')).extractChannel(0).raw().toBuffer();
    expect(a.equals(b)).toBe(false);
  });

  test('--max-size processes smaller and restores the source size', () => {
    const out = tmp.file('small');
    const r = matte([clip, '--mask', MASK, '--out', out, '--alpha', 'png16', '--max-size', '160', '--to', '1']);
    expect(r.code).toBe(0);
    expect(probeStream(path.join(out, 'alpha', '000001.png'))).toMatchObject({ width: 426, height: 240 });
  });

  test('Ctrl-C stops after the current frame and keeps valid outputs with the frames done', async () => {
    const long = tmp.file('long.mp4');
    ffmpeg(['-stream_loop', '5', '-framerate', '25', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', long]);
    const out = tmp.file('interrupted');
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/matanyone.js'), 'matte', long, '--mask', MASK, '--out', out, '--alpha', 'png8', '--mov', 'prores4444', '--model', model.dir, ...FAST], { cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const sent = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/matte: 3\//.test(stderr) && !child.killed) {
          child.kill('SIGINT');
          resolve();
        }
      }),
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await sent;
    expect(code).toBe(130);
    const done = Number(/stopped: (\d+) frames/.exec(stdout)?.[1]);
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(72);
    expect(fs.readdirSync(path.join(out, 'alpha'))).toHaveLength(done);
    expect(probeStream(path.join(out, 'matte.mov')).nb_read_frames).toBe(String(done));
  });

  describe('bad input: one clear line, non-zero exit', () => {
    test('an unreadable video', () => {
      const bogus = tmp.file('notes.mp4');
      fs.writeFileSync(bogus, 'not a video');
      expectOneLineError(matte([bogus, '--mask', MASK, '--out', tmp.file('x')]), /notes\.mp4/);
    });
    test('a missing mask', () => {
      expectOneLineError(matte([clip, '--mask', tmp.file('none.png'), '--out', tmp.file('x')]), /none\.png/);
    });
    test('an empty mask', async () => {
      const empty = tmp.file('empty.png');
      await sharp({ create: { width: 426, height: 240, channels: 3, background: '#000000' } }).png().toFile(empty);
      expectOneLineError(matte([clip, '--mask', empty, '--out', tmp.file('x')]), /empty/);
    });
    test('a mask of another aspect ratio', async () => {
      const square = tmp.file('square.png');
      await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } }).png().toFile(square);
      expectOneLineError(matte([clip, '--mask', square, '--out', tmp.file('x')]), /100×100|100x100/);
    });
    test('a --max-size too small for the model (under 30 blocks of 16×16 for its memory read)', () => {
      const r = matte([clip, '--mask', MASK, '--out', tmp.file('x'), '--max-size', '48']);
      expectOneLineError(r, /the working size 85×48 is too small for the model \(it needs at least 30 blocks of 16×16 pixels\); give a larger --max-size/);
    });
    test('a model that is neither a folder, a checkpoint nor a known name', () => {
      expectOneLineError(
        runCli(['matte', clip, '--mask', MASK, '--out', tmp.file('x'), '--model', 'no-such-model']),
        /no-such-model.*matanyone/,
      );
    });
    test('no mask, a bad colour, a reversed range', () => {
      expectOneLineError(runCli(['matte', clip, '--out', tmp.file('x')]), /--mask/);
      expectOneLineError(matte([clip, '--mask', MASK, '--out', tmp.file('x'), '--composite', 'greenish']), /not a colour/);
      expectOneLineError(matte([clip, '--mask', MASK, '--out', tmp.file('x'), '--from', '5', '--to', '2']), /before --from/);
    });
  });
});
