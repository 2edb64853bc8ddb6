import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { openFrameSource, type RgbFrame } from '../../native-host/video/frame-source';
import {
  PARITY_A,
  childProcesses,
  decodeRaw,
  hasEncoder,
  makeTestClip,
  makeVideoTempDir,
  readAllFrames,
  rejectsWithHostError,
} from '../support/video-fixtures';

const tmp = makeVideoTempDir('frame-source-test-');
afterAll(() => tmp.cleanup());

const FRAME_BYTES = 160 * 90 * 3;
const mp4 = makeTestClip(tmp.file('clip.mp4'), { codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
/** Every frame of clip.mp4 decoded by a separate ffmpeg run. */
const reference = decodeRaw(mp4, 'rgb24');

const referenceFrame = (raw: Buffer, index: number, bytes = FRAME_BYTES) => raw.subarray(index * bytes, (index + 1) * bytes);

/** ffmpeg children still alive or unreaped after a source is done. */
const leftoverFfmpeg = () => childProcesses().filter((p) => p.command.startsWith('ffmpeg'));

describe('openFrameSource: video files', () => {
  it('mp4 / H.264: every frame, in order, equal to a separate ffmpeg decode', async () => {
    const frames = await readAllFrames(mp4);
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const frame of frames) {
      expect([frame.width, frame.height, frame.data.length]).toEqual([160, 90, FRAME_BYTES]);
      expect(Buffer.from(frame.data).equals(referenceFrame(reference, frame.index))).toBe(true);
    }
    expect(leftoverFfmpeg()).toEqual([]);
  });

  it('info is known before decoding', async () => {
    const source = await openFrameSource(mp4);
    expect(source.info).toMatchObject({ width: 160, height: 90, fps: { num: 25, den: 1 }, frameCount: 30 });
    await source.close();
  });

  it('mov / ProRes 4444: frame count, size and pixels', async () => {
    const mov = makeTestClip(tmp.file('clip.mov'), { frames: 10, codec: ['-c:v', 'prores_ks', '-profile:v', '4444'] });
    const raw = decodeRaw(mov, 'rgb24');
    const frames = await readAllFrames(mov);
    expect(frames).toHaveLength(10);
    expect(Buffer.from(frames[6].data).equals(referenceFrame(raw, 6))).toBe(true);
  });

  (hasEncoder('libx265') ? it : it.skip)('mkv / HEVC: frame count, size and pixels', async () => {
    const mkv = makeTestClip(tmp.file('clip.mkv'), { frames: 12, codec: ['-c:v', 'libx265', '-x265-params', 'log-level=error'] });
    const raw = decodeRaw(mkv, 'rgb24');
    const frames = await readAllFrames(mkv);
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(Buffer.from(frames[11].data).equals(referenceFrame(raw, 11))).toBe(true);
  });

  it('from/to deliver exactly the source frames from..to (inclusive)', async () => {
    const frames = await readAllFrames(mp4, { from: 7, to: 12 });
    expect(frames.map((f) => f.index)).toEqual([7, 8, 9, 10, 11, 12]);
    for (const frame of frames) expect(Buffer.from(frame.data).equals(referenceFrame(reference, frame.index))).toBe(true);
    expect(leftoverFfmpeg()).toEqual([]);
  });

  it('from alone runs to the end; to alone starts at 0; from past the end gives nothing', async () => {
    expect((await readAllFrames(mp4, { from: 26 })).map((f) => f.index)).toEqual([26, 27, 28, 29]);
    expect((await readAllFrames(mp4, { to: 2 })).map((f) => f.index)).toEqual([0, 1, 2]);
    expect(await readAllFrames(mp4, { from: 40 })).toEqual([]);
    const single = await readAllFrames(mp4, { from: 13, to: 13 });
    expect(single.map((f) => f.index)).toEqual([13]);
    expect(Buffer.from(single[0].data).equals(referenceFrame(reference, 13))).toBe(true);
  });

  it('INVALID_ARGUMENT for a range with from after to', async () => {
    const error = await rejectsWithHostError(openFrameSource(mp4, { from: 5, to: 4 }), 'INVALID_ARGUMENT');
    expect(error.message).toBe('frame range: from (5) is after to (4)');
  });

  it('breaking out of the loop or close() mid-stream kills ffmpeg and leaves no zombie', async () => {
    const long = makeTestClip(tmp.file('long.mp4'), { frames: 300, codec: ['-c:v', 'libx264'] });
    const source = await openFrameSource(long);
    let seen = 0;
    for await (const frame of source.frames()) {
      expect(frame.index).toBe(seen++);
      if (seen === 3) break;
    }
    expect(leftoverFfmpeg()).toEqual([]);
    await source.close();

    const other = await openFrameSource(long);
    const iterator = other.frames()[Symbol.asyncIterator]();
    await iterator.next();
    expect(leftoverFfmpeg()).toHaveLength(1); // running, blocked on the full pipe
    await other.close();
    expect(leftoverFfmpeg()).toEqual([]);
    expect((await iterator.next()).done).toBe(true); // closed: ends quietly, not as a decode error
  });

  it('a corrupt stream fails with VIDEO_UNREADABLE and the frame number, after the good frames', async () => {
    const ts = makeTestClip(tmp.file('clip.ts'), { codec: ['-c:v', 'libx264', '-f', 'mpegts'] });
    const bytes = fs.readFileSync(ts);
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 3000; i++) bytes[i] = (bytes[i] * 7 + 13) & 255;
    const corrupt = tmp.file('corrupt.ts');
    fs.writeFileSync(corrupt, bytes);

    const source = await openFrameSource(corrupt);
    const delivered: number[] = [];
    let caught: unknown;
    try {
      for await (const frame of source.frames()) delivered.push(frame.index);
    } catch (e) {
      caught = e;
    }
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(30);
    const error = await rejectsWithHostError(Promise.reject(caught), 'VIDEO_UNREADABLE');
    expect(error.message).toMatch(
      new RegExp(`^cannot read video ${corrupt}: decoding failed at frame ${delivered.length}: \\S.*$`),
    );
    expect(leftoverFfmpeg()).toEqual([]);
  });

  it('VIDEO_UNREADABLE for a missing input', async () => {
    const missing = tmp.file('missing.mp4');
    const error = await rejectsWithHostError(openFrameSource(missing), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${missing}: no such file or folder`);
  });
});

describe('openFrameSource: image folders', () => {
  const parityFrames = Array.from({ length: 12 }, (_, i) => `frame_${String(i).padStart(4, '0')}.png`);

  it('parity-a: 12 frames of 426×240 in order, at 24 fps, equal to the PNGs', async () => {
    const source = await openFrameSource(PARITY_A);
    expect(source.info).toMatchObject({ width: 426, height: 240, fps: { num: 24, den: 1 }, frameCount: 12, codec: 'png' });
    const frames: RgbFrame[] = [];
    for await (const frame of source.frames()) frames.push(frame);
    await source.close();
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    for (const i of [0, 5, 11]) {
      const png = await sharp(path.join(PARITY_A, parityFrames[i])).removeAlpha().raw().toBuffer();
      expect(Buffer.from(frames[i].data).equals(png)).toBe(true);
    }
  });

  it('sorts by the number in the name (9 before 10), honours from/to and a given fps', async () => {
    const dir = tmp.file('natural');
    fs.mkdirSync(dir);
    const numbers = [10, 9, 8, 12, 11];
    numbers.forEach((n, k) => fs.copyFileSync(path.join(PARITY_A, parityFrames[k]), path.join(dir, `shot_${n}.png`)));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const source = await openFrameSource(dir, { from: 1, to: 3, folderFps: { num: 30000, den: 1001 } });
    expect(source.info.fps).toEqual({ num: 30000, den: 1001 });
    expect(source.info.frameCount).toBe(5);
    const frames: RgbFrame[] = [];
    for await (const frame of source.frames()) frames.push(frame);
    // sorted: shot_8 (k=2), shot_9 (k=1), shot_10 (k=0), shot_11 (k=4), shot_12 (k=3) → indices 1..3 are k=1,0,4
    const expected = await Promise.all([1, 0, 4].map((k) => sharp(path.join(PARITY_A, parityFrames[k])).raw().toBuffer()));
    expect(frames.map((f) => f.index)).toEqual([1, 2, 3]);
    frames.forEach((f, j) => expect(Buffer.from(f.data).equals(expected[j])).toBe(true));
  });

  it('drops alpha and expands grey to RGB', async () => {
    const dir = tmp.file('mixed');
    fs.mkdirSync(dir);
    const grey = Buffer.from(Array.from({ length: 12 }, (_, i) => i * 20));
    await sharp(grey, { raw: { width: 4, height: 3, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(dir, 'f1.png'));
    const rgba = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 5) % 256));
    await sharp(rgba, { raw: { width: 4, height: 3, channels: 4 } }).png().toFile(path.join(dir, 'f2.png'));
    const frames = await readAllFrames(dir);
    expect(Array.from(frames[0].data.subarray(0, 6))).toEqual([0, 0, 0, 20, 20, 20]);
    expect(Array.from(frames[1].data.subarray(0, 6))).toEqual([0, 5, 10, 20, 25, 30]);
  });

  it('a frame of another size fails with VIDEO_UNREADABLE after the frames before it', async () => {
    const dir = tmp.file('sizes');
    fs.mkdirSync(dir);
    for (const k of [0, 1]) fs.copyFileSync(path.join(PARITY_A, parityFrames[k]), path.join(dir, `f${k}.png`));
    await sharp(path.join(PARITY_A, parityFrames[2])).resize(200, 100).toFile(path.join(dir, 'f2.png'));
    const delivered: number[] = [];
    const source = await openFrameSource(dir);
    const iteration = (async () => {
      for await (const frame of source.frames()) delivered.push(frame.index);
    })();
    const error = await rejectsWithHostError(iteration, 'VIDEO_UNREADABLE');
    expect(delivered).toEqual([0, 1]);
    expect(error.message).toBe(
      `cannot read video ${dir}: decoding failed at frame 2: f2.png is 200×100 but f0.png is 426×240; all images must have the same size`,
    );
  });

  it('a corrupt image fails with VIDEO_UNREADABLE naming it', async () => {
    const dir = tmp.file('broken');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(PARITY_A, parityFrames[0]), path.join(dir, 'a_0.png'));
    fs.writeFileSync(path.join(dir, 'a_1.png'), fs.readFileSync(path.join(PARITY_A, parityFrames[1])).subarray(0, 300));
    const error = await rejectsWithHostError(readAllFrames(dir), 'VIDEO_UNREADABLE');
    expect(error.message).toMatch(new RegExp(`^cannot read video ${dir}: decoding failed at frame 1: a_1.png: `));
  });

  it('VIDEO_UNREADABLE for a folder without images', async () => {
    const dir = tmp.file('empty');
    fs.mkdirSync(dir);
    const error = await rejectsWithHostError(openFrameSource(dir), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${dir}: the folder has no numbered png, jpg, tif, bmp or webp images`);
  });
});
