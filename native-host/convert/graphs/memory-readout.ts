import { attr, OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { WeightSource } from './weights';

/** top_k of the official config. */
export const TOP_K = 30;

/**
 * The anisotropic L2 similarity of spec §1.7 in its expanded form, with the official association order
 * (§4.4): `((2·Σ mk·qk·qe − Σ qe·mk²) − Σ qe·qk²) · ms / √64`, laid out `[1, Q, N]` (query tokens × memory
 * tokens) so that reductions over the memory run on the last axis.
 */
function similarity(l: Layers, mk: string, ms: string, qk: string, qe: string): string {
  const g = l.g;
  const T = (x: string): string => g.op1('Transpose', [x], { perm: attr.ints([0, 2, 1]) });
  const aSq = g.op1('MatMul', [T(qe), l.mul(mk, mk)]); // Σ_c qe·mk²
  const twoAb = l.mul(g.constF32([2], []), g.op1('MatMul', [T(l.mul(qk, qe)), mk])); // 2·Σ_c mk·qk·qe
  const bSq = T(g.op1('ReduceSum', [l.mul(qe, l.mul(qk, qk)), g.constI64([1])], { keepdims: attr.int(1) })); // [1,Q,1]
  return l.div(l.mul(l.sub(l.sub(twoAb, aSq), bSq), ms), g.constF32([8], []));
}

/**
 * G3 `memory_readout` (spec §1.7): similarity between the query tokens and the memory tokens, top-30 softmax
 * per query token (no max subtraction, as the official code), weighted sum of memory values; and the
 * per-memory-token usage (affinity summed over the queries) that long-term memory counts (§3.9).
 * Parameter-free; query tokens may be chunked (top-k is per token).
 *
 * in  query_key [1,64,Q], query_selection [1,64,Q], mem_key [1,64,N], mem_shrinkage [1,1,N], mem_value [1,256,N]
 *     (N ≥ 30; token order: long-term tokens, the permanent frame, temporary frames oldest → newest)
 * out visual_readout [1,256,Q], usage [1,N]
 */
export function buildMemoryReadout(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('memory_readout');
  const l = new Layers(g, w);
  return g.float32Island(() => {
    const qk = g.input('query_key', 'float32', [1, 64, 'Q']);
    const qe = g.input('query_selection', 'float32', [1, 64, 'Q']);
    const mk = g.input('mem_key', 'float32', [1, 64, 'N']);
    const ms = g.input('mem_shrinkage', 'float32', [1, 1, 'N']);
    const mv = g.input('mem_value', 'float32', [1, 256, 'N']);

    const sim = similarity(l, mk, ms, qk, qe);
    const [top, indices] = g.op('TopK', [sim, g.constI64([TOP_K])], { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) }, 2);
    const e = g.op1('Exp', [top]);
    const weights = l.div(e, g.op1('ReduceSum', [e, g.constI64([-1])], { keepdims: attr.int(1) })); // [1,Q,30]

    // Σ_k weight[k] · value[:, idx[k]], as a batched [1,30]×[30,256] product per query token. The int64
    // indices go straight into Gather and ScatterElements: GPU providers run no other op on int64 tensors
    // (onnxruntime would place a Squeeze or Reshape of them on the CPU).
    const T = (x: string): string => g.op1('Transpose', [x], { perm: attr.ints([0, 2, 1]) });
    const valueRows = g.op1('Squeeze', [T(mv), g.constI64([0])]); // [N,256]
    const gathered = g.op1('Gather', [valueRows, indices], { axis: attr.int(0) }); // [1,Q,30,256]
    const weightRows = g.op1('Unsqueeze', [weights, g.constI64([2])]); // [1,Q,1,30]
    const readout = g.op1('Squeeze', [g.op1('MatMul', [weightRows, gathered]), g.constI64([0])]); // [Q,1,256]
    g.output(g.op1('Transpose', [readout], { perm: attr.ints([1, 2, 0]) }), 'visual_readout', 'float32', [1, 256, 'Q']);

    // usage[n] = Σ_q affinity[q, n]: the top-k weights scattered into the dense [1,Q,N] affinity (the
    // official layout), summed over the queries. sim·0 is that shape's zeros (sim is finite).
    const zeros = l.mul(sim, g.constF32([0], []));
    const affinity = g.op1('ScatterElements', [zeros, indices, weights], { axis: attr.int(2) });
    const usage = g.op1('ReduceSum', [affinity, g.constI64([1])], { keepdims: attr.int(0) });
    g.output(usage, 'usage', 'float32', [1, 'N']);
    return g;
  });
}

/**
 * `memory_consolidate` (spec §3.9, long-term memory): prototypes chosen among candidate memory tokens read
 * the candidates through a full softmax (max-subtracted, no top-k) of the same similarity, which re-estimates
 * their values and shrinkages.
 *
 * in  cand_key [1,64,N], cand_shrinkage [1,1,N], cand_value [1,256,N], proto_key [1,64,P], proto_selection [1,64,P]
 * out proto_value [1,256,P], proto_shrinkage [1,1,P]
 */
export function buildMemoryConsolidate(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('memory_consolidate');
  const l = new Layers(g, w);
  return g.float32Island(() => {
    const mk = g.input('cand_key', 'float32', [1, 64, 'N']);
    const ms = g.input('cand_shrinkage', 'float32', [1, 1, 'N']);
    const mv = g.input('cand_value', 'float32', [1, 256, 'N']);
    const pk = g.input('proto_key', 'float32', [1, 64, 'P']);
    const pe = g.input('proto_selection', 'float32', [1, 64, 'P']);
    const affinity = g.op1('Softmax', [similarity(l, mk, ms, pk, pe)], { axis: attr.int(-1) }); // [1,P,N]
    const affinityT = g.op1('Transpose', [affinity], { perm: attr.ints([0, 2, 1]) }); // [1,N,P]
    g.output(g.op1('MatMul', [mv, affinityT]), 'proto_value', 'float32', [1, 256, 'P']);
    g.output(g.op1('MatMul', [ms, affinityT]), 'proto_shrinkage', 'float32', [1, 1, 'P']);
    return g;
  });
}
