import { HostError } from '../errors';
import { installGpuProviders, type GpuInstallProgress } from '../gpu/provider-install';
import { GPU_PACKAGES_ENV } from '../gpu/provider-packages';
import { parseCommandArgs } from './args';
import { mib } from './model-progress';
import { ProgressLine } from './progress-line';

export const GPU_HELP = `Usage: matanyone gpu install [--force]

  install       download onnxruntime's CUDA and TensorRT provider libraries for the installed
                onnxruntime-node (Linux x64: NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux, the package its own
                install script uses), check its SHA-512 against the one nuget.org publishes, keep them
                in the cache and link them beside onnxruntime's library. A broken download resumes; after
                \`npm ci\` the host links them again by itself. Then says what CUDA still needs from NVIDIA
                (driver, CUDA 12 runtime, cuDNN 9) and where to get it.
  --force       download and extract again even when the cache holds them

Windows needs nothing: onnxruntime-node's Windows build runs NVIDIA GPUs through DirectML (bundled);
macOS uses CoreML (bundled). \`matanyone doctor\` shows what each provider can do here.

Environment:
  MATANYONE_HOME               the cache (the libraries go to <cache>/gpu/onnxruntime-<version>-<platform>/)
  MATANYONE_DOWNLOAD_BASE_URL  a mirror: replaces the package URL up to the file name; the checksum is still checked
  ${GPU_PACKAGES_ENV}       a JSON file {"packages": [...]} replacing or adding provider packages
                               (fields: onnxruntime, platform, name, url, sha512 or registrationUrl, files)
`;

function describe(p: GpuInstallProgress, step: number): string {
  switch (p.phase) {
    case 'package':
      return `gpu: ${p.name} for onnxruntime-node ${p.onnxruntime}`;
    case 'checksum':
      return `gpu: reading the published checksum (${p.source})`;
    case 'download': {
      const { phase, receivedBytes, totalBytes, resumedFrom } = p.progress;
      if (phase === 'verify') return 'gpu: verifying the download';
      const resumed = resumedFrom > 0 ? ` (resumed at ${mib(resumedFrom)})` : '';
      if (!totalBytes) return `gpu: downloading: ${mib(Math.floor(receivedBytes / (step * 1024 * 1024)) * step * 1024 * 1024)}${resumed}`;
      return `gpu: downloading ${String(Math.floor((receivedBytes / totalBytes) * (100 / step)) * step).padStart(3)}% of ${mib(totalBytes)}${resumed}`;
    }
    case 'extract':
      return `gpu: extracting ${p.file}`;
  }
}

async function install(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('gpu install', argv, { force: { type: 'boolean', default: false } });
  if (positionals.length) throw new HostError('INVALID_ARGUMENT', `gpu install: unexpected argument "${positionals[0]}" (see \`matanyone gpu --help\`)`);
  const line = new ProgressLine();
  const step = process.stderr.isTTY ? 1 : 10;
  let result;
  try {
    result = await installGpuProviders({ force: values.force as boolean, onProgress: (p) => line.update(describe(p, step)) });
  } finally {
    line.done();
  }
  const how = result.reused ? 'already in the cache' : 'downloaded, sha512 verified';
  process.stdout.write(`gpu: ${result.package.name}: ${how}: ${result.cacheDir}\n`);
  for (const [name, state] of Object.entries(result.links))
    process.stdout.write(`gpu: ${name}: ${state === 'present' ? 'in place' : state} in ${result.bindingDir}\n`);
  for (const report of [result.cuda, result.tensorrt]) if (report?.sentence) process.stdout.write(`${report.sentence}\n`);
  if (result.cuda && !result.cuda.sentence) process.stdout.write('gpu: CUDA: the driver, the CUDA 12 runtime and cuDNN were found; `npx matanyone doctor` tries it\n');
  return 0;
}

/** `matanyone gpu …`: installable GPU providers. */
export async function gpuCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(GPU_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'install') return install(rest);
  throw new HostError('INVALID_ARGUMENT', `gpu: unknown subcommand "${sub}"; should be: install`);
}
