/**
 * Live into a real OBS (Debian's obs-studio under Xvfb), end to end: a synthetic clip (a subject whose true
 * alpha is known, on a textured background) through the LiveSession with the fixture model into the Media
 * Source, and `matanyone live` as a user runs it.
 *
 * What OBS shows must be the engine's matte: the source's screenshot alpha equals (within 8-bit rounding) the
 * alpha of one of the frames the session sent just before, so the subject is opaque and the background
 * transparent exactly where the engine says so. The fixture's random weights make that matte unlike the true
 * alpha; its IoU with the truth is printed, not asserted.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { LiveSession } from '../../native-host/live/live-session';
import type { LiveFrame, LiveOutput, LiveOutputState } from '../../native-host/live/live-output';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { PROJECT_ROOT } from '../support/cli';
import { fixtureModel } from '../support/engine-fixture';
import { ObsHarness } from '../support/obs-harness';
import { ffmpeg, makeVideoTempDir, PARITY_A } from '../support/video-fixtures';

const W = 256;
const H = 144;
const SOURCE = 'Live test';

/** The true alpha of frame i: a soft-edged disc that moves right by 2 px a frame. */
function trueAlpha(i: number): Float32Array {
  const a = new Float32Array(W * H);
  const cx = 90 + 2 * i;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[y * W + x] = Math.min(1, Math.max(0, (44 - Math.hypot(x - cx, y - 72)) / 4));
  return a;
}

/** Frame i: a warm subject over a blue-green texture, composed with the true alpha. */
function frameRgb(i: number): Buffer {
  const alpha = trueAlpha(i);
  const rgb = Buffer.alloc(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const x = p % W;
    const y = Math.floor(p / W);
    const bg = [30 + ((x * 7 + y * 3) % 40), 120 + ((x ^ y) & 31), 150 + ((x * y) % 50)];
    const fg = [220, 150 + (y % 20), 110];
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(fg[c] * alpha[p] + bg[c] * (1 - alpha[p]));
  }
  return rgb;
}

/** Passes frames to OBS and keeps the alphas of the last ones it sent, to find the one OBS shows. */
class SentFrames implements LiveOutput {
  readonly sent: { index: number; alpha: Uint8Array }[] = [];
  constructor(private readonly output: LiveOutput) {}
  send(frame: LiveFrame): boolean {
    const ok = this.output.send(frame);
    if (ok) {
      this.sent.push({ index: frame.index, alpha: Uint8Array.from({ length: frame.width * frame.height }, (_, p) => frame.rgba[p * 4 + 3]) });
      if (this.sent.length > 40) this.sent.shift();
    }
    return ok;
  }
  onState(listener: (s: LiveOutputState) => void): void {
    this.output.onState(listener);
  }
  close(): Promise<void> {
    return this.output.close();
  }
}

/** The sent frame whose alpha the screenshot matches best, and how far off it is. */
function bestMatch(screenshot: Buffer, sent: SentFrames['sent']): { index: number; maxDiff: number; lag: number } {
  let best = { index: -1, maxDiff: 256, lag: -1 };
  for (const [k, f] of sent.entries()) {
    let maxDiff = 0;
    for (let p = 0; p < W * H && maxDiff < best.maxDiff; p++) maxDiff = Math.max(maxDiff, Math.abs(screenshot[p * 4 + 3] - f.alpha[p]));
    if (maxDiff < best.maxDiff) best = { index: f.index, maxDiff, lag: sent.length - 1 - k };
  }
  return best;
}

