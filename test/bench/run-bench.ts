/**
 * `npm run bench [-- --ep cpu,webgpu,cuda --size 480p,720p,1080p --precision fp32,fp16 --frames N]`: the engine's
 * speed and memory for each provider × size × precision, then the whole `matte` command on a short and a
 * 10× longer 480p clip (with the CPU in the list). Figures are printed, never asserted (timings belong here,
 * not in tests). Defaults: `--ep cpu --size 480p --precision fp32`.
 *
 * Per configuration: steady-state ms/frame (frames after the first), first-frame time (mask + warm-up),
 * where a frame's time goes per graph, peak host memory (VmHWM, reset before each configuration), peak
 * device memory (CUDA: nvidia-smi, sampled; other providers: not measurable from here) and the host↔device
 * traffic per frame (bytes of graph inputs and outputs that live in host memory, on a GPU provider).
 *
 * The model is the parity fixture's checkpoint: random weights, but exactly the official architecture, so
 * it costs what the real weights cost. On WebGPU without a GPU, set VK_ICD_FILENAMES (SwiftShader: minutes
 * a 480p frame).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import { benchPipelineCeiling } from './pipeline-bench';
import type { GraphName } from '../../native-host/convert/graphs';
import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import type { GraphRunner } from '../../native-host/engine/graph-runner';
import { InferenceCore, OFFICIAL_OPTIONS } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import type { ExecutionProviderName } from '../../native-host/engine/providers';
import type { Precision } from '../../native-host/models/model-manifest';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.resolve(ROOT, '../shared/fixtures/parity-a');
const SIZES: Record<string, [number, number]> = { '240p': [426, 240], '480p': [854, 480], '720p': [1280, 720], '1080p': [1920, 1080], '2160p': [3840, 2160] };
const SHORT = Number(process.env.BENCH_SHORT_FRAMES ?? 12);

const ms = (x: number) => `${x.toFixed(0)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

interface BenchArgs {
  eps: ExecutionProviderName[];
  sizes: string[];
  precisions: Precision[];
  /** frames per engine configuration, the first included */
  frames: number;
}

function parseArgs(argv: string[]): BenchArgs {
  const value = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const list = <T extends string>(name: string, fallback: string, allowed: readonly string[]): T[] =>
    value(name, fallback).split(',').map((v) => {
      if (!allowed.includes(v)) throw new Error(`--${name} ${v}: expected one of ${allowed.join(', ')}`);
      return v as T;
    });
  return {
    eps: list('ep', 'cpu', ['cpu', 'webgpu', 'cuda', 'dml', 'coreml']),
    sizes: list('size', '480p', Object.keys(SIZES)),
    precisions: list('precision', 'fp32', ['fp32', 'fp16']),
    frames: Math.max(2, Number(value('frames', process.env.BENCH_ENGINE_FRAMES ?? '11'))),
  };
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** A `width`×`height` H.264 clip of `frames` frames: the fixture's 12 frames upscaled, played forward and back. */
function makeClip(dir: string, frames: number, [width, height]: [number, number] = SIZES['480p']): string {
  const file = path.join(dir, `clip-${width}x${height}-${frames}.mp4`);
  ffmpeg([
    '-framerate', '25', '-i', path.join(FIXTURE, 'frame_%04d.png'),
    '-filter_complex', `[0:v]scale=${width}:${height}:flags=lanczos,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1,loop=-1:size=24`,
    '-frames:v', String(frames), '-c:v', 'libx264', '-crf', '16', '-pix_fmt', 'yuv420p', file,
  ]);
  return file;
}

function decodeFrames(file: string, count: number, [width, height]: [number, number]): EngineFrame[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 2 ** 33 });
  const size = width * height * 3;
  return Array.from({ length: count }, (_, i) => ({ width, height, rgb: new Uint8Array(r.stdout.subarray(i * size, (i + 1) * size)) }));
}

