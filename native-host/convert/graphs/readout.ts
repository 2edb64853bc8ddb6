import { OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { objectTransformer } from './object-transformer';
import { WeightSource } from './weights';

/** UncertPred `temp_sparity` (spec §1.8): change logits `[1,1,h,w]` at stride 16. */
function changeLogits(l: Layers, lastPixFeat: string, pixFeat: string, lastMask: string, memValDiff: string): string {
  const x = l.concat([lastPixFeat, pixFeat, l.avgPool(lastMask, 16), memValDiff], 1); // 769 channels
  const y = l.relu(l.conv(x, 'temp_sparity.conv1x1_v2', { bn: 'temp_sparity.bn1' }));
  const z = l.relu(l.conv(y, 'temp_sparity.conv3x3', { bn: 'temp_sparity.bn2' }));
  return l.conv(z, 'temp_sparity.conv3x3_out');
}

/** PixelFeatureFuser (spec §1.9): fuser(pix_feat, R + sensory_compress([S; pool16(last_mask)])). */
function pixelFusion(l: Layers, pixFeat: string, readout: string, sensory: string, lastMask: string): string {
  const sensoryReadout = l.conv(l.concat([sensory, l.avgPool(lastMask, 16)], 1), 'pixel_fuser.sensory_compress');
  return l.featureFusion(pixFeat, l.add(readout, sensoryReadout), 'pixel_fuser.fuser');
}

function declareCommonInputs(g: OnnxGraph) {
  return {
    pixFeat: g.input('pix_feat', 'float32', [1, 256, 'h', 'w']),
    lastMask: g.input('last_mask', 'float32', [1, 1, 'H', 'W']),
    lastMskValue: g.input('last_msk_value', 'float32', [1, 256, 'h', 'w']),
    sensory: g.input('sensory', 'float32', [1, 256, 'h', 'w']),
    objMemory: g.input('obj_memory', 'float32', [1, 16, 257]),
  };
}

/**
 * G4 `readout` for a propagated frame (spec §3.5): the change probability U, the region-adaptive fusion
 * V_mem·U + V_prev·(1−U), the pixel fuser and the object transformer.
 *
 * in  pix_feat, last_pix_feat, last_msk_value, sensory, visual_readout [1,256,h,w]; last_mask [1,1,H,W];
 *     obj_memory [1,16,257]
 * out mem_readout [1,256,h,w], pixel_readout [1,256,h,w], uncert_logits / uncert_prob [1,1,h,w]
 */
export function buildReadout(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('readout');
  const l = new Layers(g, w);
  const { pixFeat, lastMask, lastMskValue, sensory, objMemory } = declareCommonInputs(g);
  const lastPixFeat = g.input('last_pix_feat', 'float32', [1, 256, 'h', 'w']);
  const visual = g.input('visual_readout', 'float32', [1, 256, 'h', 'w']);
  const logits = changeLogits(l, lastPixFeat, pixFeat, lastMask, l.sub(visual, lastMskValue));
  const u = l.sigmoid(logits);
  const fused = l.add(l.mul(visual, u), l.mul(lastMskValue, l.sub(g.constF32([1], []), u)));
  const pixelReadout = pixelFusion(l, pixFeat, fused, sensory, lastMask);
  g.output(objectTransformer(l, pixelReadout, objMemory), 'mem_readout', 'float32', [1, 256, 'h', 'w']);
  g.output(pixelReadout, 'pixel_readout', 'float32', [1, 256, 'h', 'w']);
  g.output(logits, 'uncert_logits', 'float32', [1, 1, 'h', 'w']);
  g.output(u, 'uncert_prob', 'float32', [1, 1, 'h', 'w']);
  return g;
}

/**
 * G4 variant `readout_first` for first-frame predictions (spec §3.6): no memory read and no change head,
 * the fuser receives the previous mask value directly.
 *
 * in  pix_feat, last_msk_value, sensory [1,256,h,w]; last_mask [1,1,H,W]; obj_memory [1,16,257]
 * out mem_readout [1,256,h,w], pixel_readout [1,256,h,w]
 */
export function buildReadoutFirst(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('readout_first');
  const l = new Layers(g, w);
  const { pixFeat, lastMask, lastMskValue, sensory, objMemory } = declareCommonInputs(g);
  const pixelReadout = pixelFusion(l, pixFeat, lastMskValue, sensory, lastMask);
  g.output(objectTransformer(l, pixelReadout, objMemory), 'mem_readout', 'float32', [1, 256, 'h', 'w']);
  g.output(pixelReadout, 'pixel_readout', 'float32', [1, 256, 'h', 'w']);
  return g;
}
