import * as fs from 'fs';
import { describeInputStatus, LiveInput, type CapturedFrame, type LiveInputStatus } from '../../native-host/live/live-input';
import { childProcesses, decodeRaw, ffmpeg, makeVideoTempDir } from '../support/video-fixtures';

const W = 96;
const H = 64;
const FRAMES = 10;

/** Resolves with the first status `pick` accepts (checked on each change). */
function statusWhere(input: LiveInput, pick: (s: LiveInputStatus) => boolean): Promise<LiveInputStatus> {
  return new Promise((resolve) => input.onStatus((s) => pick(s) && resolve(s)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live input: a file looped in real time through ffmpeg', () => {
  const tmp = makeVideoTempDir('live-input-');
  const clip = tmp.file('clip.mkv');
  let reference: Buffer[];

  beforeAll(() => {
    // Lossless, so the frames read must equal an independent decode byte for byte.
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=25`, '-frames:v', String(FRAMES), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
    const raw = decodeRaw(clip, 'rgb24');
    reference = Array.from({ length: FRAMES }, (_, i) => raw.subarray(i * W * H * 3, (i + 1) * W * H * 3));
  });
  afterAll(() => tmp.cleanup());

  it('gives the newest frame each time, counts the frames it dropped, and loops the file', async () => {
    const input = new LiveInput({ kind: 'file', path: clip });
    const taken: CapturedFrame[] = [];
    try {
      for (let i = 0; i < 4; i++) taken.push((await input.next())!);
      // A slow reader: ~0.4 s at 25 fps is about 10 frames, of which only the newest is kept.
      await sleep(400);
      taken.push((await input.next())!);
      for (let i = 0; i < 3; i++) taken.push((await input.next())!);
      await sleep(600); // past the end of the 10-frame clip: it loops
      taken.push((await input.next())!);
    } finally {
      await input.close();
    }
    for (const f of taken) {
      expect([f.width, f.height]).toEqual([W, H]);
      expect(Buffer.from(f.rgb).equals(reference[f.index % FRAMES])).toBe(true);
    }
    const indices = taken.map((f) => f.index);
    for (let i = 1; i < indices.length; i++) expect(indices[i]).toBeGreaterThan(indices[i - 1]);
    expect(indices[4] - indices[3]).toBeGreaterThan(5);
    expect(indices[indices.length - 1]).toBeGreaterThanOrEqual(FRAMES);
    // Every frame read was either taken or dropped (the last one read may still be waiting).
    const { framesRead, dropped } = input.stats;
    expect(dropped).toBeGreaterThan(5);
    expect(framesRead - dropped - taken.length).toBeGreaterThanOrEqual(0);
    expect(framesRead - dropped - taken.length).toBeLessThanOrEqual(1);
    const gaps = indices.slice(1).reduce((sum, v, i) => sum + v - indices[i] - 1, indices[0]);
    expect(dropped).toBeGreaterThanOrEqual(gaps);
    expect(capturedInOrder(taken)).toBe(true);
    expect(childProcesses().filter((p) => p.command === 'ffmpeg')).toEqual([]);
  });

  it('reports the file lost when it is renamed away, retries, and resumes by itself when it is back', async () => {
    const moving = tmp.file('moving.mkv');
    fs.copyFileSync(clip, moving);
    const input = new LiveInput({ kind: 'file', path: moving }, { retryMs: 200 });
    const statuses: string[] = [];
    input.onStatus((s) => statuses.push(describeInputStatus(s)));
    try {
      await input.next();
      const lost = statusWhere(input, (s) => s.state === 'lost');
      fs.renameSync(moving, tmp.file('away.mkv'));
      expect(await lost).toEqual({ state: 'lost', reason: `${moving} is gone` });
      // No frames while it is gone (ffmpeg would go on reading the renamed file: the path is what counts).
      await sleep(300);
      const readBefore = input.stats.framesRead;
      await sleep(500);
      expect(input.stats.framesRead).toBe(readBefore);
      const back = statusWhere(input, (s) => s.state === 'running');
      fs.renameSync(tmp.file('away.mkv'), moving);
      await back;
      const f = await input.next();
      expect(reference.some((r) => Buffer.from(f!.rgb).equals(r))).toBe(true);
      expect(input.stats.restarts).toBeGreaterThanOrEqual(1);
    } finally {
      await input.close();
    }
    expect(statuses[0]).toBe(`running (${W}×${H})`);
    expect(statuses).toContain(`lost: ${moving} is gone; retrying`);
    expect(statuses[statuses.length - 1]).toBe(`running (${W}×${H})`);
  });

  it('starts lost when the file does not exist, and never throws', async () => {
    const missing = tmp.file('not-yet.mkv');
    const input = new LiveInput({ kind: 'file', path: missing }, { retryMs: 100 });
    try {
      expect(await statusWhere(input, () => true)).toEqual({ state: 'lost', reason: `${missing} is gone` });
      fs.copyFileSync(clip, missing);
      const f = await input.next();
      expect(Buffer.from(f!.rgb).equals(reference[0])).toBe(true);
    } finally {
      await input.close();
    }
  });

  it("says what ffmpeg said when the file is not a video, and ends next() with undefined on close", async () => {
    const bad = tmp.file('bad.mkv');
    fs.writeFileSync(bad, 'not a video');
    const input = new LiveInput({ kind: 'file', path: bad }, { retryMs: 100 });
    const lost = await statusWhere(input, (s) => s.state === 'lost');
    expect(lost.state === 'lost' && lost.reason).toMatch(new RegExp(`^${bad}: .*Invalid data`));
    const pending = input.next();
    await input.close();
    expect(await pending).toBeUndefined();
    expect(await input.next()).toBeUndefined();
  });
});

function capturedInOrder(frames: CapturedFrame[]): boolean {
  return frames.every((f, i) => i === 0 || f.capturedAt >= frames[i - 1].capturedAt);
}
