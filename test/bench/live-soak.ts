/**
 * Soak of a live session: the parity fixture's 12 frames (426×240) looped in real time for
 * `LIVE_SOAK_MINUTES` (default 30), engine at `LIVE_SOAK_WORK` (default 144: 255×144) on the CPU, long-term
 * memory on, a re-mask every `LIVE_SOAK_REMASK_S` seconds (default 60; 0 = never). Prints memory (RSS,
 * heap, external, array buffers) and the session's figures every `LIVE_SOAK_REPORT_S` seconds (default 30),
 * then the growth between the first and last report. Figures are printed, never asserted.
 *
 *     npx tsc -p tsconfig.json && LIVE_SOAK_MINUTES=30 node dist/test/bench/live-soak.js
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import { edgeAwareUpsample } from '../../native-host/live/edge-upsample';
import { describeLiveStatus, LiveSession, type LiveStats } from '../../native-host/live/live-session';
import { RecordingLiveOutput } from '../support/recording-live-output';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.resolve(ROOT, '../shared/fixtures/parity-a');
const MINUTES = Number(process.env.LIVE_SOAK_MINUTES ?? 30);
const REPORT_S = Number(process.env.LIVE_SOAK_REPORT_S ?? 30);
const REMASK_S = Number(process.env.LIVE_SOAK_REMASK_S ?? 60);
const WORK = Number(process.env.LIVE_SOAK_WORK ?? 144);

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const clock = (ms: number) => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;

/** The edge-aware upsample's cost at the sizes a 1080p camera gives (512×288 → 1920×1080), mean of 5. */
function upsampleCost(): number {
  const [lw, lh, fw, fh] = [512, 288, 1920, 1080];
  const full = { width: fw, height: fh, rgb: Uint8Array.from({ length: fw * fh * 3 }, (_, i) => (i * 2654435761) >>> 24) };
  const low = { width: lw, height: lh, rgb: Float32Array.from({ length: lw * lh * 3 }, (_, i) => (i * 40503) % 256) };
  const alpha = Float32Array.from({ length: lw * lh }, (_, i) => ((i % lw) > lw / 2 ? 1 : 0));
  edgeAwareUpsample(alpha, low, full);
  const started = performance.now();
  for (let i = 0; i < 5; i++) edgeAwareUpsample(alpha, low, full);
  return (performance.now() - started) / 5;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'live-soak-'));
  try {
    console.log(`edge-aware upsample 512×288 → 1920×1080 (RGB guide): ${upsampleCost().toFixed(1)} ms per frame`);
    const clip = path.join(tmp, 'clip.mkv');
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-framerate', '25', '-i', path.join(FIXTURE, 'frame_%04d.png'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
    const { dir } = await convertCheckpoint({ checkpoint: path.join(FIXTURE, 'weights.safetensors'), outDir: path.join(tmp, 'model'), precision: 'fp32' });

    const output = new RecordingLiveOutput(0);
    const session = new LiveSession(
      { input: { kind: 'file', path: clip }, mask: path.join(FIXTURE, 'mask.png'), modelDir: dir, providers: ['cpu'], workSize: WORK, longTerm: true },
      output,
    );
    session.onStatus((s) => console.log(`status: ${describeLiveStatus(s)}`));
    let last: LiveStats | undefined;
    const window: LiveStats[] = [];
    session.onStats((s) => {
      last = s;
      window.push(s);
    });
    const t0 = performance.now();
    await session.start();
    console.log(`first frame out after ${((performance.now() - t0) / 1000).toFixed(1)} s; running ${MINUTES} min, a report every ${REPORT_S} s`);

    const reports: NodeJS.MemoryUsage[] = [];
    const report = () => {
      global.gc?.();
      const m = process.memoryUsage();
      reports.push(m);
      const flowing = window.filter((s) => s.latencyMs);
      const mean = (f: (s: LiveStats) => number) => (flowing.length ? flowing.reduce((a, s) => a + f(s), 0) / flowing.length : NaN);
      window.length = 0;
      console.log(
        `${clock(performance.now() - t0)}  rss ${mib(m.rss)}  heap ${mib(m.heapUsed)}/${mib(m.heapTotal)}  external ${mib(m.external)}  arrayBuffers ${mib(m.arrayBuffers)}  ` +
          `| ${mean((s) => s.fps).toFixed(2)} fps, engine ${mean((s) => s.engineMs ?? 0).toFixed(0)} ms, upsample ${mean((s) => s.upsampleMs ?? 0).toFixed(0)} ms, ` +
          `latency ${mean((s) => s.latencyMs!.mean).toFixed(0)} ms, frames ${last?.frames}, dropped in ${last?.droppedAtInput} / out ${last?.droppedAtOutput}`,
      );
    };
    report();
    const reporter = setInterval(report, REPORT_S * 1000);
    const remasker =
      REMASK_S > 0
        ? setInterval(() => {
            session.remask(path.join(FIXTURE, 'mask.png')).then(
              ({ frameIndex }) => console.log(`re-masked at frame ${frameIndex}`),
              (e: Error) => console.log(`re-mask failed: ${e.message}`),
            );
          }, REMASK_S * 1000)
        : undefined;
    const ended = await Promise.race([new Promise((resolve) => setTimeout(resolve, MINUTES * 60000)), session.ended]);
    clearInterval(reporter);
    if (remasker) clearInterval(remasker);
    if (ended) console.log(`the session ended early: ${JSON.stringify(ended)}`);
    report();
    await session.stop();
    const [first, end] = [reports[1] ?? reports[0], reports[reports.length - 1]];
    console.log(`growth from the first report after start to the end: rss ${mib(end.rss - first.rss)}, heap ${mib(end.heapUsed - first.heapUsed)}, external ${mib(end.external - first.external)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
