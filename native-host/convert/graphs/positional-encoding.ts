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
 */
export function sinePositionalEncoding(l: Layers, like: string, invFreqName: string): string {
  return l.g.float32Island(() => sinePositionalEncodingFloat32(l, like, invFreqName));
}

function sinePositionalEncodingFloat32(l: Layers, like: string, invFreqName: string): string {
  const g = l.g;
  const invFreq = l.w.has(invFreqName) ? l.w.get(invFreqName).data : defaultInvFreq();
  const freq = g.initializer(invFreqName, 'float32', [1, HALF / 2], invFreq);
  const shape = g.op1('Shape', [like]);
  const h = g.op1('Slice', [shape, g.constI64([2]), g.constI64([3])]);
  const w = g.op1('Slice', [shape, g.constI64([3]), g.constI64([4])]);

  /** [n, 128] interleaved [sin(p·f0), cos(p·f0), sin(p·f1), …] for p = i / ((n−1) + eps) · scale. */
  const axisEmbedding = (n: string): string => {
    const nScalar = g.op1('Squeeze', [n, g.constI64([0])]);
    const positions = g.op1('Cast', [g.op1('Range', [g.constI64([0], []), nScalar, g.constI64([1], [])])], { to: attr.int(1) });
    const last = g.op1('Cast', [g.op1('Sub', [n, g.constI64([1])])], { to: attr.int(1) });
    // (n−1) + 1e-6 is rounded to float32 before the division, as in the official float32 code.
    const normalised = l.mul(l.div(positions, l.add(last, g.constF32([PE_EPS], [1]))), g.constF32([PE_SCALE], []));
    const phase = l.mul(g.op1('Unsqueeze', [normalised, g.constI64([1])]), freq); // [n, 64]
    const sin = g.op1('Unsqueeze', [g.op1('Sin', [phase]), g.constI64([2])]);
    const cos = g.op1('Unsqueeze', [g.op1('Cos', [phase]), g.constI64([2])]);
    return g.op1('Reshape', [l.concat([sin, cos], 2), g.constI64([-1, HALF])]);
  };

  const grid = l.concat([h, w, g.constI64([HALF])], 0);
  const columns = g.op1('Expand', [g.op1('Unsqueeze', [axisEmbedding(w), g.constI64([0])]), grid]); // [h, w, 128]
  const rows = g.op1('Expand', [g.op1('Unsqueeze', [axisEmbedding(h), g.constI64([1])]), grid]);
  return g.op1('Reshape', [l.concat([columns, rows], 2), g.constI64([1, -1, 2 * HALF])]);
}
