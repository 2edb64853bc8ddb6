import * as ort from 'onnxruntime-node';
import { buildMemoryConsolidate } from '../../native-host/convert/graphs/memory-readout';
import { WeightSource } from '../../native-host/convert/graphs/weights';
import { expectParity, runGraph } from '../support/parity-fixture';

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

test('memory_consolidate re-reads prototypes through a full softmax (float64 reference)', async () => {
  const N = 200;
  const P = 16;
  const candKey = values(64 * N, 1);
  const candShrink = values(N, 2).map((v) => 1 + v * v);
  const candValue = values(256 * N, 3);
  const protoKey = values(64 * P, 4);
  const protoSel = values(64 * P, 5).map((v) => (v + 1) / 2);
  const out = await runGraph(buildMemoryConsolidate(new WeightSource(() => undefined)), {
    cand_key: new ort.Tensor('float32', candKey, [1, 64, N]),
    cand_shrinkage: new ort.Tensor('float32', candShrink, [1, 1, N]),
    cand_value: new ort.Tensor('float32', candValue, [1, 256, N]),
    proto_key: new ort.Tensor('float32', protoKey, [1, 64, P]),
    proto_selection: new ort.Tensor('float32', protoSel, [1, 64, P]),
  });
  const value = new Float64Array(256 * P);
  const shrink = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const sim = Array.from({ length: N }, (_, n) => {
      let d = 0;
      for (let c = 0; c < 64; c++) d += protoSel[c * P + p] * (candKey[c * N + n] - protoKey[c * P + p]) ** 2;
      return (-d * candShrink[n]) / 8;
    });
    const max = Math.max(...sim);
    const e = sim.map((s) => Math.exp(s - max));
    const total = e.reduce((a, b) => a + b, 0);
    for (let n = 0; n < N; n++) {
      const a = e[n] / total;
      shrink[p] += a * candShrink[n];
      for (let c = 0; c < 256; c++) value[c * P + p] += a * candValue[c * N + n];
    }
  }
  expectParity('memory_consolidate proto_value', out.proto_value, { shape: [1, 256, P], data: Float32Array.from(value) }, { maxAbs: 1e-5 });
  expectParity('memory_consolidate proto_shrinkage', out.proto_shrinkage, { shape: [1, 1, P], data: Float32Array.from(shrink) }, { maxAbs: 1e-5 });
});
