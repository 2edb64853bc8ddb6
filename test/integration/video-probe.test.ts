import * as fs from 'fs';
import { probeVideo } from '../../native-host/video/probe';
import { ffmpeg, hasEncoder, makeTestClip, makeVideoTempDir, rejectsWithHostError } from '../support/video-fixtures';

const tmp = makeVideoTempDir('probe-test-');
afterAll(() => tmp.cleanup());

describe('probeVideo', () => {
  it('mp4 / H.264: size, rate, frame count, codec, pixel format', async () => {
    const file = makeTestClip(tmp.file('clip.mp4'), { codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
    expect(await probeVideo(file)).toEqual({
      width: 160,
      height: 90,
      fps: { num: 25, den: 1 },
      frameCount: 30,
      codec: 'h264',
      pixFmt: 'yuv420p',
      rotation: 0,
    });
  });

  it('mov / ProRes at 30000/1001 keeps the exact rational', async () => {
    const file = makeTestClip(tmp.file('clip.mov'), {
      rate: '30000/1001',
      frames: 12,
      codec: ['-c:v', 'prores_ks', '-profile:v', '3'],
    });
    const info = await probeVideo(file);
    expect(info).toMatchObject({ fps: { num: 30000, den: 1001 }, frameCount: 12, codec: 'prores', pixFmt: 'yuv422p10le' });
  });

  (hasEncoder('libx265') ? it : it.skip)('mkv / HEVC: no frame count in the container unless counted', async () => {
    const file = makeTestClip(tmp.file('clip.mkv'), { codec: ['-c:v', 'libx265', '-x265-params', 'log-level=error'] });
    expect(await probeVideo(file)).toMatchObject({ codec: 'hevc', fps: { num: 25, den: 1 }, frameCount: undefined });
    expect((await probeVideo(file, { countFrames: true })).frameCount).toBe(30);
  });

  it('applies rotation metadata to width and height', async () => {
    const plain = makeTestClip(tmp.file('upright.mp4'), { frames: 5, codec: ['-c:v', 'libx264'] });
    const rotated = tmp.file('rotated.mp4');
    // -metadata:s:v rotate=90 becomes a display matrix in ffmpeg ≥ 5 (side data rotation −90 or 90)
    ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v', 'rotate=90', rotated]);
    const info = await probeVideo(rotated);
    expect([info.width, info.height]).toEqual([90, 160]);
    expect([90, 270]).toContain(info.rotation);
  });

  it('VIDEO_UNREADABLE for a missing file, naming it', async () => {
    const missing = tmp.file('missing.mp4');
    const error = await rejectsWithHostError(probeVideo(missing), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${missing}: no such file`);
  });

  it('VIDEO_UNREADABLE with ffprobe’s reason for a file that is not a video', async () => {
    const file = tmp.file('notes.mp4');
    fs.writeFileSync(file, 'these are not the frames you are looking for\n'.repeat(20));
    const error = await rejectsWithHostError(probeVideo(file), 'VIDEO_UNREADABLE');
    expect(error.message).toMatch(new RegExp(`^cannot read video ${file}: .*Invalid data found when processing input$`));
  });

  it('VIDEO_UNREADABLE for an mp4 cut short (no moov atom), on one line', async () => {
    const whole = makeTestClip(tmp.file('whole.mp4'), { codec: ['-c:v', 'libx264'] });
    const cut = tmp.file('cut.mp4');
    fs.writeFileSync(cut, fs.readFileSync(whole).subarray(0, 4000));
    const error = await rejectsWithHostError(probeVideo(cut), 'VIDEO_UNREADABLE');
    expect(error.message).toMatch(new RegExp(`^cannot read video ${cut}: .*moov atom not found`));
    expect(error.message).not.toContain('\n');
  });

  it('VIDEO_UNREADABLE for an audio-only file', async () => {
    const file = tmp.file('tone.m4a');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=0.2', '-c:a', 'aac', file]);
    const error = await rejectsWithHostError(probeVideo(file), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${file}: it has no video stream`);
  });

  it('FFMPEG_NOT_FOUND when ffprobe is missing', async () => {
    const file = makeTestClip(tmp.file('any.mp4'), { frames: 2, codec: ['-c:v', 'libx264'] });
    const saved = process.env.FFPROBE_PATH;
    process.env.FFPROBE_PATH = tmp.file('no-such-ffprobe');
    try {
      const error = await rejectsWithHostError(probeVideo(file), 'FFMPEG_NOT_FOUND');
      expect(error.message).toContain('no-such-ffprobe was not found');
    } finally {
      if (saved === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = saved;
    }
  });
});