describe('live into a real OBS', () => {
  const tmp = makeVideoTempDir('live-obs-');
  let obs: ObsHarness;
  let model: { dir: string; cleanup(): void };
  let clip: string;
  let maskPng: string;
  /** the fixture's two people, 256×144, for the automatic mask */
  let people: string;

  beforeAll(async () => {
    [obs, model] = await Promise.all([ObsHarness.start(), fixtureModel()]);
    const frames = tmp.file('frames');
    fs.mkdirSync(frames);
    for (let i = 0; i < 24; i++) await sharp(frameRgb(i), { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(frames, `f_${String(i).padStart(3, '0')}.png`));
    clip = tmp.file('subject.mkv');
    ffmpeg(['-framerate', '25', '-i', path.join(frames, 'f_%03d.png'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
    people = tmp.file('people.mkv');
    ffmpeg(['-framerate', '25', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-vf', `scale=${W}:${H}`, '-c:v', 'ffv1', '-pix_fmt', 'bgr0', people]);
    maskPng = tmp.file('mask.png');
    await sharp(Buffer.from(trueAlpha(0).map((a) => (a >= 0.5 ? 255 : 0))), { raw: { width: W, height: H, channels: 1 } }).png().toFile(maskPng);
  }, 120_000);

  afterAll(async () => {
    await obs?.stop();
    model?.cleanup();
    tmp.cleanup();
  });

  test('the Media Source shows each frame with the engine\'s own alpha; the input dropped and back resumes; it comes back after OBS is killed and restarted', async () => {
    const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: SOURCE, width: W, height: H, fps: 25 });
    const sent = new SentFrames(output);
    const session = new LiveSession({ input: { kind: 'file', path: clip }, mask: maskPng, modelDir: model.dir, providers: ['cpu'], threads: 1, workSize: 72, warmup: 2 }, sent);
    try {
      await session.start();
      const check = async (when: string) => {
        const match = await obs.until(async () => {
          const shot = await obs.screenshot(SOURCE, W, H);
          const m = bestMatch(shot.rgba, sent.sent);
          return m.maxDiff <= 1 ? m : undefined;
        }, 30_000, 200);
        const truth = trueAlpha(match.index % 24);
        const engine = sent.sent.find((f) => f.index === match.index)!.alpha;
        let inter = 0;
        let union = 0;
        for (let p = 0; p < W * H; p++) {
          const a = engine[p] >= 128;
          const t = truth[p] >= 0.5;
          if (a && t) inter++;
          if (a || t) union++;
        }
        console.log(`${when}: OBS shows frame ${match.index} (${match.lag} sent since), alpha max |Δ| ${match.maxDiff}; the fixture model's matte vs the true alpha: IoU ${(inter / union).toFixed(2)}`);
        return match;
      };
      const before = await check('running');
      expect(before.maxDiff).toBeLessThanOrEqual(1);

      // The input goes away mid-run: a status says so; when it is back, frames flow again.
      const statuses: string[] = [];
      session.onStatus((s) => statuses.push(s.state));
      const away = `${clip}.away`;
      fs.renameSync(clip, away);
      await obs.until(async () => (statuses.includes('input-lost') ? true : undefined), 30_000, 100);
      const sentWhileLost = sent.sent.length ? sent.sent[sent.sent.length - 1].index : -1;
      fs.renameSync(away, clip);
      await obs.until(async () => (statuses.lastIndexOf('running') > statuses.indexOf('input-lost') ? true : undefined), 30_000, 100);
      await obs.until(async () => (sent.sent[sent.sent.length - 1].index > sentWhileLost ? true : undefined), 30_000, 100);

      await obs.kill();
      await obs.startObs();
      // OBS starts with an empty scene: the output re-creates its source, and new frames show in it.
      const after = await check('after OBS restarted');
      expect(after.index).toBeGreaterThan(before.index);
      const { inputs } = await obs.admin.call('GetInputList');
      expect(inputs.map((i) => i.inputName)).toEqual([SOURCE]);
    } finally {
      await session.stop();
      await output.close();
    }
  });

  test('`matanyone live`: runs into OBS with an automatic mask and the drift guard, stops on Ctrl-C; a wrong password is one sentence', async () => {
    const cli = path.join(PROJECT_ROOT, 'bin', 'matanyone.js');
    const child = spawn(process.execPath, [cli, 'live', '--obs', obs.url, '--password', obs.password, '--input', people, '--mask', 'auto', '--model', model.dir, '--ep', 'cpu', '--threads', '1', '--work-size', '72', '--source', 'CLI live', '--reseed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The source appears and shows a matte: some pixels opaque, some transparent.
      await obs.until(async () => {
        const shot = await obs.screenshot('CLI live', W, H);
        let opaque = 0;
        let clear = 0;
        for (let p = 0; p < W * H; p++) (shot.rgba[p * 4 + 3] > 200 ? opaque++ : shot.rgba[p * 4 + 3] < 50 ? clear++ : 0);
        return opaque > 0 && clear > 0 ? true : undefined;
      }, 90_000, 250);
      await obs.until(async () => (/reseed check at frame \d+: (IoU \d\.\d\d|no person under the matte)/.test(stderr) ? true : undefined), 60_000, 250);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      console.log(stderr.split(/[\r\n]/).filter((l) => /live: \d+ frames|reseed/.test(l)).slice(-3).join('\n'));
      expect(stderr).toMatch(/live: \d+ frames · \d+\.\d fps · dropped \d+ in \/ \d+ out/);
    } finally {
      child.kill('SIGKILL');
    }

    const wrong = spawn(process.execPath, [cli, 'live', '--obs', obs.url, '--password', 'not-it', '--input', clip, '--mask', maskPng, '--model', model.dir, '--ep', 'cpu'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let wrongErr = '';
    wrong.stderr.on('data', (d) => (wrongErr += d));
    const code = await new Promise<number | null>((resolve) => wrong.on('exit', resolve));
    expect(code).toBe(1);
    expect(wrongErr).toMatch(/matanyone: error: .*password/i);
    expect(wrongErr.trim().split('\n').filter((l) => l.startsWith('matanyone:'))).toHaveLength(1);
  });
});
