import { isHostError } from '../errors';
import { convertCommand } from './convert-command';
import { doctorCommand } from './doctor-command';
import { gpuCommand } from './gpu-command';
import { relinkProviders } from '../gpu/provider-links';
import { runtimeDir } from '../gpu/provider-probe';
import { maskCommand } from './mask-command';
import { liveCommand } from './live-command';
import { matteCommand } from './matte-command';
import { modelsCommand } from './models-command';
import { serveCommand } from './serve-command';

const USAGE = `Usage: matanyone <command> [options]

Commands:
  matte <video> --mask <png> --out <dir>
                                     matte a clip from a first-frame mask (ProRes 4444, PNGs, …)
  mask <video> --auto --out <png>    the first-frame mask of the people on a frame, to look at
  convert <checkpoint> --out <dir>   convert an official checkpoint (.pth/.safetensors) to ONNX
  models list | pull <name> | check <dir>
                                     the official models: list, download + convert, check a folder
  serve [--port N] [--allow <folder>]
                                     the local host for the Premiere / Photoshop panels and OBS
  live --obs <ws://…> --input <camera|file> --mask <png|auto>
                                     matte a camera live into OBS, over transparency
  gpu install                        get the CUDA / TensorRT provider libraries (Linux x64)
  doctor [--model M]                 what can run here: GPUs, each provider, one frame on each

Every command takes --verbose: native libraries' own log lines (onnxruntime, Vulkan) are shown.

Run \`matanyone <command> --help\` for the options of a command.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  convert: convertCommand,
  doctor: doctorCommand,
  gpu: gpuCommand,
  live: liveCommand,
  mask: maskCommand,
  matte: matteCommand,
  models: modelsCommand,
  serve: serveCommand,
};

/**
 * Before any command: `--verbose` (any command) lets native log lines through, in this thread and the
 * engine's (an environment variable reaches both); a private XDG_RUNTIME_DIR where none is set (Vulkan
 * complains otherwise); and the GPU provider libraries linked again when `npm ci` removed them.
 */
function prepareNativeLibraries(args: string[]): void {
  if (args.includes('--verbose')) process.env.MATANYONE_VERBOSE = '1';
  if (process.platform === 'linux' && !process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = runtimeDir();
  const relinked = relinkProviders();
  if (relinked.problem) process.stderr.write(`matanyone: ${relinked.problem}\n`);
  else if (process.env.MATANYONE_VERBOSE && Object.values(relinked.states ?? {}).some((s) => s !== 'present'))
    process.stderr.write('matanyone: GPU provider libraries linked again from the cache (node_modules was recreated)\n');
}

/**
 * The `matanyone` command line. Errors the user can fix print as one line (no stack) with exit code 1;
 * anything else is a bug and prints its stack (exit code 70, EX_SOFTWARE).
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${require('../../../package.json').version}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`matanyone: unknown command "${command}"; should be one of: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    prepareNativeLibraries(rest);
    return await run(rest.filter((a) => a !== '--verbose'));
  } catch (e) {
    if (isHostError(e)) {
      process.stderr.write(`matanyone: error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`matanyone: internal error (a bug, please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
