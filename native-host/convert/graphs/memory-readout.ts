import { attr, OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { WeightSource } from './weights';

/** top_k of the official config. */
export const TOP_K = 30;

/**
 * G3 `memory_readout` (spec §1.7): anisotropic L2 similarity between the query tokens and the memory tokens,
 * top-30 softmax per query token (no max subtraction, as the official code), weighted sum of memory values.
 * Parameter-free; query tokens may be chunked (top-k is per token).
 *
 * in  query_key [1,64,Q], query_selection [1,64,Q], mem_key [1,64,N], mem_shrinkage [1,1,N], mem_value [1,256,N]
 *     (N ≥ 30; token order: permanent frame, then temporary frames oldest → newest)
 * out visual_readout [1,256,Q]
 */
export function buildMemoryReadout(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('memory_readout');
  const l = new Layers(g, w);
  const qk = g.input('query_key', 'float32', [1, 64, 'Q']);
  const qe = g.input('query_selection', 'float32', [1, 64, 'Q']);
  const mk = g.input('mem_key', 'float32', [1, 64, 'N']);
  const ms = g.input('mem_shrinkage', 'float32', [1, 1, 'N']);
  const mv = g.input('mem_value', 'float32', [1, 256, 'N']);

  const T = (x: string): string => g.op1('Transpose', [x], { perm: attr.ints([0, 2, 1]) });
  // Expanded form, same association as the official code (spec §4.4), laid out [1, Q, N] so that TopK
  // runs on the last axis.
  const qeT = T(qe); // [1,Q,64]
  const aSq = g.op1('MatMul', [qeT, l.mul(mk, mk)]); // Σ_c qe·mk²
  const twoAb = l.mul(g.constF32([2], []), g.op1('MatMul', [T(l.mul(qk, qe)), mk])); // 2·Σ_c mk·qk·qe
  const bSq = T(g.op1('ReduceSum', [l.mul(qe, l.mul(qk, qk)), g.constI64([1])], { keepdims: attr.int(1) })); // [1,Q,1]
  const similarity = l.div(l.mul(l.sub(l.sub(twoAb, aSq), bSq), ms), g.constF32([8], [])); // ·ms / sqrt(64)

  const [top, indices] = g.op('TopK', [similarity, g.constI64([TOP_K])], { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) }, 2);
  const e = g.op1('Exp', [top]);
  const weights = l.div(e, g.op1('ReduceSum', [e, g.constI64([-1])], { keepdims: attr.int(1) })); // [1,Q,30]

  // Σ_k weight[k] · value[:, idx[k]], as a batched [1,30]×[30,256] product per query token.
  const valueRows = g.op1('Squeeze', [T(mv), g.constI64([0])]); // [N,256]
  const gathered = g.op1('Gather', [valueRows, g.op1('Squeeze', [indices, g.constI64([0])])], { axis: attr.int(0) }); // [Q,30,256]
  const weightRows = g.op1('Unsqueeze', [g.op1('Squeeze', [weights, g.constI64([0])]), g.constI64([1])]); // [Q,1,30]
  const readout = g.op1('MatMul', [weightRows, gathered]); // [Q,1,256]
  const out = g.op1('Transpose', [readout], { perm: attr.ints([1, 2, 0]) }); // [1,256,Q]
  g.output(out, 'visual_readout', 'float32', [1, 256, 'Q']);
  return g;
}