/** A box in the middle of the frame: what the subject mask is here does not change the cost. */
function boxMask(width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = Math.floor(height / 4); y < (3 * height) / 4; y++) m.fill(255, y * width + Math.floor(width / 3), y * width + Math.floor((2 * width) / 3));
  return m;
}

/** Resets this process's peak resident memory (Linux: clear_refs 5), so each configuration reports its own. */
function resetPeakRss(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux: the peak is then the process's */
  }
}

function peakRssBytes(): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
}

/** Peak used device memory while `work` runs: CUDA through nvidia-smi (sampled every 100 ms), else undefined. */
async function peakDeviceMemory<T>(provider: ExecutionProviderName, work: () => Promise<T>): Promise<{ result: T; peakBytes?: number }> {
  const query = () => {
    const r = spawnSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-i', process.env.CUDA_VISIBLE_DEVICES?.split(',')[0] || '0'], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) * 2 ** 20 : undefined;
  };
  if (provider !== 'cuda' || query() === undefined) return { result: await work() };
  let peak = 0;
  // Sampled from a child so that the blocking session.run calls cannot starve the sampler.
  const sampler = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '100'], { stdio: ['ignore', 'pipe', 'ignore'] });
  sampler.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim()) peak = Math.max(peak, Number(line.trim()) * 2 ** 20);
  });
  try {
    return { result: await work(), peakBytes: peak };
  } finally {
    sampler.kill();
  }
}

/** Bytes of the tensors of a feed or result that sit in host memory (those a GPU provider copies). */
function hostBytes(tensors: Record<string, ort.Tensor>): number {
  let bytes = 0;
  for (const t of Object.values(tensors)) if (t.location === 'cpu' || t.location === 'cpu-pinned') bytes += (t.data as ArrayBufferView).byteLength;
  return bytes;
}

interface EngineFigures {
  firstMs: number;
  steadyMs: number;
  peakHostBytes: number;
  peakDeviceBytes?: number;
  /** host → device and device → host bytes per frame after the first (GPU providers) */
  upload: number;
  download: number;
  perGraph: { graph: GraphName; meanMs: number; callsPerFrame: number; msPerFrame: number }[];
}

async function benchEngine(modelDir: string, provider: ExecutionProviderName, frames: EngineFrame[]): Promise<EngineFigures> {
  resetPeakRss();
  const model = await openModel(modelDir, [provider], { deviceResidentOutputs: true }); // as the engine worker
  const times = new Map<GraphName, number[]>();
  let upload = 0;
  let download = 0;
  const runner: GraphRunner = {
    run: async (graph, feeds) => {
      const t = performance.now();
      const out = await model.sessions[graph].run(feeds);
      times.set(graph, [...(times.get(graph) ?? []), performance.now() - t]);
      upload += hostBytes(feeds);
      download += hostBytes(out);
      return out;
    },
  };
  try {
    const { width, height } = frames[0];
    const { result, peakBytes } = await peakDeviceMemory(provider, async () => {
      const core = new InferenceCore(runner, OFFICIAL_OPTIONS);
      let t = performance.now();
      await core.start(frames[0], [boxMask(width, height)]);
      const firstMs = performance.now() - t;
      times.clear();
      upload = download = 0;
      t = performance.now();
      for (const f of frames.slice(1)) await core.step(f);
      return { firstMs, steadyMs: (performance.now() - t) / (frames.length - 1) };
    });
    const steps = frames.length - 1;
    const perGraph = [...times].map(([graph, v]) => {
      const total = v.reduce((a, b) => a + b, 0);
      return { graph, meanMs: total / v.length, callsPerFrame: v.length / steps, msPerFrame: total / steps };
    });
    const onDevice = provider !== 'cpu';
    return {
      ...result,
      peakHostBytes: peakRssBytes(),
      peakDeviceBytes: peakBytes,
      upload: onDevice ? upload / steps : 0,
      download: onDevice ? download / steps : 0,
      perGraph: perGraph.sort((a, b) => b.msPerFrame - a.msPerFrame),
    };
  } finally {
    await model.release();
  }
}

