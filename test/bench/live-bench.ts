/**
 * `npm run bench:live`: the live path end to end into a real OBS (Xvfb, as the tests start it), on this
 * machine's CPU, at 640×360 and 1280×720 input (the engine at its default 288p working size, the fixture
 * model: random weights, the official architecture, so it costs what the real weights cost).
 *
 * Each clip frame carries its number as a barcode (8 black/white stripes in the top rows, drawn into a
 * lossless clip). The session's frames are recorded as they are handed to OBS (capture time, send time, the
 * barcode read from the frame itself); OBS source screenshots are read back every 100 ms and their barcode
 * names the frame OBS shows. Printed, never asserted:
 *   fps, frames dropped at the input and at OBS, engine ms and upsample ms per frame (session stats),
 *   capture → handed to OBS (the session's own latency), handed → visible in OBS (the transport), and
 *   capture → visible (end to end), as medians over the frames seen; "visible" is the request of the first
 *   screenshot that shows the frame (an upper bound: screenshots are 100 ms apart plus their own time).
 *
 *   npm run bench:live [-- --seconds 30 --size 360p,720p]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import sharp from 'sharp';
import { LiveSession } from '../../native-host/live/live-session';
import type { LiveFrame, LiveOutput, LiveOutputState } from '../../native-host/live/live-output';
import type { LiveStats } from '../../native-host/live/live-stats';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import { ObsHarness } from '../support/obs-harness';
import { ffmpeg } from '../support/video-fixtures';

const FIXTURE = path.resolve(__dirname, '../../../../shared/fixtures/parity-a');
const SIZES: Record<string, [number, number]> = { '360p': [640, 360], '720p': [1280, 720] };
const BITS = 8;
const CLIP_FRAMES = 48;
const SHOT = [320, 180] as const;

/** Frame number in BITS stripes across the top eighth of the frame (white = 1). */
function drawBarcode(rgb: Buffer, width: number, height: number, n: number): void {
  for (let y = 0; y < height / 8; y++)
    for (let x = 0; x < width; x++) {
      const bit = (n >> (BITS - 1 - Math.floor((x * BITS) / width))) & 1;
      rgb.fill(bit ? 255 : 0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
}

/** The barcode of an RGB(A) image (`channels` per pixel), read in the middle of each stripe. */
function readBarcode(pixels: Uint8Array, width: number, height: number, channels: number): number {
  let n = 0;
  const y = Math.floor(height / 16);
  for (let b = 0; b < BITS; b++) n = (n << 1) | (pixels[(y * width + Math.floor(((b + 0.5) * width) / BITS)) * channels] > 127 ? 1 : 0);
  return n;
}

/** A lossless clip of the fixture frames at the size, ping-pong, each with its number as a barcode. */
async function makeClip(dir: string, width: number, height: number): Promise<string> {
  const frames = path.join(dir, `frames-${width}`);
  fs.mkdirSync(frames, { recursive: true });
  for (let i = 0; i < CLIP_FRAMES; i++) {
    const k = i % 24 < 12 ? i % 12 : 11 - (i % 12);
    const rgb = await sharp(path.join(FIXTURE, `frame_${String(k).padStart(4, '0')}.png`)).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
    drawBarcode(rgb, width, height, i);
    await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toFile(path.join(frames, `f_${String(i).padStart(3, '0')}.png`));
  }
  const clip = path.join(dir, `clip-${width}.mkv`);
  ffmpeg(['-framerate', '30', '-i', path.join(frames, 'f_%03d.png'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
  return clip;
}

/** Records each frame handed to OBS: when it was captured and sent, and which clip frame it is. */
class Timeline implements LiveOutput {
  readonly byBarcode = new Map<number, { capturedAt: number; sentAt: number; seen: boolean }>();
  constructor(private readonly output: LiveOutput) {}
  send(frame: LiveFrame): boolean {
    const ok = this.output.send(frame);
    if (ok) this.byBarcode.set(readBarcode(frame.rgba, frame.width, frame.height, 4), { capturedAt: frame.capturedAt, sentAt: performance.now(), seen: false });
    return ok;
  }
  onState(listener: (s: LiveOutputState) => void): void {
    this.output.onState(listener);
  }
  close(): Promise<void> {
    return this.output.close();
  }
}

const median = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] : NaN);
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '–');

async function benchSize(obs: ObsHarness, modelDir: string, dir: string, name: string, seconds: number): Promise<void> {
  const [width, height] = SIZES[name];
  const clip = await makeClip(dir, width, height);
  const source = `bench ${name}`;
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: source, width, height, fps: 30 });
  const timeline = new Timeline(output);
  const mask = path.join(FIXTURE, 'mask.png');
  const session = new LiveSession({ input: { kind: 'file', path: clip }, mask, modelDir, providers: ['cpu'] }, timeline);
  const stats: LiveStats[] = [];
  session.onStats((s) => stats.push(s));
  const transport: number[] = [];
  const endToEnd: number[] = [];
  try {
    await session.start();
    const startedAt = performance.now();
    while (performance.now() - startedAt < seconds * 1000) {
      const asked = performance.now();
      const shot = await obs.screenshot(source, SHOT[0], SHOT[1]);
      const seen = timeline.byBarcode.get(readBarcode(shot.rgba, SHOT[0], SHOT[1], 4));
      // A frame counts once, at the first screenshot that shows it: it became visible between the previous
      // request and this one (≤ 100 ms + a screenshot's time earlier), so these are upper bounds. Only frames
      // sent before the request count (a barcode repeats with each loop of the clip).
      if (seen && !seen.seen && seen.sentAt <= asked) {
        seen.seen = true;
        transport.push(asked - seen.sentAt);
        endToEnd.push(asked - seen.capturedAt);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await session.stop();
    await output.close({ removeSource: true });
  }
  const steady = stats.slice(Math.min(2, stats.length - 1));
  const counts = session.counts();
  const mean = (pick: (s: LiveStats) => number | undefined) => {
    const v = steady.map(pick).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  const fps = counts.frames / seconds;
  console.log(
    `  ${name.padEnd(5)} ${width}×${height}: ${fps.toFixed(2)} fps, dropped ${counts.droppedAtInput} at input / ${counts.droppedAtOutput} at OBS · engine ${ms(mean((s) => s.engineMs))} · upsample+compose ${ms(mean((s) => s.upsampleMs))} · capture→OBS ${ms(mean((s) => s.latencyMs?.mean))} · transport (handed→visible) median ${ms(median(transport))} · end to end (capture→visible) median ${ms(median(endToEnd))} (${endToEnd.length} frames seen)`,
  );
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const seconds = Number(arg('seconds', process.env.BENCH_LIVE_SECONDS ?? '30'));
  const sizes = arg('size', '360p,720p').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-bench-'));
  const obs = await ObsHarness.start();
  try {
    const { dir: modelDir } = await convertCheckpoint({ checkpoint: path.join(FIXTURE, 'weights.safetensors'), outDir: path.join(dir, 'model'), precision: 'fp32' });
    console.log(`live into OBS (Xvfb, 640×360 canvas), fixture model on the CPU (${os.cpus().length} cores), engine at 288p, ${seconds} s per size`);
    for (const name of sizes) await benchSize(obs, modelDir, dir, name, seconds);
  } finally {
    await obs.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
