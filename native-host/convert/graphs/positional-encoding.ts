import { attr } from '../onnx/onnx-graph';
import { Layers } from './layers';

const PE_SCALE = 32; // config/model/base.yaml pixel_pe_scale
const PE_TEMPERATURE = 128; // pixel_pe_temperature
const PE_EPS = 1e-6;
const HALF = 128; // ceil(256 / 4) * 2: channels per axis

/** inv_freq[k] = 1 / 128^(2k/128), k = 0…63, as the official buffer (float32). */
function defaultInvFreq(): Float32Array {
  const out = new Float32Array(HALF / 2);
  for (let k = 0; k < out.length; k++) out[k] = Math.fround(1 / Math.fround(Math.pow(PE_TEMPERATURE, Math.fround((2 * k) / HALF))));
  return out;
}

/**
 * The 2-D sine positional encoding (spec §1.1) for the h×w grid of `like` (`[1,C,h,w]`), built in-graph so
 * that h and w stay dynamic. Returns tokens `[1, h·w, 256]` in row-major order: channels 0…127 are
 * sin/cos-interleaved column terms, 128…255 row terms. Uses the checkpoint's `inv_freq` buffer when present.
 *
 * Positions are counted in float32 from a row and a column of `like` itself, not from its Shape: integer
 * shape arithmetic (int64 Range, Cast, Sub, Concat) is what onnxruntime moves off a GPU provider onto the
 * CPU, and counting 1s is exact for any size below 2²⁴.
 */
export function sinePositionalEncoding(l: Layers, like: string, invFreqName: string): string {
  return l.g.float32Island(() => sinePositionalEncodingFloat32(l, like, invFreqName));
}

function sinePositionalEncodingFloat32(l: Layers, like: string, invFreqName: string): string {
  const g = l.g;
  const invFreq = l.w.has(invFreqName) ? l.w.get(invFreqName).data : defaultInvFreq();
  const freq = g.initializer(invFreqName, 'float32', [1, HALF / 2], invFreq);
  // [n] of 1s along axis 2 (rows) or 3 (columns) of `like`: x > x is false for every x, NaN and ±∞ too.
  const ones = (axis: 2 | 3): string => {
    const line = g.op1('Slice', [like, g.constI64([0, 0]), g.constI64([1, 1]), g.constI64([1, 5 - axis])]);
    const one = g.op1('Cast', [g.op1('Not', [g.op1('Greater', [line, line])])], { to: attr.int(1) });
    return g.op1('Reshape', [one, g.constI64([-1])]);
  };

  /** [n, 128] interleaved [sin(p·f0), cos(p·f0), sin(p·f1), …] for p = i / ((n−1) + eps) · scale. */
  const axisEmbedding = (one: string): string => {
    const positions = g.op1('CumSum', [one, g.constI64([0], [])], { exclusive: attr.int(1) }); // 0, 1, …, n−1
    const last = g.op1('ReduceMax', [positions], { keepdims: attr.int(1) }); // [1]: n−1
    // (n−1) + 1e-6 is rounded to float32 before the division, as in the official float32 code.
    const normalised = l.mul(l.div(positions, l.add(last, g.constF32([PE_EPS], [1]))), g.constF32([PE_SCALE], []));
    const phase = l.mul(g.op1('Unsqueeze', [normalised, g.constI64([1])]), freq); // [n, 64]
    const sin = g.op1('Unsqueeze', [g.op1('Sin', [phase]), g.constI64([2])]);
    const cos = g.op1('Unsqueeze', [g.op1('Cos', [phase]), g.constI64([2])]);
    return g.op1('Reshape', [l.concat([sin, cos], 2), g.constI64([-1, HALF])]);
  };

  // Spread over the [h, w, 128] grid by multiplying with 1s (exact) where a Shape-fed Expand would do it.
  const rowOnes = ones(2);
  const columnOnes = ones(3);
  const columns = l.mul(g.op1('Unsqueeze', [axisEmbedding(columnOnes), g.constI64([0])]), g.op1('Unsqueeze', [rowOnes, g.constI64([1, 2])]));
  const rows = l.mul(g.op1('Unsqueeze', [axisEmbedding(rowOnes), g.constI64([1])]), g.op1('Unsqueeze', [columnOnes, g.constI64([0, 2])]));
  return g.op1('Reshape', [l.concat([columns, rows], 2), g.constI64([1, -1, 2 * HALF])]);
}
