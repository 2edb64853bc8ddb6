/**
 * The pipeline's own ceiling: `matanyone matte`'s frame loop (ffmpeg decode → engine → outputs) with the engine
 * replaced by one that returns the first mask as every frame's alpha at once. What it prints is the most
 * frames per second decoding and encoding allow, the figure a GPU engine must not be held back by.
 *
 *   node dist/test/bench/pipeline-bench.js [--size 720p,1080p] [--frames 90]
 * (`npm run bench` runs it too.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runMatte, type MatteEngine } from '../../native-host/matte/run-matte';
import type { OutputSpec } from '../../native-host/video/outputs';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.resolve(ROOT, '../shared/fixtures/parity-a');
export const PIPELINE_SIZES: Record<string, [number, number]> = { '480p': [854, 480], '720p': [1280, 720], '1080p': [1920, 1080], '2160p': [3840, 2160] };

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** An engine that costs nothing: frame 0's masks are every frame's alphas. */
function noopEngine(): MatteEngine {
  let alphas: Float32Array[] = [];
  return {
    provider: 'cpu',
    skipped: [],
    start: async (_frame, masks) => (alphas = masks.map((m) => Float32Array.from(m, (v) => v / 255))),
    step: async () => alphas.map((a) => a.slice()),
    close: async () => undefined,
  };
}

/** Runs the no-op pipeline on a `frames`-frame H.264 clip at each size into each output; prints fps. */
export async function benchPipelineCeiling(sizes: string[], frames: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-bench-'));
  try {
    console.log(`\npipeline ceiling (engine replaced by a no-op; decode H.264 → outputs), ${frames} frames, ${os.cpus().length} cores`);
    for (const name of sizes) {
      const dims = PIPELINE_SIZES[name];
      if (!dims) throw new Error(`unknown size ${name}; one of ${Object.keys(PIPELINE_SIZES).join(', ')}`);
      const [w, h] = dims;
      const clip = path.join(dir, `${name}.mp4`);
      ffmpeg(['-framerate', '30', '-i', path.join(FIXTURE, 'frame_%04d.png'), '-vf', `scale=${w}:${h},loop=-1:size=12`, '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', clip]);
      const mask = path.join(FIXTURE, 'mask.png');
      const outputs: [string, OutputSpec][] = [
        ['ProRes 4444', { kind: 'prores4444' }],
        ['PNG16 sequence', { kind: 'alpha', depth: 16 }],
      ];
      for (const [label, spec] of outputs) {
        const out = path.join(dir, `${name}-${spec.kind}`);
        const started = process.hrtime.bigint();
        const result = await runMatte(
          { input: clip, masks: [mask], model: path.join(FIXTURE, 'weights.safetensors'), outDir: out, outputs: [spec], warmup: 0, dilate: 0, erode: 0, ep: 'cpu', longTerm: false },
          { openEngine: async () => noopEngine() },
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(`  ${name.padEnd(6)} → ${label.padEnd(15)} ${(result.frames / seconds).toFixed(1).padStart(6)} fps  (${result.frames} frames in ${seconds.toFixed(1)} s)`);
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  benchPipelineCeiling(arg('size', '720p,1080p').split(','), Number(arg('frames', '90'))).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
