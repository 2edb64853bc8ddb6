import * as fs from 'fs';
import { sha256File } from '../convert/convert-model';
import { HostError } from '../errors';
import { isModelFolder, runDoctor, type DoctorReport } from '../gpu/doctor';
import { checkpointFile, convertedModelDir } from '../models/cache';
import { checkpointFileName, DEFAULT_MODEL, findModel } from '../models/registry';
import { resolveModel } from '../models/resolve-model';
import { parseCommandArgs } from './args';

export const DOCTOR_HELP = `Usage: matanyone doctor [--model M] [--size WxH] [--no-frame] [--verbose]

What can run here: the platform and onnxruntime version, the GPUs (as nvidia-smi names them), whether the
GPU provider libraries are installed, each provider (CPU, CUDA, TensorRT, DirectML, CoreML, WebGPU) as
usable or not with the reason (tried on a one-node graph), and one frame of the model on each usable
provider with its time.

  --model M     model folder, checkpoint or registry name for the frame run (default: matanyone2 when
                it is already in the cache; the doctor downloads nothing unless --model names it)
  --size WxH    frame size for the frame run (default 854x480)
  --no-frame    skip the frame run (the providers are still tried)
  --verbose     also show what the native libraries printed while the providers were tried
`;

/** The default model's converted folder when it is already in the cache, without downloading anything. */
async function cachedDefaultModel(): Promise<string | undefined> {
  const entry = findModel(DEFAULT_MODEL);
  let sha256 = entry.sha256;
  if (!sha256) {
    const checkpoint = checkpointFile(checkpointFileName(entry));
    if (!fs.existsSync(checkpoint)) return undefined;
    sha256 = await sha256File(checkpoint);
  }
  const dir = convertedModelDir(sha256, 'fp32');
  return isModelFolder(dir) ? dir : undefined;
}

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  const [width, height] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || width < 16 || height < 16 || width > 8192 || height > 8192) throw new HostError('INVALID_ARGUMENT', `--size: "${text}" should be WIDTHxHEIGHT, each from 16 to 8192, e.g. 854x480`);
  // The memory readout keeps the top 30 matches among the frame's positions at 1/16 scale.
  if (Math.ceil(width / 16) * Math.ceil(height / 16) < 30) throw new HostError('INVALID_ARGUMENT', `--size: ${text} is too small for the model (at least 30 positions at 1/16 scale, e.g. 96x80)`);
  return { width, height };
}

const ms = (v: number | undefined) => (v === undefined ? '?' : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);

function print(r: DoctorReport, verbose: boolean): void {
  const out: string[] = [];
  out.push(`platform:      ${r.platform}, Node ${r.node}`);
  out.push(`onnxruntime:   onnxruntime-node ${r.onnxruntime} (${r.bindingDir})`);
  if (r.gpus.gpus.length === 0) out.push(`GPU:           ${r.gpus.source}`);
  for (const g of r.gpus.gpus)
    out.push(`GPU:           ${g.name}${g.memoryMiB ? `, ${g.memoryMiB} MiB` : ''}${g.driver ? `, driver ${g.driver}` : ''} (${r.gpus.source})`);
  out.push(`GPU libraries: ${r.providerLibraries}`);
  out.push('providers:');
  for (const p of r.providers)
    out.push(`  ${p.label.padEnd(9)} ${p.usable ? `usable (${ms(p.probeMs)} to open and run a one-node graph)` : `not usable: ${p.reason}`}`);
  if (r.frames) {
    out.push(`one frame of ${r.frames.model} at ${r.frames.width}x${r.frames.height}:`);
    for (const f of r.frames.runs) {
      const label = r.providers.find((p) => p.provider === f.provider)?.label ?? f.provider;
      out.push(`  ${label.padEnd(9)} ${f.error ? `failed: ${f.error}` : `${ms(f.frameMs)} per frame (opening ${ms(f.openMs)}, first frame ${ms(f.firstMs)})`}`);
    }
  } else {
    out.push(`frame run: skipped (${r.framesSkipped})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (verbose && r.nativeLog) process.stderr.write(`native libraries printed while the providers were tried:\n${r.nativeLog}`);
}

/** `matanyone doctor`. Exit code 0 whenever the report could be made (a provider not usable is information). */
export async function doctorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const { values, positionals } = parseCommandArgs('doctor', argv, {
    model: { type: 'string' },
    size: { type: 'string', default: '854x480' },
    'no-frame': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length) throw new HostError('INVALID_ARGUMENT', `doctor: unexpected argument "${positionals[0]}" (see \`matanyone doctor --help\`)`);
  const { width, height } = parseSize(values.size as string);
  let modelDir: string | undefined;
  let framesSkipped: string | undefined;
  if (values['no-frame']) framesSkipped = '--no-frame';
  else if (values.model) modelDir = (await resolveModel(values.model as string)).dir;
  else {
    modelDir = await cachedDefaultModel();
    if (!modelDir) framesSkipped = `no --model given and ${DEFAULT_MODEL} is not in the cache (\`npx matanyone models pull ${DEFAULT_MODEL}\`)`;
  }
  const report = await runDoctor({ modelDir, framesSkipped, width, height });
  print(report, (values.verbose as boolean) || !!process.env.MATANYONE_VERBOSE);
  return 0;
}
