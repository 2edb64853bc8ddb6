import { attr } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { sinePositionalEncoding } from './positional-encoding';

const P = 'object_transformer';
const NUM_QUERIES = 16;
const NUM_HEADS = 8;
const EMBED = 256;
const NUM_BLOCKS = 3;

/**
 * nn.MultiheadAttention(256, 8, batch_first) as in the PyTorch version of the fixture: q/k/v projections
 * from the packed in_proj, q divided by √32 before q·kᵀ, the additive mask (0 / −∞) added, softmax, out_proj.
 * q `[1,Lq,256]`, k and v `[1,Lk,256]`, mask `[1,1,Lq,Lk]` or none.
 */
function multiHeadAttention(l: Layers, prefix: string, q: string, k: string, v: string, mask?: string): string {
  const g = l.g;
  const inW = l.w.get(`${prefix}.in_proj_weight`).data;
  const inB = l.w.get(`${prefix}.in_proj_bias`).data;
  const project = (x: string, part: number, name: string): string =>
    l.dense(x, `${prefix}.${name}`, inW.subarray(part * EMBED * EMBED, (part + 1) * EMBED * EMBED), EMBED, EMBED, inB.subarray(part * EMBED, (part + 1) * EMBED));
  const heads = (x: string, perm: number[]): string =>
    g.op1('Transpose', [g.op1('Reshape', [x, g.constI64([0, 0, NUM_HEADS, EMBED / NUM_HEADS])])], { perm: attr.ints(perm) });

  const qh = heads(l.div(project(q, 0, 'q_proj'), g.constF32([Math.sqrt(EMBED / NUM_HEADS)], [])), [0, 2, 1, 3]); // [1,8,Lq,32]
  const kh = heads(project(k, 1, 'k_proj'), [0, 2, 3, 1]); // [1,8,32,Lk]
  const vh = heads(project(v, 2, 'v_proj'), [0, 2, 1, 3]); // [1,8,Lk,32]
  let scores = g.op1('MatMul', [qh, kh]);
  if (mask) scores = l.add(mask, scores);
  const attn = g.op1('MatMul', [g.op1('Softmax', [scores], { axis: attr.int(-1) }), vh]); // [1,8,Lq,32]
  const merged = g.op1('Reshape', [g.op1('Transpose', [attn], { perm: attr.ints([0, 2, 1, 3]) }), g.constI64([0, 0, EMBED])]);
  return l.linear(merged, `${prefix}.out_proj`);
}

/**
 * The attention mask of `_get_aux_mask` (spec §1.10) from aux logits `[1,1,h,w]`: `[1,1,16,HW]`, 0 where a
 * query may attend, −∞ where blocked. Queries 0–7 see foreground pixels, 8–15 background pixels; a row
 * that would see nothing sees everything. Foreground is decided through the official clamp/logit sequence.
 */
function attentionMask(l: Layers, logits: string): string {
  return l.g.float32Island(() => attentionMaskFloat32(l, logits)); // `aggregate` is float32 in the official code
}

function attentionMaskFloat32(l: Layers, logits: string): string {
  const g = l.g;
  const p = l.sigmoid(g.op1('Reshape', [logits, g.constI64([1, -1])])); // [1,HW]
  const lo = g.constF32([1e-7], []);
  const hi = g.constF32([1 - 1e-7], []);
  const one = g.constF32([1], []);
  const logit = (x: string): string => {
    const c = g.op1('Clip', [x, lo, hi]);
    return g.op1('Log', [l.div(c, l.sub(one, c))]);
  };
  const fg = g.op1('GreaterOrEqual', [logit(p), logit(l.sub(one, p))]);
  const bg = g.op1('Not', [fg]);
  const any = (b: string): string =>
    g.op1('Cast', [g.op1('ReduceMax', [g.op1('Cast', [b], { to: attr.int(1) })], { keepdims: attr.int(1) })], { to: attr.int(9) });
  const negInf = g.constF32([-Infinity], []);
  const zero = g.constF32([0], []);
  const rows = (blocked: string): string => {
    const additive = g.op1('Where', [blocked, negInf, zero]); // [1,HW]
    return g.op1('Expand', [g.op1('Unsqueeze', [additive, g.constI64([1])]), g.constI64([1, NUM_QUERIES / 2, 1])]);
  };
  const mask = l.concat([rows(g.op1('And', [bg, any(fg)])), rows(g.op1('And', [fg, any(bg)]))], 1); // [1,16,HW]
  return g.op1('Unsqueeze', [mask, g.constI64([1])]);
}

