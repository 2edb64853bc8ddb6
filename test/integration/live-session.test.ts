import * as fs from 'fs';
import * as path from 'path';
import { EngineClient } from '../../native-host/engine/worker/engine-client';
import { composeRgba } from '../../native-host/live/compose-rgba';
import { edgeAwareUpsample } from '../../native-host/live/edge-upsample';
import type { CapturedFrame } from '../../native-host/live/live-input';
import { prepareLiveMask } from '../../native-host/live/live-mask';
import type { LiveFrame } from '../../native-host/live/live-output';
import { describeLiveStatus, LiveSession, type LiveSessionOptions, type LiveSessionStatus, type LiveStats } from '../../native-host/live/live-session';
import { OFFICIAL_OPTIONS } from '../../native-host/engine/inference-core';
import { ProcessingSize } from '../../native-host/matte/processing-size';
import { fixtureModel } from '../support/engine-fixture';
import { RecordingLiveOutput } from '../support/recording-live-output';
import { childProcesses, decodeRaw, ffmpeg, makeVideoTempDir, PARITY_A } from '../support/video-fixtures';

const W = 256;
const H = 144;
const FRAMES = 12;
/** the engine's shorter side: 256×144 → 128×72 (the smallest 16:9 size with the 30 memory blocks top-k needs), upsampled edge-aware */
const WORK = 72;
const MORPHOLOGY = { dilate: 10, erode: 10 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The alpha bytes of an RGBA frame. */
function alphaOf(frame: LiveFrame): Uint8Array {
  return Uint8Array.from({ length: frame.width * frame.height }, (_, i) => frame.rgba[4 * i + 3]);
}

function rgbOf(frame: LiveFrame): Buffer {
  return Buffer.from(Uint8Array.from({ length: frame.width * frame.height * 3 }, (_, i) => frame.rgba[Math.floor(i / 3) * 4 + (i % 3)]));
}

/** Mean alpha (0…1) over the pixels `where` picks. */
function meanAlpha(alpha: Uint8Array, where: (x: number, y: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (where(x, y)) {
        sum += alpha[y * W + x] / 255;
        n++;
      }
  return sum / n;
}

describe('live session: looped file → engine → edge-aware alpha → output', () => {
  const tmp = makeVideoTempDir('live-session-');
  const clip = tmp.file('clip.mkv');
  const maskPng = path.join(PARITY_A, 'mask.png');
  let model: { dir: string; cleanup(): void };
  let reference: Buffer[];
  const output = new RecordingLiveOutput();
  let session: LiveSession;
  const statuses: LiveSessionStatus[] = [];
  const stats: LiveStats[] = [];
  const notices: string[] = [];
  let options: LiveSessionOptions;

  /** Resolves once `n` more frames were accepted; fails at once if the session ends meanwhile. */
  const moreFrames = (n: number) =>
    Promise.race([
      output.waitForFrames(n),
      session.ended.then((e) => {
        throw new Error(`the session ended: ${JSON.stringify(e)} ${e.reason === 'failed' ? e.error.message : ''}`);
      }),
    ]);

  /** The frame as the input captured it, from the independent decode (the clip loops from its start). */
  const captured = (index: number): CapturedFrame => ({ index, width: W, height: H, rgb: new Uint8Array(reference[index % FRAMES]), capturedAt: 0 });

  /** What the session must send for `frame` given the engine's alpha at the working size. */
  function expectedAlpha(frame: CapturedFrame, workAlpha: Float32Array): Uint8Array {
    const size = new ProcessingSize({ width: W, height: H }, WORK);
    const work = size.toEngine({ ...frame, data: frame.rgb });
    const rgba = composeRgba(frame.rgb, edgeAwareUpsample(workAlpha, work, { width: W, height: H, rgb: frame.rgb }));
    return Uint8Array.from({ length: W * H }, (_, i) => rgba[4 * i + 3]);
  }

  beforeAll(async () => {
    // The fixture's 12 frames at 256×144, lossless: the frames the session sends must carry these exact bytes.
    // 200 fps, faster than any engine step, so that frames are dropped at the input on any machine.
    ffmpeg(['-framerate', '200', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-vf', `scale=${W}:${H}`, '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
    const raw = decodeRaw(clip, 'rgb24');
    reference = Array.from({ length: FRAMES }, (_, i) => raw.subarray(i * W * H * 3, (i + 1) * W * H * 3));
    model = await fixtureModel();
    options = { input: { kind: 'file', path: clip }, mask: maskPng, modelDir: model.dir, providers: ['cpu'], threads: 1, workSize: WORK, warmup: 2, inputOptions: { retryMs: 200 } };
    session = new LiveSession(options, output);
    session.onStatus((s) => statuses.push(s));
    session.onStats((s) => stats.push(s));
    session.onNotice((line) => notices.push(line));
    await session.start();
  });

  afterAll(async () => {
    await session?.stop();
    model?.cleanup();
    tmp.cleanup();
  });

  it('sends each frame with its own RGB and the engine’s alpha at the frame’s size', async () => {
    await moreFrames(6);
    expect(statuses.map(describeLiveStatus).slice(0, 4)).toEqual(['starting: loading the model', 'starting: waiting for the first frame', 'starting: preparing the mask', 'running on cpu']);
    expect(notices[0]).toMatch(/mask .*mask\.png is 426×240, the video 256×144: scaled/);
    const frames = output.frames.slice();
    for (const f of frames) {
      expect([f.width, f.height, f.rgba.length]).toEqual([W, H, W * H * 4]);
      expect(rgbOf(f).equals(reference[f.index % FRAMES])).toBe(true);
      const alpha = alphaOf(f);
      expect(alpha.some((a) => a > 0)).toBe(true);
      expect(new Set(alpha).size).toBeGreaterThan(2);
    }
    for (let i = 1; i < frames.length; i++) expect(frames[i].index).toBeGreaterThan(frames[i - 1].index);

    // The first frame, independently: the engine started on it with the prepared mask, upsampled.
    const first = captured(frames[0].index);
    const size = new ProcessingSize({ width: W, height: H }, WORK);
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], threads: 1, options: { ...OFFICIAL_OPTIONS, warmup: 2, longTerm: true } });
    try {
      const mask = await prepareLiveMask(maskPng, first, size, MORPHOLOGY);
      const [alpha] = await engine.start(size.toEngine({ ...first, data: first.rgb }), [mask]);
      expect(Buffer.from(alphaOf(frames[0])).equals(Buffer.from(expectedAlpha(first, alpha)))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('drops frames at the input while the engine is busy and counts them', () => {
    const counts = session.counts();
    const indices = output.frames.map((f) => f.index);
    const gaps = indices.slice(1).reduce((sum, v, i) => sum + v - indices[i] - 1, 0);
    expect(gaps).toBeGreaterThan(0);
    expect(counts.droppedAtInput).toBeGreaterThanOrEqual(gaps);
  });

  it('counts the frames the output refuses, goes on when it accepts again, and reports its state', async () => {
    const refusedBefore = output.refused;
    output.accepting = false;
    output.setState({ state: 'reconnecting', reason: 'OBS closed the connection' });
    await sleep(1500);
    output.accepting = true;
    output.setState({ state: 'ready' });
    await moreFrames(2);
    expect(output.refused - refusedBefore).toBeGreaterThan(0);
    expect(session.counts().droppedAtOutput).toBe(output.refused);
    expect(session.counts().frames).toBe(output.accepted + output.refused);
    expect(statuses.map(describeLiveStatus)).toEqual(expect.arrayContaining(['output reconnecting: OBS closed the connection', 'output ready']));
  });

  it('sends stats every second: fps, drops, latency from capture, engine time', () => {
    expect(stats.length).toBeGreaterThanOrEqual(2);
    const last = stats[stats.length - 1];
    // counts at the last tick: the refusals of the test before (1.5 s, so at least one tick saw some)
    expect(last.droppedAtOutput).toBeGreaterThan(0);
    expect(last.droppedAtOutput).toBeLessThanOrEqual(session.counts().droppedAtOutput);
    expect(last.droppedAtInput).toBeGreaterThan(0);
    // While the output refused everything, no latency (nothing was handed over); else capture → output.
    const flowing = stats.filter((s) => s.latencyMs);
    expect(flowing.length).toBeGreaterThan(0);
    for (const s of flowing) {
      expect(s.fps).toBeGreaterThan(0);
      expect(s.engineMs).toBeGreaterThan(0);
      expect(s.latencyMs!.mean).toBeGreaterThan(0);
      expect(s.latencyMs!.max).toBeGreaterThanOrEqual(s.latencyMs!.mean);
    }
    console.log(`live session, 256×144 → engine 128×72 on CPU, one second: ${JSON.stringify(flowing[flowing.length - 1])}`);
  });

  it('re-masks live: the new mask enters memory with the next frame and changes the output', async () => {
    // The right 60 % of the frame, as grey pixels at the frame's size (a panel's drawing).
    const right = (x: number) => x >= 102;
    const drawn = Uint8Array.from({ length: W * H }, (_, i) => (right(i % W) ? 255 : 0));
    const { frameIndex } = await session.remask(drawn);
    await moreFrames(1);
    const frame = output.frames.find((f) => f.index === frameIndex)!;
    const before = output.frames.filter((f) => f.index < frameIndex).pop()!;
    const size = new ProcessingSize({ width: W, height: H }, WORK);
    const prepared = await prepareLiveMask(drawn, captured(frameIndex), size, MORPHOLOGY);
    // A corrected frame's alpha is its mask.
    expect(Buffer.from(alphaOf(frame)).equals(Buffer.from(expectedAlpha(captured(frameIndex), Float32Array.from(prepared, (v) => v / 255))))).toBe(true);
    const alpha = alphaOf(frame);
    expect(meanAlpha(alpha, (x) => x >= 112)).toBeGreaterThan(0.95);
    expect(meanAlpha(alpha, (x) => x < 92)).toBeLessThan(0.05);
    expect(meanAlpha(alphaOf(before), (x) => x < 92)).toBeGreaterThan(0.05);
    // The frames after it are the engine's again, following the new subject.
    const after = output.frames[output.frames.length - 1];
    expect(after.index).toBeGreaterThan(frameIndex);
    expect(meanAlpha(alphaOf(after), (x) => x >= 112)).toBeGreaterThan(meanAlpha(alphaOf(after), (x) => x < 92));
  });

  it("re-masks with 'auto': the people found on that frame's own pixels", async () => {
    const { frameIndex } = await session.remask('auto');
    await moreFrames(1);
    const frame = output.frames.find((f) => f.index === frameIndex)!;
    const size = new ProcessingSize({ width: W, height: H }, WORK);
    const prepared = await prepareLiveMask('auto', captured(frameIndex), size, MORPHOLOGY);
    expect(prepared.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(alphaOf(frame)).equals(Buffer.from(expectedAlpha(captured(frameIndex), Float32Array.from(prepared, (v) => v / 255))))).toBe(true);
  });

  it('keeps going with the old mask when a new one is bad', async () => {
    await expect(session.remask(tmp.file('missing.png'))).rejects.toMatchObject({ code: 'MASK_NOT_FOUND' });
    const before = output.accepted;
    await moreFrames(2);
    expect(output.accepted).toBeGreaterThanOrEqual(before + 2);
    expect(session.status.state).toBe('running');
  });

  it('reports the input lost when the file is deleted and resumes by itself when it is back', async () => {
    const copy = tmp.file('copy.mkv');
    fs.copyFileSync(clip, copy);
    const lost = new Promise<LiveSessionStatus>((resolve) => session.onStatus((s) => s.state === 'input-lost' && resolve(s)));
    fs.rmSync(clip);
    expect(await lost).toEqual({ state: 'input-lost', reason: `${clip} is gone` });
    await sleep(500);
    const sentWhileLost = output.accepted;
    await sleep(500);
    expect(output.accepted).toBe(sentWhileLost);
    const back = new Promise<LiveSessionStatus>((resolve) => session.onStatus((s) => s.state === 'running' && resolve(s)));
    fs.copyFileSync(copy, clip);
    await back;
    await moreFrames(2);
    const last = output.frames[output.frames.length - 1];
    expect(reference.some((r) => rgbOf(last).equals(r))).toBe(true);
    expect(session.counts().inputRestarts).toBeGreaterThanOrEqual(1);
  });

  it('stops cleanly: no ffmpeg left, status stopped, remask refused', async () => {
    await session.stop();
    expect(await session.ended).toEqual({ reason: 'stopped' });
    expect(session.status).toEqual({ state: 'stopped' });
    expect(childProcesses().filter((p) => p.command === 'ffmpeg')).toEqual([]);
    await expect(session.remask(maskPng)).rejects.toMatchObject({ code: 'LIVE_STATE' });
    const sent = output.accepted;
    await sleep(300);
    expect(output.accepted).toBe(sent);
  });
});

describe('live session: failures at start', () => {
  let model: { dir: string; cleanup(): void };
  const tmp = makeVideoTempDir('live-session-bad-');
  const clip = tmp.file('clip.mkv');

  beforeAll(async () => {
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=25`, '-frames:v', '5', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
    model = await fixtureModel();
  });
  afterAll(() => {
    model?.cleanup();
    tmp.cleanup();
  });

  it.each([
    ['a mask file that does not exist', { mask: '/nonexistent/mask.png' }, 'MASK_NOT_FOUND'],
    ['a working size too small for the model', { mask: new Uint8Array(W * H).fill(255), workSize: 32 }, 'INVALID_ARGUMENT'],
  ] as const)('refuses %s with one sentence, ends, and leaves no ffmpeg', async (_name, extra, code) => {
    const statuses: LiveSessionStatus[] = [];
    const session = new LiveSession({ input: { kind: 'file', path: clip }, modelDir: model.dir, providers: ['cpu'], threads: 1, warmup: 1, ...extra }, new RecordingLiveOutput());
    session.onStatus((s) => statuses.push(s));
    const error = await session.start().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe(code);
    expect(error?.message).not.toContain('\n');
    expect(await session.ended).toEqual({ reason: 'failed', error });
    expect(statuses[statuses.length - 1]).toEqual({ state: 'failed', reason: error!.message });
    expect(childProcesses().filter((p) => p.command === 'ffmpeg')).toEqual([]);
  });
});
