import * as fs from 'fs';
import { z } from 'zod';
import { HostError } from '../errors';

/** Environment variable naming a JSON file `{"packages": [...]}` whose entries replace or add to the built-in ones. */
export const GPU_PACKAGES_ENV = 'MATANYONE_GPU_PACKAGES';

/**
 * One official package of onnxruntime GPU provider libraries, for one onnxruntime version and platform.
 * The same artifact onnxruntime-node's own install script downloads (script/install-metadata.js).
 */
export const ProviderPackage = z.object({
  /** onnxruntime-node version the libraries were built with; they only load into that exact version */
  onnxruntime: z.string(),
  /** `linux/x64`, as `${process.platform}/${process.arch}` */
  platform: z.string(),
  /** NuGet id, for messages */
  name: z.string(),
  url: z.string().url(),
  /**
   * SHA-512 of the package, hex. When absent, the hash nuget.org publishes for the package (`packageHash` of
   * its catalog entry, reached from `registrationUrl`) is fetched and checked instead.
   */
  sha512: z.string().regex(/^[0-9a-f]{128}$/).optional(),
  /** NuGet registration leaf of the package: its `catalogEntry` carries `packageHash` (SHA-512, base64) */
  registrationUrl: z.string().url().optional(),
  bytes: z.number().int().positive().optional(),
  /** provider libraries to take: file name beside onnxruntime's library ← path inside the package */
  files: z.record(z.string().regex(/^[^\\/]+$/), z.string()),
  /** the library whose dependencies decide what CUDA needs (checked for the driver, CUDA runtime, cuDNN) */
  cudaProvider: z.string().optional(),
});
export type ProviderPackage = z.infer<typeof ProviderPackage>;

const NUGET_FLAT = 'https://api.nuget.org/v3-flatcontainer';
// The SemVer 2 hive lists every package (the semver1 one leaves some out); it is gzipped, which fetch undoes.
const NUGET_REGISTRATION = 'https://api.nuget.org/v3/registration5-gz-semver2';

/** Microsoft.ML.OnnxRuntime.Gpu.Linux at `version`: CUDA 12 and TensorRT providers for linux-x64. */
function nugetGpuLinux(version: string): ProviderPackage {
  const id = 'microsoft.ml.onnxruntime.gpu.linux';
  const native = 'runtimes/linux-x64/native';
  return {
    onnxruntime: version,
    platform: 'linux/x64',
    name: `Microsoft.ML.OnnxRuntime.Gpu.Linux ${version}`,
    url: `${NUGET_FLAT}/${id}/${version}/${id}.${version}.nupkg`,
    registrationUrl: `${NUGET_REGISTRATION}/${id}/${version}.json`,
    files: {
      'libonnxruntime_providers_shared.so': `${native}/libonnxruntime_providers_shared.so`,
      'libonnxruntime_providers_cuda.so': `${native}/libonnxruntime_providers_cuda.so`,
      'libonnxruntime_providers_tensorrt.so': `${native}/libonnxruntime_providers_tensorrt.so`,
    },
    cudaProvider: 'libonnxruntime_providers_cuda.so',
  };
}

/**
 * The built-in packages. Only linux/x64 has one: onnxruntime-node's Windows build has no CUDA provider at all
 * (its NVIDIA path is DirectML, bundled), and macOS uses CoreML (bundled).
 */
export const BUILT_IN_PACKAGES: readonly ProviderPackage[] = [nugetGpuLinux('1.30.0')];

/** The packages known here: built-in, with `$MATANYONE_GPU_PACKAGES` entries replacing those of the same version and platform. */
export function providerPackages(env: NodeJS.ProcessEnv = process.env): ProviderPackage[] {
  const file = env[GPU_PACKAGES_ENV];
  if (!file) return [...BUILT_IN_PACKAGES];
  let extra: ProviderPackage[];
  try {
    extra = z.object({ packages: z.array(ProviderPackage) }).parse(JSON.parse(fs.readFileSync(file, 'utf8'))).packages;
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `${GPU_PACKAGES_ENV}=${file} is not a readable {"packages": [...]} file: ${String((e as Error).message).split('\n')[0]}`);
  }
  const key = (p: ProviderPackage) => `${p.onnxruntime} ${p.platform}`;
  const replaced = new Set(extra.map(key));
  return [...BUILT_IN_PACKAGES.filter((p) => !replaced.has(key(p))), ...extra];
}

/** Why a platform has nothing to install, in one sentence; undefined where a package may exist. */
export function nothingToInstall(platform: string): string | undefined {
  if (platform.startsWith('win32/'))
    return "onnxruntime-node's Windows build has no CUDA provider; NVIDIA (and AMD, Intel) GPUs run through DirectML, which it bundles: nothing to install, use --ep dml or --ep auto";
  if (platform.startsWith('darwin/')) return 'on macOS the GPU runs through CoreML, which onnxruntime-node bundles: nothing to install, use --ep coreml or --ep auto';
  if (platform !== 'linux/x64') return `onnxruntime publishes no CUDA provider libraries for ${platform}; the CPU (and WebGPU where a Vulkan driver is present) are what runs here`;
  return undefined;
}

/** The package for this onnxruntime version and platform. */
export function findProviderPackage(onnxruntime: string, platform: string, env: NodeJS.ProcessEnv = process.env): ProviderPackage {
  const none = nothingToInstall(platform);
  const known = providerPackages(env);
  const match = known.find((p) => p.onnxruntime === onnxruntime && p.platform === platform);
  if (match) return match;
  if (none) throw new HostError('INVALID_ARGUMENT', none);
  const versions = known.filter((p) => p.platform === platform).map((p) => p.onnxruntime);
  throw new HostError(
    'INVALID_ARGUMENT',
    `no GPU provider package is known for onnxruntime-node ${onnxruntime} on ${platform} (known: ${versions.join(', ') || 'none'}); add one with ${GPU_PACKAGES_ENV}`,
  );
}
