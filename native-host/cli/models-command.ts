import { checkModel } from '../engine/model-check';
import { EXECUTION_PROVIDERS, providerOrder } from '../engine/providers';
import { HostError } from '../errors';
import { oneOf, parseCommandArgs } from './args';

export const MODELS_HELP = `Usage: matanyone models check <dir> [--ep auto|cpu|cuda|dml|coreml|webgpu]

  check DIR     load a converted model folder and run each graph once on a small frame
`;

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(MODELS_HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'check') throw new HostError('INVALID_ARGUMENT', `models: unknown subcommand "${sub}" (see \`matanyone models --help\`)`);
  const { values, positionals } = parseCommandArgs('models check', rest, { ep: { type: 'string', default: 'auto' } });
  if (positionals.length !== 1) throw new HostError('INVALID_ARGUMENT', 'models check: give one model folder');
  const ep = oneOf('execution provider', values.ep as string, EXECUTION_PROVIDERS);
  const report = await checkModel(positionals[0], providerOrder(ep));
  for (const s of report.skipped) process.stderr.write(`skipped ${s.provider}: ${s.error}\n`);
  for (const g of report.graphs) process.stdout.write(`${g.name.padEnd(18)} ${g.finite ? 'ok' : 'NON-FINITE'}  ${g.ms.toFixed(1)} ms\n`);
  const ok = report.graphs.every((g) => g.finite);
  process.stdout.write(`${ok ? 'model ok' : 'model FAILED'}: ${positionals[0]} (${report.precision}) on ${report.provider}\n`);
  return ok ? 0 : 1;
}
