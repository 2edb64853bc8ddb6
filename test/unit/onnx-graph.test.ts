import * as ort from 'onnxruntime-node';
import { OnnxGraph, attr } from '../../native-host/convert/onnx/onnx-graph';

async function run(g: OnnxGraph, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
  const session = await ort.InferenceSession.create(g.toBytes(17));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('OnnxGraph writer', () => {
  test('a 1x1 conv with typed attributes and dynamic dims runs in onnxruntime and matches a JS reference', async () => {
    const g = new OnnxGraph('t');
    const x = g.input('x', 'float32', [1, 2, 'H', 'W']);
    const w = g.initializer('w', 'float32', [3, 2, 1, 1], Float32Array.from([1, 2, -1, 0.5, 0, 3]));
    const b = g.initializer('b', 'float32', [3], Float32Array.from([0.25, -1, 2]));
    const y = g.op1('Conv', [x, w, b], { kernel_shape: attr.ints([1, 1]), pads: attr.ints([0, 0, 0, 0]) });
    const r = g.op1('Relu', [y]);
    const flat = g.op1('Reshape', [r, g.constI64([1, 3, -1])]);
    const [vals, idx] = g.op('TopK', [flat, g.constI64([2])], { axis: attr.int(-1) }, 2);
    const ln = g.op1('LayerNormalization', [flat, g.constF32([1, 1, 1, 1, 1, 1]), g.constF32([0, 0, 0, 0, 0, 0])], {
      axis: attr.int(-1),
      epsilon: attr.float(1e-5),
    });
    g.output(r, 'y', 'float32', [1, 3, 'H', 'W']);
    g.output(vals, 'top', 'float32', [1, 3, 2]);
    g.output(idx, 'idx', 'int64', [1, 3, 2]);
    g.output(ln, 'ln', 'float32', [1, 3, 6]);

    const input = Float32Array.from([1, -2, 3, 0.5, 4, -1, 2, 1, 0, -3, 1, 2]);
    const out = await run(g, { x: new ort.Tensor('float32', input, [1, 2, 2, 3]) });
    const ref = new Float32Array(18);
    const wv = [1, 2, -1, 0.5, 0, 3];
    const bv = [0.25, -1, 2];
    for (let o = 0; o < 3; o++)
      for (let p = 0; p < 6; p++) ref[o * 6 + p] = Math.max(0, wv[o * 2] * input[p] + wv[o * 2 + 1] * input[6 + p] + bv[o]);
    const y0 = out.y.data as Float32Array;
    for (let i = 0; i < 18; i++) expect(y0[i]).toBeCloseTo(ref[i], 5);
    const top = out.top.data as Float32Array;
    for (let o = 0; o < 3; o++) {
      const sorted = Array.from(ref.subarray(o * 6, o * 6 + 6)).sort((a, b) => b - a);
      expect(top[o * 2]).toBeCloseTo(sorted[0], 5);
      expect(top[o * 2 + 1]).toBeCloseTo(sorted[1], 5);
    }
    expect(out.idx.type).toBe('int64');
    expect(out.ln.dims).toEqual([1, 3, 6]);
  });
});
