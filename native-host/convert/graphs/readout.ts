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

/**
 * G4 `readout` (spec §3.5, §3.6): the pixel fuser and the object transformer, fed on a propagated frame
 * (`use_memory` true) with the region-adaptive fusion V_mem·U + V_prev·(1−U) of the memory readout and the
 * previous value by the change probability U; on a first-frame prediction (`use_memory` false) with the
 * previous value V_prev itself, selected bit-exactly (the change head's result is then unused).
 *
 * in  pix_feat, last_pix_feat, last_msk_value (V_prev), sensory, visual_readout (V_mem) [1,256,h,w];
 *     last_mask [1,1,H,W]; obj_memory [1,16,257]; use_memory bool []
 * out mem_readout [1,256,h,w], pixel_readout [1,256,h,w], uncert_logits / uncert_prob [1,1,h,w]
 */
export function buildReadout(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('readout');
  const l = new Layers(g, w);
  const pixFeat = g.input('pix_feat', 'float32', [1, 256, 'h', 'w']);
  const lastPixFeat = g.input('last_pix_feat', 'float32', [1, 256, 'h', 'w']);
  const lastMask = g.input('last_mask', 'float32', [1, 1, 'H', 'W']);
  const visual = g.input('visual_readout', 'float32', [1, 256, 'h', 'w']);
  const lastMskValue = g.input('last_msk_value', 'float32', [1, 256, 'h', 'w']);
  const sensory = g.input('sensory', 'float32', [1, 256, 'h', 'w']);
  const objMemory = g.input('obj_memory', 'float32', [1, 16, 257]);
  const useMemory = g.input('use_memory', 'bool', []);

  const logits = changeLogits(l, lastPixFeat, pixFeat, lastMask, l.sub(visual, lastMskValue));
  const u = l.sigmoid(logits);
  const fused = l.add(l.mul(visual, u), l.mul(lastMskValue, l.sub(g.constF32([1], []), u)));
  const readout = g.op1('Where', [useMemory, fused, lastMskValue]);
  const pixelReadout = pixelFusion(l, pixFeat, readout, sensory, lastMask);
  g.output(objectTransformer(l, pixelReadout, objMemory), 'mem_readout', 'float32', [1, 256, 'h', 'w']);
  g.output(pixelReadout, 'pixel_readout', 'float32', [1, 256, 'h', 'w']);
  g.output(logits, 'uncert_logits', 'float32', [1, 1, 'h', 'w']);
  g.output(u, 'uncert_prob', 'float32', [1, 1, 'h', 'w']);
  return g;
}
