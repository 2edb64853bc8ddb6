import * as ort from 'onnxruntime-node';
import { HostError } from '../errors';

/** Execution providers the CLI accepts (`--ep`), `auto` trying this platform's GPU providers first. */
export const EXECUTION_PROVIDERS = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderChoice = (typeof EXECUTION_PROVIDERS)[number];
export type ExecutionProviderName = Exclude<ExecutionProviderChoice, 'auto'>;

/** GPU providers worth trying on each platform, best first; CPU always comes last. */
const GPU_ORDER: Record<string, ExecutionProviderName[]> = {
  linux: ['cuda', 'webgpu'],
  win32: ['cuda', 'dml', 'webgpu'],
  darwin: ['coreml', 'webgpu'],
};

export function providerOrder(choice: ExecutionProviderChoice, platform = process.platform): ExecutionProviderName[] {
  if (choice !== 'auto') return [choice];
  return [...(GPU_ORDER[platform] ?? []), 'cpu'];
}

export interface ProviderAttempt {
  provider: ExecutionProviderName;
  error: string;
}

export interface SessionOptions {
  intraOpNumThreads?: number;
  /** outputs left in device memory (`gpu-buffer`) for the next graph, instead of copied to the host */
  preferredOutputLocation?: ort.InferenceSession.SessionOptions['preferredOutputLocation'];
}

/**
 * Creates a session on exactly one provider; throws onnxruntime's error when that provider cannot load
 * here (missing CUDA libraries, no GPU adapter). Provider probing is expected to fail, so only fatal native
 * log lines are printed: the caller reports the failures itself.
 */
export async function createSessionOn(modelFile: string, provider: ExecutionProviderName, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  // onnxruntime's own log lines (the provider bridge's failed library loads) stay out of the terminal unless
  // --verbose: failures reach the caller as errors. Read once, when the first session creates ORT's logger.
  ort.env.logLevel = process.env.MATANYONE_VERBOSE ? 'warning' : 'fatal';
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: provider === 'cpu' ? 3 : 4,
    // The CPU arena keeps every peak allocation (decoder im2col buffers at full resolution) for the whole
    // run: without it the host peaks at ~1.1 GiB instead of ~2.2 GiB at 480p, at the same speed (npm run bench).
    enableCpuMemArena: false,
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.preferredOutputLocation ? { preferredOutputLocation: options.preferredOutputLocation } : {}),
  };
  return ort.InferenceSession.create(modelFile, sessionOptions);
}

/** The first line of an onnxruntime error, for a one-line "skipped cuda: …" report. */
export function providerError(e: unknown): string {
  return String((e as Error).message ?? e).split('\n')[0].slice(0, 200);
}

/**
 * The error when no provider of an order could open `what`, with each one's reason. onnxruntime does not
 * fall back by itself (`['cuda', 'cpu']` throws when CUDA is missing), so callers try providers one at a
 * time (see `openModel`) and collect the failures.
 */
export function noProvider(what: string, skipped: ProviderAttempt[]): HostError {
  return new HostError('INVALID_ARGUMENT', `no execution provider could run ${what}: ${skipped.map((s) => `[${s.provider}] ${s.error}`).join('; ')}`);
}
