import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ExecutionProviderName } from '../engine/providers';
import { EngineClient } from '../engine/worker/engine-client';
import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import { listGpus, type GpuListing } from './gpu-info';
import { onnxruntimeLocation } from './onnxruntime-location';
import { providerCacheDir, readInstalled } from './provider-cache';
import { relinkProviders } from './provider-links';
import { nothingToInstall } from './provider-packages';
import { ALL_PROVIDERS, PROVIDER_LABEL, probeProviders, type ProbeProvider } from './provider-probe';
import { explainUnusable } from './provider-reasons';

export interface ProviderStatus {
  provider: ProbeProvider;
  label: string;
  usable: boolean;
  /** why not, in words (when not usable) */
  reason?: string;
  /** session creation and one run of the probe graph, in ms (when usable) */
  probeMs?: number;
}

export interface FrameRun {
  provider: ProbeProvider;
  /** opening the model's graphs on the provider */
  openMs?: number;
  /** the first frame (one first-frame pass, no warm-up repeats) */
  firstMs?: number;
  /** the next frame: the per-frame cost of a clip */
  frameMs?: number;
  error?: string;
}

export interface DoctorReport {
  platform: string;
  node: string;
  onnxruntime: string;
  bindingDir: string;
  gpus: GpuListing;
  /** the installable provider libraries: where they are, or what to do */
  providerLibraries: string;
  providers: ProviderStatus[];
  /** one frame per usable provider, when a model was given */
  frames?: { model: string; width: number; height: number; runs: FrameRun[] };
  /** why there is no frame run */
  framesSkipped?: string;
  /** what native libraries printed while probing (shown with --verbose) */
  nativeLog: string;
}

/** The onnxruntime provider name as the engine's `--ep` spells it (the same names; TensorRT is not an `--ep`). */
const ENGINE_PROVIDER: Partial<Record<ProbeProvider, ExecutionProviderName>> = { cpu: 'cpu', cuda: 'cuda', dml: 'dml', coreml: 'coreml', webgpu: 'webgpu' };

/** A synthetic frame and mask: a grey ramp, the middle third as the subject. */
function syntheticFrame(width: number, height: number): { frame: { width: number; height: number; rgb: Uint8Array }; mask: Uint8Array } {
  const rgb = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      rgb.fill(Math.round((255 * (x + y)) / (width + height)), i * 3, i * 3 + 3);
      if (x > width / 3 && x < (2 * width) / 3 && y > height / 4) mask[i] = 255;
    }
  return { frame: { width, height, rgb }, mask };
}

/** Opens the model on exactly one provider and times the first and the next frame. */
async function runOneFrame(modelDir: string, provider: ProbeProvider, width: number, height: number): Promise<FrameRun> {
  const engineProvider = ENGINE_PROVIDER[provider];
  if (!engineProvider) return { provider, error: 'the engine does not run on it (not an --ep choice)' };
  const { frame, mask } = syntheticFrame(width, height);
  let engine: EngineClient | undefined;
  try {
    let t = performance.now();
    engine = await EngineClient.open(modelDir, { providers: [engineProvider], options: { ...OFFICIAL_OPTIONS, warmup: 0 } });
    const openMs = performance.now() - t;
    t = performance.now();
    await engine.start(frame, [mask]);
    const firstMs = performance.now() - t;
    t = performance.now();
    await engine.step(frame);
    return { provider, openMs, firstMs, frameMs: performance.now() - t };
  } catch (e) {
    return { provider, error: String((e as Error).message ?? e).split('\n')[0].slice(0, 300) };
  } finally {
    await engine?.close();
  }
}

export interface DoctorOptions {
  /** a converted model folder for the frame run (resolved by the caller); none: the run is skipped with `framesSkipped` */
  modelDir?: string;
  framesSkipped?: string;
  width?: number;
  height?: number;
}

/**
 * `matanyone doctor`: the platform and onnxruntime, the GPUs, whether the installable provider libraries
 * are in place, each of the six providers usable or not with the reason (tried on a one-node graph in a
 * child process), and one frame of the model on each usable provider with its time.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const location = onnxruntimeLocation();
  const platform = `${process.platform}/${process.arch}`;
  const relinked = relinkProviders({ location });
  const cacheDir = providerCacheDir(location.version, platform);
  const providerLibraries =
    nothingToInstall(platform) !== undefined
      ? `nothing to install on ${platform}`
      : relinked.problem
        ? relinked.problem
        : readInstalled(cacheDir)
          ? `installed: ${cacheDir}, linked into ${location.bindingDir}`
          : 'not installed (`npx matanyone gpu install` gets the CUDA and TensorRT providers)';

  const { outcomes, nativeLog } = await probeProviders(ALL_PROVIDERS);
  const providers: ProviderStatus[] = outcomes.map((o) => {
    const provider = o.provider as ProbeProvider;
    const base = { provider, label: PROVIDER_LABEL[provider], usable: o.usable };
    return o.usable ? { ...base, probeMs: o.ms } : { ...base, reason: explainUnusable(o, { bindingDir: location.bindingDir }) };
  });

  const report: DoctorReport = {
    platform: `${os.type()} ${os.release()} (${platform})`,
    node: process.version,
    onnxruntime: location.version,
    bindingDir: location.bindingDir,
    gpus: listGpus(),
    providerLibraries,
    providers,
    nativeLog,
  };
  if (!options.modelDir) {
    report.framesSkipped = options.framesSkipped ?? 'no model given';
    return report;
  }
  const width = options.width ?? 854;
  const height = options.height ?? 480;
  const runs: FrameRun[] = [];
  for (const p of providers.filter((s) => s.usable)) runs.push(await runOneFrame(options.modelDir, p.provider, width, height));
  report.frames = { model: path.resolve(options.modelDir), width, height, runs };
  return report;
}

/** Whether a folder is a converted model (for the default model: used only when already in the cache). */
export function isModelFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json'));
}
