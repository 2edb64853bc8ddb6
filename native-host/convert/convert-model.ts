import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HostError } from '../errors';
import { CONVERTER_VERSION, MODEL_MANIFEST_FILE, ModelManifest, Precision } from '../models/model-manifest';
import { loadCheckpoint } from './checkpoint/load-checkpoint';
import { validateMatAnyone } from './checkpoint/matanyone-inventory';
import { ALWAYS_FLOAT32_GRAPHS, GRAPH_BUILDERS, GRAPH_NAMES } from './graphs';
import { WeightSource } from './graphs/weights';
import { toFloat16 } from './onnx/to-float16';

export const OPSET = 17;

export type ConvertProgress =
  | { phase: 'hash' | 'read' | 'validate' }
  | { phase: 'graph'; graph: string; index: number; total: number }
  | { phase: 'done'; reused: boolean };

export interface ConvertOptions {
  /** .pth / .safetensors checkpoint in the official layout */
  checkpoint: string;
  /** model folder to write (created if needed) */
  outDir: string;
  precision?: Precision;
  onProgress?: (p: ConvertProgress) => void;
}

export interface ConvertResult {
  dir: string;
  manifest: ModelManifest;
  /** true when the folder already held this conversion and nothing was rewritten */
  reused: boolean;
}

/** SHA-256 of a file, streamed (checkpoints are 140 MB). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest of a model folder, or undefined when there is none or it does not parse. */
export function readManifest(dir: string): ModelManifest | undefined {
  try {
    return ModelManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, MODEL_MANIFEST_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/** A folder is current when its manifest names this source, converter and precision and every graph is whole. */
function isCurrent(dir: string, sha256: string, precision: Precision): ModelManifest | undefined {
  const m = readManifest(dir);
  if (!m || m.source.sha256 !== sha256 || m.converterVersion !== CONVERTER_VERSION || m.precision !== precision) return undefined;
  if (GRAPH_NAMES.some((n) => !m.graphs[n])) return undefined;
  for (const g of Object.values(m.graphs)) {
    const stat = fs.statSync(path.join(dir, g.file), { throwIfNoEntry: false });
    if (!stat || stat.size !== g.bytes) return undefined;
  }
  return m;
}

/** Writes chunks to `file` through a temporary name, so a crash never leaves a half-written graph behind. */
function writeAtomically(file: string, chunks: Uint8Array[]): number {
  const tmp = `${file}.partial-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  try {
    for (const c of chunks) bytes += fs.writeSync(fd, c);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return bytes;
}

/**
 * Converts an official MatAnyone / MatAnyone 2 checkpoint into a folder of ONNX graphs plus `model.json`.
 * Idempotent: a folder that already holds the same checkpoint, converter version and precision is reused.
 *
 * @throws HostError for a missing, corrupt, legacy or foreign checkpoint, or an unwritable folder
 * @example
 * ```ts
 * const { dir, reused } = await convertCheckpoint({ checkpoint: 'matanyone.pth', outDir: 'models/matanyone' });
 * ```
 */
export async function convertCheckpoint(opts: ConvertOptions): Promise<ConvertResult> {
  const precision = opts.precision ?? 'fp32';
  const progress = opts.onProgress ?? (() => {});
  const dir = path.resolve(opts.outDir);
  if (!fs.existsSync(opts.checkpoint)) throw new HostError('CHECKPOINT_NOT_FOUND', `checkpoint ${opts.checkpoint} does not exist`);

  progress({ phase: 'hash' });
  const sha256 = await sha256File(opts.checkpoint);
  const existing = isCurrent(dir, sha256, precision);
  if (existing) {
    progress({ phase: 'done', reused: true });
    return { dir, manifest: existing, reused: true };
  }

  progress({ phase: 'read' });
  const raw = loadCheckpoint(opts.checkpoint);
  const maskStemChannels = raw.get('mask_encoder.conv1.weight')?.shape[1] ?? 0;
  progress({ phase: 'validate' });
  const stateDict = validateMatAnyone(raw, path.basename(opts.checkpoint));
  const weights = new WeightSource((name) => {
    const t = stateDict.get(name);
    return t && t.data instanceof Float32Array ? { shape: t.shape, data: t.data } : undefined;
  });

  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(dir, MODEL_MANIFEST_FILE), { force: true }); // the folder is incomplete from here on
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `cannot write the model folder ${dir}: ${(e as Error).message}`);
  }

  const graphs: ModelManifest['graphs'] = {};
  for (const [index, name] of GRAPH_NAMES.entries()) {
    progress({ phase: 'graph', graph: name, index, total: GRAPH_NAMES.length });
    const fp32 = GRAPH_BUILDERS[name](weights);
    const graphPrecision: Precision = precision === 'fp16' && !ALWAYS_FLOAT32_GRAPHS.has(name) ? 'fp16' : 'fp32';
    const graph = graphPrecision === 'fp16' ? toFloat16(fp32) : fp32;
    const file = `${name}.onnx`;
    const bytes = writeAtomically(path.join(dir, file), graph.serialize(OPSET, { converter_version: CONVERTER_VERSION }));
    graphs[name] = {
      file,
      bytes,
      precision: graphPrecision,
      inputs: graph.inputs.map((v) => ({ name: v.name, type: v.type, dims: [...v.dims] })),
      outputs: graph.outputs.map((v) => ({ name: v.name, type: v.type, dims: [...v.dims] })),
    };
  }

  const manifest: ModelManifest = {
    format: 'matanyone-onnx',
    architecture: 'matanyone',
    converterVersion: CONVERTER_VERSION,
    precision,
    opset: OPSET,
    source: { file: path.basename(opts.checkpoint), sha256, bytes: fs.statSync(opts.checkpoint).size, maskStemChannels },
    graphs,
    createdAt: new Date().toISOString(),
  };
  writeAtomically(path.join(dir, MODEL_MANIFEST_FILE), [Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]);
  progress({ phase: 'done', reused: false });
  return { dir, manifest, reused: false };
}
