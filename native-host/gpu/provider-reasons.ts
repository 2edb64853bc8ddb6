import * as fs from 'fs';
import * as path from 'path';
import { providerPrerequisites } from './provider-install';
import type { LibrarySearch } from './prerequisites';
import type { ProbeOutcome } from './provider-probe';

const OS_NAME: Record<string, string> = { linux: 'Linux', win32: 'Windows', darwin: 'macOS' };
const WHERE_BUILT: Record<string, string> = {
  cuda: 'Linux x64 only; on Windows NVIDIA GPUs run through DirectML',
  tensorrt: 'Linux x64 only',
  dml: 'Windows only',
  coreml: 'macOS only',
  webgpu: 'not in the Linux arm64 build',
};
const PROVIDER_LIBRARY: Record<string, string> = { cuda: 'libonnxruntime_providers_cuda.so', tensorrt: 'libonnxruntime_providers_tensorrt.so' };

export interface ReasonContext {
  platform?: NodeJS.Platform;
  /** onnxruntime's binding folder, where provider libraries must be */
  bindingDir: string;
  librarySearch?: LibrarySearch;
}

/** onnxruntime's message without its source-file prefix and C++ signature: the part a person can act on. */
export function cleanOrtError(error: string): string {
  let line = error.split('\n')[0];
  const afterCheck = line.split(' was false. ');
  if (afterCheck.length > 1) line = afterCheck[afterCheck.length - 1];
  line = line.replace(/^\S*onnxruntime_src\S*\s+/, '').replace(/^\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/, '');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * Why a provider cannot run here, in words that say what to do: not in this build (and where it is),
 * provider libraries not installed (`gpu install`), which NVIDIA library is missing, no GPU adapter, or
 * onnxruntime's own message.
 */
export function explainUnusable(outcome: ProbeOutcome, context: ReasonContext): string {
  const platform = context.platform ?? process.platform;
  const error = outcome.error ?? '';
  if (/backend not found/.test(error))
    return `not in onnxruntime-node's ${OS_NAME[platform] ?? platform} build (${WHERE_BUILT[outcome.provider] ?? 'another platform'})`;
  const library = PROVIDER_LIBRARY[outcome.provider];
  if (library && platform === 'linux' && /Failed to load shared library|cannot open shared object/.test(error)) {
    const file = path.join(context.bindingDir, library);
    if (!fs.existsSync(path.join(context.bindingDir, 'libonnxruntime_providers_shared.so')) || !fs.existsSync(file))
      return 'provider libraries not installed: run `npx matanyone gpu install`';
    const report = providerPrerequisites(outcome.provider === 'cuda' ? 'CUDA' : 'TensorRT', file, context.librarySearch);
    if (report.summary) return `missing ${report.summary}`;
  }
  if (outcome.provider === 'webgpu' && /Failed to get a WebGPU adapter/.test(error))
    return `no GPU adapter for WebGPU (it needs ${platform === 'win32' ? 'a Direct3D 12' : platform === 'darwin' ? 'a Metal' : 'a Vulkan'} driver for the GPU)`;
  return cleanOrtError(error);
}
