/**
 * Child process of webgpu-engine.test.ts: runs the engine over raw frames and writes the alphas. A child,
 * because the Vulkan loader reads VK_ICD_FILENAMES from the real process environment, which a jest test
 * cannot change.
 *
 * argv[2]: JSON {@link ChildJob}. Writes every frame's alpha (float32, frame after frame) to `outFile` and
 * prints a {@link ChildReport} as its last stdout line.
 */
import * as fs from 'fs';
import type * as ort from 'onnxruntime-node';
import { FallbackRunner, type ProviderFallback } from '../../native-host/engine/fallback-runner';
import type { GraphRunner } from '../../native-host/engine/graph-runner';
import { InferenceCore, type CoreOptions } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import type { ExecutionProviderName } from '../../native-host/engine/providers';

export interface ChildJob {
  modelDir: string;
  /** provider order (a failing provider hands over to the next, as in the engine worker) */
  providers: ExecutionProviderName[];
  width: number;
  height: number;
  /** RGB24 frames, one after another */
  framesFile: string;
  /** 0…255 first-frame mask */
  maskFile: string;
  options: CoreOptions;
  outFile: string;
}

export interface ChildReport {
  /** the provider the last frame ran on */
  provider: ExecutionProviderName;
  fallbacks: ProviderFallback[];
  /** where each graph's outputs were left (first run of each graph) */
  outputLocations: Record<string, Record<string, string>>;
  /** bytes of host tensors fed and read back per frame after the first */
  hostBytesPerFrame: { in: number; out: number };
}

const hostBytes = (tensors: Record<string, ort.Tensor>) =>
  Object.values(tensors).reduce((n, t) => n + (t.location === 'cpu' ? (t.data as ArrayBufferView).byteLength : 0), 0);

async function main(job: ChildJob): Promise<ChildReport> {
  const rgb = new Uint8Array(fs.readFileSync(job.framesFile));
  const size = job.width * job.height * 3;
  const mask = new Uint8Array(fs.readFileSync(job.maskFile));
  const fallbacks: ProviderFallback[] = [];
  const options = { deviceResidentOutputs: true }; // as the engine worker opens it
  const fallback = new FallbackRunner(await openModel(job.modelDir, job.providers, options), job.providers, options, (f) => fallbacks.push(f));
  const outputLocations: ChildReport['outputLocations'] = {};
  const traffic = { in: 0, out: 0 };
  const runner: GraphRunner = {
    get generation() {
      return fallback.generation;
    },
    run: async (graph, feeds) => {
      const out = await fallback.run(graph, feeds);
      outputLocations[graph] ??= Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.location]));
      traffic.in += hostBytes(feeds);
      traffic.out += hostBytes(out);
      return out;
    },
  };
  const frames = rgb.length / size;
  try {
    const core = new InferenceCore(runner, job.options);
    const out = fs.openSync(job.outFile, 'w');
    for (let i = 0; i < frames; i++) {
      const frame = { width: job.width, height: job.height, rgb: rgb.subarray(i * size, (i + 1) * size) };
      if (i === 1) traffic.in = traffic.out = 0;
      const [alpha] = i === 0 ? await core.start(frame, [mask]) : await core.step(frame);
      fs.writeSync(out, new Uint8Array(alpha.buffer, alpha.byteOffset, alpha.byteLength));
    }
    fs.closeSync(out);
  } finally {
    await fallback.release();
  }
  const steps = Math.max(1, frames - 1);
  return { provider: fallback.model.provider, fallbacks, outputLocations, hostBytesPerFrame: { in: traffic.in / steps, out: traffic.out / steps } };
}

main(JSON.parse(process.argv[2]) as ChildJob).then(
  (report) => console.log(JSON.stringify(report)),
  (e) => {
    console.error(`FAILED ${(e as Error).message}`);
    process.exit(1);
  },
);