function printEngine(label: string, f: EngineFigures, steps: number): void {
  console.log(`engine ${label}: ${ms(f.steadyMs)} per frame (steady, ${steps} frames after the first); first frame ${s(f.firstMs)} (mask + ${OFFICIAL_OPTIONS.warmup + 1} warm-up predictions)`);
  console.log(`  peak memory: host ${mib(f.peakHostBytes)}, device ${f.peakDeviceBytes !== undefined ? mib(f.peakDeviceBytes) : 'n/a (measured on CUDA only)'}`);
  if (f.upload || f.download) console.log(`  host↔device traffic per frame: ${mib(f.upload)} in, ${mib(f.download)} out`);
  console.log('  where a frame\'s time goes (mean per call × calls per frame):');
  for (const r of f.perGraph)
    console.log(`    ${r.graph.padEnd(18)} ${ms(r.meanMs).padStart(7)} × ${r.callsPerFrame.toFixed(2)} = ${ms(r.msPerFrame).padStart(7)} (${((100 * r.msPerFrame) / f.steadyMs).toFixed(0)}%)`);
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
  const args = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-bench-'));
  try {
    console.log(`bench: model = parity fixture checkpoint (official architecture, random weights); ${os.cpus().length} CPU cores`);
    const models = new Map<Precision, string>();
    for (const precision of args.precisions) {
      const { dir: modelDir } = await convertCheckpoint({ checkpoint: path.join(FIXTURE, 'weights.safetensors'), outDir: path.join(dir, `model-${precision}`), precision });
      models.set(precision, modelDir);
    }
    for (const size of args.sizes) {
      const frames = decodeFrames(makeClip(dir, args.frames, SIZES[size]), args.frames, SIZES[size]);
      for (const ep of args.eps)
        for (const precision of args.precisions) {
          const label = `${size} ${SIZES[size].join('×')} ${ep} ${precision}`;
          try {
            printEngine(label, await benchEngine(models.get(precision)!, ep, frames), args.frames - 1);
          } catch (e) {
            console.log(`engine ${label}: could not run: ${String((e as Error).message).split('\n')[0]}`);
          }
        }
    }
    if (args.eps.includes('cpu') && args.precisions.includes('fp32')) {
      console.log('reference (issue #3, official PyTorch on this machine, 480p): fp32 3.7 s/frame; default (bf16 autocast) 1.31 s/frame');
      await benchMatteClips(models.get('fp32')!, dir);
    }
    // What decoding and encoding allow with the engine taken out, at 720p and 1080p (the sizes a GPU engine
    // must not be held back at), into ProRes 4444 and PNG16.
    await benchPipelineCeiling(['720p', '1080p'], Number(process.env.BENCH_PIPELINE_FRAMES ?? 90));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole `matte` command (CPU, fp32) on a short and a 10× longer 480p clip. */
async function benchMatteClips(modelDir: string, dir: string): Promise<void> {
  const [width, height] = SIZES['480p'];
  const shortClip = makeClip(dir, SHORT);
  const longClip = makeClip(dir, SHORT * 10);
  ffmpeg(['-i', path.join(FIXTURE, 'mask.png'), '-vf', `scale=${width}:${height}:flags=neighbor`, path.join(dir, 'mask.png')]);
  for (const [label, clip] of [['short', shortClip], ['long', longClip]] as const) {
    const r = await benchMatte(modelDir, clip, path.join(dir, `out-${label}`));
    console.log(
      `matte ${label.padEnd(5)} (${String(r.frames).padStart(3)} frames, 480p, decode → engine → ProRes 4444): ${s(1000 / r.steadyFps)} per frame after the first, ` +
        `${s((r.seconds * 1000) / r.frames)} per frame overall; peak memory ${r.hostPeakMiB.toFixed(0)} MiB host process, ${r.treePeakMiB.toFixed(0)} MiB with ffmpeg`,
    );
  }
  console.log('(overall: start-up, model loading and the first frame\'s warm-up spread over the clip; memory grows until the');
  console.log(' working memory is full at frame 20 — permanent frame + 4 — then stays flat)');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
