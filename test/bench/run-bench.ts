/**
 * `npm run bench`: speed and memory of the engine and of `matanyone matte` on a 480p clip, on this machine's
 * CPU. Figures are printed, never asserted (timings belong here, not in tests).
 *
 * The model is the parity fixture's checkpoint: random weights, but exactly the official architecture, so
 * it costs what the real weights cost.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import type { GraphName } from '../../native-host/convert/graphs';
import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import type { GraphRunner } from '../../native-host/engine/graph-runner';
import { InferenceCore, OFFICIAL_OPTIONS } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.resolve(ROOT, '../shared/fixtures/parity-a');
const WIDTH = 854;
const HEIGHT = 480;
const SHORT = Number(process.env.BENCH_SHORT_FRAMES ?? 12);
const ENGINE_FRAMES = Number(process.env.BENCH_ENGINE_FRAMES ?? 10);

const ms = (x: number) => `${x.toFixed(0)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** A 480p H.264 clip of `frames` frames: the fixture's 12 frames upscaled, played forward and back. */
function makeClip(dir: string, frames: number): string {
  const file = path.join(dir, `clip-${frames}.mp4`);
  ffmpeg([
    '-framerate', '25', '-i', path.join(FIXTURE, 'frame_%04d.png'),
    '-filter_complex', `[0:v]scale=${WIDTH}:${HEIGHT}:flags=lanczos,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1,loop=-1:size=24`,
    '-frames:v', String(frames), '-c:v', 'libx264', '-crf', '16', '-pix_fmt', 'yuv420p', file,
  ]);
  return file;
}

function decodeFrames(file: string, count: number): EngineFrame[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  const size = WIDTH * HEIGHT * 3;
  return Array.from({ length: count }, (_, i) => ({ width: WIDTH, height: HEIGHT, rgb: new Uint8Array(r.stdout.subarray(i * size, (i + 1) * size)) }));
}

/** A box in the middle of the frame: what the subject mask is here does not change the cost. */
function boxMask(): Uint8Array {
  const m = new Uint8Array(WIDTH * HEIGHT);
  for (let y = HEIGHT / 4; y < (3 * HEIGHT) / 4; y++) m.fill(255, y * WIDTH + WIDTH / 3, y * WIDTH + (2 * WIDTH) / 3);
  return m;
}

async function benchEngine(modelDir: string, frames: EngineFrame[]): Promise<void> {
  const model = await openModel(modelDir, ['cpu']);
  const times = new Map<GraphName, number[]>();
  const runner: GraphRunner = {
    run: async (graph, feeds) => {
      const t = performance.now();
      const out = await model.sessions[graph].run(feeds);
      times.set(graph, [...(times.get(graph) ?? []), performance.now() - t]);
      return out;
    },
  };
  const core = new InferenceCore(runner, OFFICIAL_OPTIONS);
  let t = performance.now();
  await core.start(frames[0], [boxMask()]);
  const first = performance.now() - t;
  times.clear();
  t = performance.now();
  for (const f of frames.slice(1)) await core.step(f);
  const steps = frames.length - 1;
  const perFrame = (performance.now() - t) / steps;
  await model.release();

  console.log(`engine (in-process, fp32, CPU, ${os.cpus().length} cores): ${s(perFrame)} per frame over ${steps} frames after the first`);
  console.log(`  first frame (mask + ${OFFICIAL_OPTIONS.warmup + 1} warm-up predictions): ${s(first)}`);
  console.log('  where a frame\'s time goes (mean per call × calls per frame):');
  const rows = [...times].map(([g, v]) => ({ g, mean: v.reduce((a, b) => a + b, 0) / v.length, perFrame: v.reduce((a, b) => a + b, 0) / steps, calls: v.length / steps }));
  for (const r of rows.sort((a, b) => b.perFrame - a.perFrame))
    console.log(`    ${r.g.padEnd(18)} ${ms(r.mean).padStart(7)} × ${r.calls.toFixed(2)} = ${ms(r.perFrame).padStart(7)} (${((100 * r.perFrame) / perFrame).toFixed(0)}%)`);
  console.log('  reference (issue #3, official PyTorch on this machine, 480p): fp32 3.7 s/frame; default (bf16 autocast) 1.31 s/frame');
}

/** Runs the CLI on a clip; returns wall time and the peak resident memory of the host process and of its whole tree. */
async function benchMatte(
  modelDir: string,
  clip: string,
  out: string,
): Promise<{ seconds: number; frames: number; steadyFps: number; hostPeakMiB: number; treePeakMiB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/matanyone.js'), 'matte', clip, '--mask', path.join(out, '..', 'mask.png'), '--model', modelDir, '--ep', 'cpu', '--mov', 'prores4444', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let hostPeak = 0;
  let treePeak = 0;
  const kib = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  const sample = () => {
    try {
      hostPeak = Math.max(hostPeak, kib(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'), 'VmHWM'));
      // The tree: the host and its ffmpeg children (decoder, encoders).
      const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      const rss = [String(child.pid), ...children].reduce((a, pid) => a + kib(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'), 0);
      treePeak = Math.max(treePeak, rss);
    } catch {
      /* the process is exiting */
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`matte failed (${code}): ${stderr}`);
  const frames = Number(/done: (\d+) frames/.exec(stdout)?.[1]);
  // The CLI's progress line gives the rate after the first frame (which carries the warm-up).
  const rates = [...stderr.matchAll(/ ([\d.]+) fps/g)].map((m) => Number(m[1]));
  const steadyFps = rates.length ? rates[rates.length - 1] : NaN;
  return { seconds: (performance.now() - started) / 1000, frames, steadyFps, hostPeakMiB: hostPeak / 1024, treePeakMiB: treePeak / 1024 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-bench-'));
  try {
    console.log(`bench: ${WIDTH}×${HEIGHT} (480p), model = parity fixture checkpoint (official architecture, random weights)`);
    const { dir: modelDir } = await convertCheckpoint({ checkpoint: path.join(FIXTURE, 'weights.safetensors'), outDir: path.join(dir, 'model') });
    const long = SHORT * 10;
    const shortClip = makeClip(dir, SHORT);
    const longClip = makeClip(dir, long);
    ffmpeg(['-i', path.join(FIXTURE, 'mask.png'), '-vf', `scale=${WIDTH}:${HEIGHT}:flags=neighbor`, path.join(dir, 'mask.png')]);

    await benchEngine(modelDir, decodeFrames(shortClip, ENGINE_FRAMES + 1));

    for (const [label, clip] of [['short', shortClip], ['long', longClip]] as const) {
      const r = await benchMatte(modelDir, clip, path.join(dir, `out-${label}`));
      console.log(
        `matte ${label.padEnd(5)} (${String(r.frames).padStart(3)} frames, decode → engine → ProRes 4444): ${s(1000 / r.steadyFps)} per frame after the first, ` +
          `${s((r.seconds * 1000) / r.frames)} per frame overall; peak memory ${r.hostPeakMiB.toFixed(0)} MiB host process, ${r.treePeakMiB.toFixed(0)} MiB with ffmpeg`,
      );
    }
    console.log('(overall: start-up, model loading and the first frame\'s warm-up spread over the clip; memory grows until the');
    console.log(' working memory is full at frame 20 — permanent frame + 4 — then stays flat)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
