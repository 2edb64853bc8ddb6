import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import type { OnnxGraph } from '../../native-host/convert/onnx/onnx-graph';
import { WeightSource } from '../../native-host/convert/graphs/weights';

/** ../shared/fixtures/parity-a, next to the project root (read-only in CI). */
export const PARITY_DIR = path.resolve(__dirname, '../../../shared/fixtures/parity-a');

export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

/**
 * An independent, minimal reader of the fixture's F32 safetensors (the product's loader is tested against
 * it separately); non-F32 entries are skipped.
 */
export function readF32Safetensors(file: string): Map<string, F32Tensor> {
  const buf = fs.readFileSync(file);
  const headerLength = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, F32Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__' || entry.dtype !== 'F32') continue;
    const [begin, end] = entry.data_offsets;
    const bytes = buf.subarray(8 + headerLength + begin, 8 + headerLength + end);
    out.set(name, { shape: entry.shape, data: new Float32Array(Uint8Array.from(bytes).buffer) });
  }
  return out;
}

let cachedWeights: Map<string, F32Tensor> | undefined;
let cachedIntermediates: Map<string, F32Tensor> | undefined;

export function fixtureWeights(): WeightSource {
  cachedWeights ??= readF32Safetensors(path.join(PARITY_DIR, 'weights.safetensors'));
  const weights = cachedWeights;
  return new WeightSource((name) => weights.get(name));
}

/** The official intermediate `name` (see the fixture README), e.g. `call0.encode_image.out.f16`. */
export function intermediate(name: string): F32Tensor {
  cachedIntermediates ??= readF32Safetensors(path.join(PARITY_DIR, 'intermediates.safetensors'));
  const t = cachedIntermediates.get(name);
  if (!t) throw new Error(`fixture has no intermediate ${name}`);
  return t;
}

/** Frame `index` as the official step sees it: RGB/255, zero-padded to multiples of 16 (pad split floor/ceil). */
export async function paddedFrame(index: number): Promise<F32Tensor> {
  const file = path.join(PARITY_DIR, `frame_${String(index).padStart(4, '0')}.png`);
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const H = Math.ceil(info.height / 16) * 16;
  const W = Math.ceil(info.width / 16) * 16;
  const top = Math.floor((H - info.height) / 2);
  const left = Math.floor((W - info.width) / 2);
  const out = new Float32Array(3 * H * W);
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      for (let c = 0; c < 3; c++) out[c * H * W + (y + top) * W + x + left] = data[(y * info.width + x) * info.channels + c] / 255;
  return { shape: [1, 3, H, W], data: out };
}

export function toOrt(t: F32Tensor, shape: number[] = t.shape): ort.Tensor {
  return new ort.Tensor('float32', t.data, shape);
}

/** Runs a graph once on the CPU provider and returns every output. */
export async function runGraph(graph: OnnxGraph, feeds: Record<string, ort.Tensor>): Promise<Record<string, F32Tensor>> {
  const session = await ort.InferenceSession.create(graph.toBytes(17), { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { shape: [...v.dims], data: v.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

export interface ErrorStats {
  max: number;
  mean: number;
}

export function errorStats(actual: Float32Array, expected: Float32Array): ErrorStats {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
    sum += d;
  }
  return { max, mean: sum / actual.length };
}

/**
 * How close a module must be. Issue #2 asks 1e-4 max abs error per module. `scaleRelative` is for tensors
 * whose values reach the hundreds, where 1e-4 is below fp32 resolution after thousands of accumulations
 * (f16: see the note in encode-frame.parity.test.ts): max abs error divided by max |expected|.
 */
export type ParityBound = { maxAbs: number } | { scaleRelative: number };

/** Per-module parity: prints max/mean abs error and asserts the bound (default: max abs ≤ 1e-4). */
export function expectParity(label: string, actual: F32Tensor, expected: F32Tensor, bound: ParityBound = { maxAbs: 1e-4 }): ErrorStats {
  expect(actual.data.length).toBe(expected.data.length);
  const stats = errorStats(actual.data, expected.data);
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  // eslint-disable-next-line no-console
  console.log(
    `parity ${label.padEnd(40)} max ${stats.max.toExponential(2)}  mean ${stats.mean.toExponential(2)}  (max|ref| ${scale.toPrecision(3)})`,
  );
  if ('maxAbs' in bound) expect(stats.max).toBeLessThanOrEqual(bound.maxAbs);
  else expect(stats.max / scale).toBeLessThanOrEqual(bound.scaleRelative);
  return stats;
}
