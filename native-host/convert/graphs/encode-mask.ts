import { attr, OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { sinePositionalEncoding } from './positional-encoding';
import { basicBlock, stage, stemMaxPool } from './resnet';
import { WeightSource } from './weights';

const NUM_SUMMARIES = 16;

/** The mask encoder's value V `[1,256,h,w]` (spec §1.5): ResNet-18 on [image; mask], fused with pix_feat. */
function maskValue(l: Layers, image: string, pixFeat: string, mask: string): string {
  const stemIn = l.concat([l.normalizeImage(image), mask], 1);
  // conv1 → bn1 → maxpool → relu, in the official order (relu and maxpool commute).
  let x = l.relu(stemMaxPool(l, l.conv(stemIn, 'mask_encoder.conv1', { bn: 'mask_encoder.bn1', stride: 2, pad: 3 })));
  x = stage(l, x, 'mask_encoder.layer1', 2, 1, basicBlock);
  x = stage(l, x, 'mask_encoder.layer2', 2, 2, basicBlock);
  x = stage(l, x, 'mask_encoder.layer3', 2, 2, basicBlock);
  return l.featureFusion(pixFeat, x, 'mask_encoder.fuser');
}

/**
 * ObjectSummarizer (spec §1.6): 8 foreground and 8 background summaries of V weighted by σ(logits)·mask,
 * `[1,16,257]` = 256 weighted sums | area.
 */
function objectSummary(l: Layers, value: string, mask: string): string {
  // float32 in the official code; the sums also outgrow float16 on large frames.
  return l.g.float32Island(() => objectSummaryFloat32(l, value, mask));
}

function objectSummaryFloat32(l: Layers, value: string, mask: string): string {
  const g = l.g;
  const m16 = l.toTokens(l.avgPool(mask, 16), 1); // [1,HW,1]
  const inv = l.sub(g.constF32([1], []), m16);
  const repeated = l.concat([...Array(NUM_SUMMARIES / 2).fill(m16), ...Array(NUM_SUMMARIES / 2).fill(inv)], 2); // [1,HW,16]
  const tokens = l.add(l.linear(l.toTokens(value, 256), 'object_summarizer.input_proj'), sinePositionalEncoding(l, value, 'object_summarizer.pos_enc.inv_freq'));
  const feature = l.linear(l.relu(l.linear(tokens, 'object_summarizer.feature_pred.0')), 'object_summarizer.feature_pred.2'); // [1,HW,256]
  const logits = l.linear(l.relu(l.linear(tokens, 'object_summarizer.weights_pred.0')), 'object_summarizer.weights_pred.2'); // [1,HW,16]
  const weights = l.mul(l.sigmoid(logits), repeated);
  const sums = g.op1('MatMul', [g.op1('Transpose', [weights], { perm: attr.ints([0, 2, 1]) }), feature]); // [1,16,256]
  const area = g.op1('ReduceSum', [weights, g.constI64([1])], { keepdims: attr.int(1) }); // [1,1,16]
  return l.concat([sums, g.op1('Transpose', [area], { perm: attr.ints([0, 2, 1]) })], 2);
}

/**
 * G2 `encode_mask` (spec §1.5–1.6): mask value, deep sensory update and object summary, as on memory frames.
 *
 * in  image [1,3,H,W] (padded RGB in [0,1]), pix_feat [1,256,h,w], sensory [1,256,h,w], mask [1,1,H,W] in [0,1]
 * out mask_value [1,256,h,w], new_sensory [1,256,h,w], obj_summary [1,16,257]
 */
export function buildEncodeMask(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('encode_mask');
  const l = new Layers(g, w);
  const image = g.input('image', 'float32', [1, 3, 'H', 'W']);
  const pixFeat = g.input('pix_feat', 'float32', [1, 256, 'h', 'w']);
  const sensory = g.input('sensory', 'float32', [1, 256, 'h', 'w']);
  const mask = g.input('mask', 'float32', [1, 1, 'H', 'W']);
  const value = maskValue(l, image, pixFeat, mask);
  const newSensory = l.sensoryGru(value, sensory, 'mask_encoder.sensory_update');
  const summary = objectSummary(l, value, mask);
  g.output(value, 'mask_value', 'float32', [1, 256, 'h', 'w']);
  g.output(newSensory, 'new_sensory', 'float32', [1, 256, 'h', 'w']);
  g.output(summary, 'obj_summary', 'float32', [1, NUM_SUMMARIES, 257]);
  return g;
}

/**
 * `encode_mask_value`: the value-only variant used on non-memory frames (spec §3.3 step 9), without the GRU
 * and the summariser. in image, pix_feat, mask; out mask_value.
 */
export function buildEncodeMaskValue(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('encode_mask_value');
  const l = new Layers(g, w);
  const image = g.input('image', 'float32', [1, 3, 'H', 'W']);
  const pixFeat = g.input('pix_feat', 'float32', [1, 256, 'h', 'w']);
  const mask = g.input('mask', 'float32', [1, 1, 'H', 'W']);
  g.output(maskValue(l, image, pixFeat, mask), 'mask_value', 'float32', [1, 256, 'h', 'w']);
  return g;
}
