import * as fs from 'fs';
import { cacheRoot, checkpointFile, convertedModelDir } from '../models/cache';
import { CONVERTER_VERSION, Precision } from '../models/model-manifest';
import { checkpointFileName, DEFAULT_MODEL, loadRegistry, RegistryEntry } from '../models/registry';
import { readManifest, sha256File } from '../convert/convert-model';
import { checkModel } from '../engine/model-check';
import { EXECUTION_PROVIDERS, providerOrder } from '../engine/providers';
import { HostError } from '../errors';
import { pullModel } from '../models/pull-model';
import { oneOf, parseCommandArgs } from './args';
import { describeModelProgress, mib } from './model-progress';
import { ProgressLine } from './progress-line';

export const MODELS_HELP = `Usage: matanyone models list
       matanyone models pull <name> [--precision fp32|fp16]
       matanyone models check <dir> [--ep auto|cpu|cuda|dml|coreml|webgpu]

  list          the registry's models with their licences, and what the cache holds
  pull NAME     download an official model (resuming a broken download), verify its checksum and
                convert it into the cache; --precision fp32 (default, exact) or fp16 (GPUs)
  check DIR     load a converted model folder and run each graph once on a small frame

The cache is $MATANYONE_HOME, or else ~/.cache/matanyone (Linux, or $XDG_CACHE_HOME/matanyone),
~/Library/Caches/matanyone (macOS), %LOCALAPPDATA%\\matanyone (Windows).

Environment:
  MATANYONE_HOME               cache folder for downloaded checkpoints and converted models
  MATANYONE_DOWNLOAD_BASE_URL  a mirror, for networks that cannot reach GitHub: replaces the URL up to the
                               file name (http://host:8080/files/ fetches http://host:8080/files/matanyone2.pth);
                               the registry's size and checksum are still checked
  MATANYONE_REGISTRY           a JSON file {"models": [...]} whose entries (same fields as the built-in ones)
                               replace the built-in entry of the same name or add a new one
`;

function licenceLine(e: RegistryEntry): string {
  return `${e.licence.name}${e.licence.nonCommercial ? ', non-commercial use only' : ''}`;
}

async function pull(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('models pull', argv, { precision: { type: 'string', default: 'fp32' } });
  if (positionals.length !== 1) throw new HostError('INVALID_ARGUMENT', 'models pull: give one model name (see `matanyone models list`)');
  const precision = oneOf('precision', values.precision as string, ['fp32', 'fp16'] as const);
  const line = new ProgressLine();
  const step = process.stderr.isTTY ? 1 : 10;
  let result;
  try {
    result = await pullModel(positionals[0], { precision, onProgress: (p) => line.update(describeModelProgress(p, step)) });
  } finally {
    line.done();
  }
  const { entry, sha256 } = result;
  const how = result.downloaded ? 'downloaded' : 'already in the cache';
  if (result.verifiedBy === 'sha256') {
    process.stdout.write(`${entry.name}: ${how}, sha256 verified: ${result.checkpoint}\n`);
  } else {
    process.stdout.write(
      `${entry.name}: ${how}: ${result.checkpoint}\n` +
        `  no published checksum for ${checkpointFileName(entry)}; the converter accepted every tensor. sha256 ${sha256}\n`,
    );
  }
  process.stdout.write(`model: ${result.dir} [${result.manifest.precision}, ${result.converted ? 'converted' : 'up to date'}]\n`);
  process.stdout.write(`licence: ${licenceLine(entry)} (${entry.licence.url})\n`);
  return 0;
}

/** The precisions converted in the cache for a checkpoint, by its checksum. */
function convertedPrecisions(sha256: string | undefined): Precision[] {
  if (!sha256) return [];
  return (['fp32', 'fp16'] as const).filter((p) => readManifest(convertedModelDir(sha256, p))?.converterVersion === CONVERTER_VERSION);
}

async function list(argv: string[]): Promise<number> {
  const { positionals } = parseCommandArgs('models list', argv, {});
  if (positionals.length) throw new HostError('INVALID_ARGUMENT', 'models list: takes no arguments');
  const rows = [['NAME', 'TITLE', 'CHECKPOINT', 'CONVERTED', 'LICENCE']];
  for (const entry of loadRegistry()) {
    const file = checkpointFile(checkpointFileName(entry));
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
    const partial = fs.statSync(`${file}.partial`, { throwIfNoEntry: false })?.size;
    // A registry entry without a checksum is looked up by the downloaded file's own (it was verified by conversion).
    const sha256 = entry.sha256 ?? (size !== undefined ? await sha256File(file) : undefined);
    const of = entry.bytes ? ` of ${mib(entry.bytes)}` : '';
    const checkpoint = size !== undefined ? `downloaded (${mib(size)})` : partial !== undefined ? `partial (${mib(partial)}${of})` : 'not downloaded';
    const converted = convertedPrecisions(sha256);
    rows.push([entry.name + (entry.name === DEFAULT_MODEL ? '*' : ''), entry.title, checkpoint, converted.join(', ') || '-', licenceLine(entry)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(`cache: ${cacheRoot()}\n\n`);
  for (const r of rows) process.stdout.write(`${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`);
  process.stdout.write(`\n* the default model. Get one with \`matanyone models pull <name>\`.\n`);
  return 0;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('models check', argv, { ep: { type: 'string', default: 'auto' } });
  if (positionals.length !== 1) throw new HostError('INVALID_ARGUMENT', 'models check: give one model folder');
  const ep = oneOf('execution provider', values.ep as string, EXECUTION_PROVIDERS);
  const report = await checkModel(positionals[0], providerOrder(ep));
  for (const s of report.skipped) process.stderr.write(`skipped ${s.provider}: ${s.error}\n`);
  for (const g of report.graphs) process.stdout.write(`${g.name.padEnd(18)} ${g.finite ? 'ok' : 'NON-FINITE'}  ${g.ms.toFixed(1)} ms\n`);
  const ok = report.graphs.every((g) => g.finite);
  process.stdout.write(`${ok ? 'model ok' : 'model FAILED'}: ${positionals[0]} (${report.precision}) on ${report.provider}\n`);
  return ok ? 0 : 1;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { list, pull, check };

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(MODELS_HELP);
    return sub ? 0 : 2;
  }
  const run = SUBCOMMANDS[sub];
  if (!run) throw new HostError('INVALID_ARGUMENT', `models: unknown subcommand "${sub}"; should be one of: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  return run(rest);
}
