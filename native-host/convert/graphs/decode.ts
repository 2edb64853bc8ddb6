import { OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { WeightSource } from './weights';

const P = 'mask_decoder';

/** GroupResBlock (spec §1.1): conv2(relu(conv1(relu(x)))) + shortcut, the shortcut a 1×1 conv when in ≠ out. */
function groupResBlock(l: Layers, x: string, prefix: string): string {
  const y = l.conv(l.relu(l.conv(l.relu(x), `${prefix}.conv1`)), `${prefix}.conv2`);
  const shortcut = l.w.has(`${prefix}.downsample.weight`) ? l.conv(x, `${prefix}.downsample`) : x;
  return l.add(y, shortcut);
}

/** MaskUpsampleBlock: ×2 bilinear upsampling, add the projected skip feature, GroupResBlock. */
function upBlock(l: Layers, x: string, skip: string, name: string): string {
  return groupResBlock(l, l.add(skip, l.upsample2(x)), `${P}.${name}.out_conv`);
}

/**
 * G5 `decode` (spec §1.11, matting branch): the mask decoder, its matting head and the full-scale sensory
 * update. The alpha is the clamped linear head output (no sigmoid).
 *
 * in  image [1,3,H,W] (padded RGB in [0,1]), f8 [1,512,H/8,W/8], f4 [1,256,H/4,W/4], f2 [1,64,H/2,W/2],
 *     mem_readout [1,256,h,w], sensory [1,256,h,w]
 * out alpha [1,1,H,W] in [0,1], logits [1,1,H,W] (unclamped), new_sensory [1,256,h,w]
 */
export function buildDecode(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('decode');
  const l = new Layers(g, w);
  const image = g.input('image', 'float32', [1, 3, 'H', 'W']);
  const f8 = g.input('f8', 'float32', [1, 512, 'h8', 'w8']);
  const f4 = g.input('f4', 'float32', [1, 256, 'h4', 'w4']);
  const f2 = g.input('f2', 'float32', [1, 64, 'h2', 'w2']);
  const p16 = g.input('mem_readout', 'float32', [1, 256, 'h', 'w']);
  const sensory = g.input('sensory', 'float32', [1, 256, 'h', 'w']);

  // decoder_feat_proc: 1×1 projections of the skips; f1 is the normalised image (spec §1.13).
  const s8 = l.conv(f8, `${P}.decoder_feat_proc.transforms.0`);
  const s4 = l.conv(f4, `${P}.decoder_feat_proc.transforms.1`);
  const s2 = l.conv(f2, `${P}.decoder_feat_proc.transforms.2`);
  const s1 = l.conv(l.normalizeImage(image), `${P}.decoder_feat_proc.transforms.3`);

  const p8 = upBlock(l, p16, s8, 'up_16_8');
  const p4 = upBlock(l, p8, s4, 'up_8_4');
  const p2 = upBlock(l, p4, s2, 'up_4_2');
  const p1 = upBlock(l, p2, s1, 'up_2_1');
  const logits = g.float32Island(() => l.conv(l.relu(p1), `${P}.pred_mat`)); // fp32 in the official code
  const alpha = g.op1('Clip', [logits, g.constF32([0], []), g.constF32([1], [])]);

  // SensoryUpdater_fullscale: the pre-ReLU p1 and the unclamped logits feed the update.
  const u = `${P}.sensory_update`;
  let s = l.conv(p16, `${u}.g16_conv`);
  s = l.add(s, l.conv(l.avgPool(p8, 2), `${u}.g8_conv`));
  s = l.add(s, l.conv(l.avgPool(p4, 4), `${u}.g4_conv`));
  s = l.add(s, l.conv(l.avgPool(p2, 8), `${u}.g2_conv`));
  s = l.add(s, l.conv(l.avgPool(l.concat([p1, logits], 1), 16), `${u}.g1_conv`));
  const newSensory = l.sensoryGru(s, sensory, u);

  g.output(alpha, 'alpha', 'float32', [1, 1, 'H', 'W']);
  g.output(logits, 'logits', 'float32', [1, 1, 'H', 'W']);
  g.output(newSensory, 'new_sensory', 'float32', [1, 256, 'h', 'w']);
  return g;
}
