import { buildMemoryReadout } from '../../native-host/convert/graphs/memory-readout';
import * as ort from 'onnxruntime-node';
import { buildReadout } from '../../native-host/convert/graphs/readout';
import { expectParity, F32Tensor, fixtureWeights, intermediate, runGraph, toOrt } from '../support/parity-fixture';

/** `[1,1,C,h,w]` (official object axis) → ORT tensor `[1,C,h,w]`; object memory `[1,1,1,16,257]` → `[1,16,257]`. */
const perObject = (t: F32Tensor) => toOrt(t, [1, ...t.shape.slice(t.shape.length === 5 && t.shape[2] === 1 ? 3 : 2)]);

/**
 * The fixture records, for the first propagated frame (call5), the fusion's output P = V_mem·U + V_prev·(1−U)
 * and the change head's inputs D = V_mem − V_prev and U, but not V_mem and V_prev themselves. Both follow:
 * V_prev = P − U·D and V_mem = V_prev + D (exact up to fp32 rounding of P, ~1e-6 here).
 */
function call5Values(): { vPrev: F32Tensor; vMem: F32Tensor } {
  const p = intermediate('call5.pixel_fusion.in.pixel').data;
  const d = intermediate('call5.pred_uncertainty.in.mem_val_diff').data;
  const u = intermediate('call5.pred_uncertainty.out.prob').data;
  const hw = u.length;
  const vPrev = new Float32Array(p.length);
  const vMem = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    vPrev[i] = p[i] - u[i % hw] * d[i];
    vMem[i] = vPrev[i] + d[i];
  }
  const shape = [1, 256, 15, 27];
  return { vPrev: { shape, data: vPrev }, vMem: { shape, data: vMem } };
}

describe('readout parity (official intermediates, fp32)', () => {
  const weights = fixtureWeights();

  const readout = buildReadout(weights);
  const useMemory = (on: boolean) => new ort.Tensor('bool', Uint8Array.from([on ? 1 : 0]), []);

  test('call1 (first-frame prediction): pixel fusion and object-transformer readout', async () => {
    const pixFeat = toOrt(intermediate('call0.encode_image.out.pix_feat'));
    // No memory read on first-frame predictions: the change head gets placeholders and its result is unused.
    const out = await runGraph(readout, {
      pix_feat: pixFeat,
      last_pix_feat: pixFeat,
      visual_readout: perObject(intermediate('call1.pixel_fusion.in.pixel')),
      use_memory: useMemory(false),
      last_msk_value: perObject(intermediate('call1.pixel_fusion.in.pixel')),
      sensory: perObject(intermediate('call1.pixel_fusion.in.sensory')),
      last_mask: toOrt(intermediate('call1.pixel_fusion.in.last_mask')),
      obj_memory: perObject(intermediate('call1.readout_query.in.obj_memory')),
    });
    expectParity('call1 pixel_fusion', out.pixel_readout, intermediate('call1.pixel_fusion.out'));
    expectParity('call1 readout_query', out.mem_readout, intermediate('call1.readout_query.out'));
  });

  test('call5 (first propagated frame): change probability, fusion, pixel fusion and readout', async () => {
    const { vPrev, vMem } = call5Values();
    const out = await runGraph(readout, {
      use_memory: useMemory(true),
      pix_feat: toOrt(intermediate('call5.encode_image.out.pix_feat')),
      last_pix_feat: toOrt(intermediate('call5.pred_uncertainty.in.last_pix_feat')),
      last_mask: toOrt(intermediate('call5.pred_uncertainty.in.last_mask')),
      visual_readout: toOrt(vMem),
      last_msk_value: toOrt(vPrev),
      sensory: perObject(intermediate('call5.pixel_fusion.in.sensory')),
      obj_memory: perObject(intermediate('call5.readout_query.in.obj_memory')),
    });
    expectParity('call5 pred_uncertainty logits', out.uncert_logits, intermediate('call5.pred_uncertainty.out.logits'));
    expectParity('call5 pred_uncertainty prob', out.uncert_prob, intermediate('call5.pred_uncertainty.out.prob'));
    expectParity('call5 pixel_fusion', out.pixel_readout, intermediate('call5.pixel_fusion.out'));
    expectParity('call5 readout_query', out.mem_readout, intermediate('call5.readout_query.out'));
  });

  test('call5 memory read: top-30 readout of the permanent frame-0 memory', async () => {
    const { vPrev, vMem } = call5Values();
    const tokens = (name: string) => {
      const t = intermediate(name);
      return toOrt(t, [1, t.shape[1], t.shape[2] * t.shape[3]]);
    };
    // Memory after the warm-up: frame 0's key and shrinkage with the value of the last warm-up prediction,
    // which is the previous-frame value V_prev of call5.
    const out = await runGraph(buildMemoryReadout(weights), {
      query_key: tokens('call5.transform_key.out.key'),
      query_selection: tokens('call5.transform_key.out.selection'),
      mem_key: tokens('call0.transform_key.out.key'),
      mem_shrinkage: tokens('call0.transform_key.out.shrinkage'),
      mem_value: toOrt(vPrev, [1, 256, 405]),
    });
    expectParity('call5 memory readout (visual_readout)', out.visual_readout, vMem);

    // usage (long-term memory's counter): each memory token's top-30 weights summed over the queries, from
    // an independent float64 evaluation of spec §1.7.
    const [qk, qe, mk, ms] = ['call5.transform_key.out.key', 'call5.transform_key.out.selection', 'call0.transform_key.out.key', 'call0.transform_key.out.shrinkage'].map((n) => intermediate(n).data);
    const hw = 405;
    const usage = new Float64Array(hw);
    for (let p = 0; p < hw; p++) {
      const sim = Array.from({ length: hw }, (_, n) => {
        let d = 0;
        for (let c = 0; c < 64; c++) d += qe[c * hw + p] * (mk[c * hw + n] - qk[c * hw + p]) ** 2;
        return { n, s: (-d * ms[n]) / 8 };
      }).sort((a, b) => b.s - a.s).slice(0, 30);
      const total = sim.reduce((a, x) => a + Math.exp(x.s), 0);
      for (const x of sim) usage[x.n] += Math.exp(x.s) / total;
    }
    expectParity('call5 memory usage (top-k affinity sums)', out.usage, { shape: [1, hw], data: Float32Array.from(usage) });
  });
});