/** mask_pred[i]: ReLU then a 1×1 conv to one logit per pixel, on the NCHW pixel state. */
function auxLogits(l: Layers, pixel: string, i: number): string {
  return l.conv(l.relu(pixel), `${P}.mask_pred.${i}.1`);
}

/**
 * QueryTransformer (spec §1.10): 16 object queries initialised from the object memory read the pixel
 * readout through three blocks. Returns the pixel state after the last block, `[1,256,h,w]`.
 *
 * @param pixelReadout - the pixel fuser output X `[1,256,h,w]`
 * @param objMemory - accumulated object summaries `[1,16,257]` (sums | area)
 */
export function objectTransformer(l: Layers, pixelReadout: string, objMemory: string): string {
  const g = l.g;
  const sums = g.op1('Slice', [objMemory, g.constI64([0]), g.constI64([EMBED]), g.constI64([2])]);
  const area = g.op1('Slice', [objMemory, g.constI64([EMBED]), g.constI64([EMBED + 1]), g.constI64([2])]);
  // The object memory is a running sum over the whole clip: normalise it before anything goes to float16.
  const objValues = g.float32Island(() => l.div(sums, l.add(area, g.constF32([1e-4], []))));
  const table = (name: string): string => {
    const t = l.w.get(`${P}.${name}.weight`);
    return g.initializer(`${P}.${name}.weight`, 'float32', t.shape, t.data);
  };
  let query = l.add(table('query_init'), l.linear(objValues, `${P}.summary_to_query_init`)); // [1,16,256]
  const queryPe = l.add(table('query_emb'), l.linear(objValues, `${P}.summary_to_query_emb`));

  let pixel = l.conv(pixelReadout, `${P}.pixel_init_proj`); // NCHW pixel state
  const pixelEmb = l.toTokens(l.conv(pixelReadout, `${P}.pixel_emb_proj`), EMBED);
  const pixelPe = l.add(sinePositionalEncoding(l, pixelReadout, `${P}.spatial_pe.inv_freq`), pixelEmb); // [1,HW,256]

  let mask = attentionMask(l, auxLogits(l, pixel, 0));
  for (let i = 0; i < NUM_BLOCKS; i++) {
    const b = `${P}.blocks.${i}`;
    let pixelTokens = l.toTokens(pixel, EMBED);
    // read_from_pixel: the residual starts from the normalised query (spec §1.13).
    let qn = l.layerNorm(query, `${b}.read_from_pixel.norm`);
    query = l.add(qn, multiHeadAttention(l, `${b}.read_from_pixel.cross_attn`, l.add(qn, queryPe), l.add(pixelTokens, pixelPe), pixelTokens, mask));
    qn = l.layerNorm(query, `${b}.self_attn.norm`);
    const qWithPe = l.add(qn, queryPe);
    query = l.add(qn, multiHeadAttention(l, `${b}.self_attn.self_attn`, qWithPe, qWithPe, qn));
    const ffn = l.linear(l.relu(l.linear(l.layerNorm(query, `${b}.ffn.norm`), `${b}.ffn.linear1`)), `${b}.ffn.linear2`);
    query = l.add(query, ffn);
    // read_from_query: no LayerNorm; pixels attend to the queries.
    pixelTokens = l.add(pixelTokens, multiHeadAttention(l, `${b}.read_from_query.cross_attn`, l.add(pixelTokens, pixelPe), l.add(query, queryPe), query));
    pixel = l.caResBlock(l.fromTokens(pixelTokens, EMBED, pixelReadout), `${b}.pixel_ffn.conv`);
    if (i < NUM_BLOCKS - 1) mask = attentionMask(l, auxLogits(l, pixel, i + 1)); // mask_pred[3] is never used
  }
  return pixel;
}
