import { convertCheckpoint } from '../convert/convert-model';
import { HostError } from '../errors';
import { oneOf, parseCommandArgs } from './args';
import { describeConvertProgress } from './model-progress';
import { ProgressLine } from './progress-line';

export const CONVERT_HELP = `Usage: matanyone convert <checkpoint> --out <dir> [--precision fp32|fp16]

Converts an official MatAnyone or MatAnyone 2 checkpoint (.pth or .safetensors) into a folder of ONNX
graphs with a model.json. Running it again with the same checkpoint reuses the folder.

  --out DIR           model folder to write (required)
  --precision P       fp32 (default, exact) or fp16 (GPUs: half the size, faster)
`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('convert', argv, {
    out: { type: 'string', short: 'o' },
    precision: { type: 'string', default: 'fp32' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(CONVERT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new HostError('INVALID_ARGUMENT', 'convert: give exactly one checkpoint file (see `matanyone convert --help`)');
  if (!values.out) throw new HostError('INVALID_ARGUMENT', 'convert: --out <dir> is required');
  const precision = oneOf('precision', values.precision as string, ['fp32', 'fp16'] as const);

  const line = new ProgressLine();
  const started = Date.now();
  const result = await convertCheckpoint({
    checkpoint: positionals[0],
    outDir: values.out as string,
    precision,
    onProgress: (p) => line.update(describeConvertProgress(p)),
  });
  line.done();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const m = result.manifest;
  process.stdout.write(
    `${result.reused ? 'up to date' : 'converted'}: ${m.source.file} (sha256 ${m.source.sha256.slice(0, 12)}…) → ${result.dir} ` +
      `[${m.precision}, ${Object.keys(m.graphs).length} graphs, ${seconds} s]\n`,
  );
  return 0;
}
