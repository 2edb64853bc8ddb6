import { OnnxGraph } from '../onnx/onnx-graph';
import { Layers } from './layers';
import { bottleneck, stage, stemMaxPool } from './resnet';
import { WeightSource } from './weights';

/**
 * G1 `encode_frame` (spec §1.2–1.4): the ResNet-50 frame encoder, the pixel-feature projection and the
 * key projection, for one zero-padded frame.
 *
 * in  image [1,3,H,W] f32 RGB in [0,1], H and W multiples of 16
 * out f16 [1,1024,h,w], f8 [1,512,H/8,W/8], f4 [1,256,H/4,W/4], f2 [1,64,H/2,W/2],
 *     pix_feat [1,256,h,w], key [1,64,h,w], shrinkage [1,1,h,w], selection [1,64,h,w]   (h = H/16)
 */
export function buildEncodeFrame(w: WeightSource): OnnxGraph {
  const g = new OnnxGraph('encode_frame');
  const l = new Layers(g, w);
  const image = g.input('image', 'float32', [1, 3, 'H', 'W']);
  const x = l.normalizeImage(image);

  const f2 = l.relu(l.conv(x, 'pixel_encoder.conv1', { bn: 'pixel_encoder.bn1', stride: 2, pad: 3 }));
  const f4 = stage(l, stemMaxPool(l, f2), 'pixel_encoder.res2', 3, 1, bottleneck);
  const f8 = stage(l, f4, 'pixel_encoder.layer2', 4, 2, bottleneck);
  const f16 = stage(l, f8, 'pixel_encoder.layer3', 6, 2, bottleneck);

  const pixFeat = l.conv(f16, 'pix_feat_proj');
  // The key projection has its own 1×1 projection of f16 (spec §1.13).
  const t = l.conv(f16, 'key_proj.pix_feat_proj');
  const key = l.conv(t, 'key_proj.key_proj');
  const d = l.conv(t, 'key_proj.d_proj');
  const shrinkage = l.add(l.mul(d, d), g.constF32([1], []));
  const selection = l.sigmoid(l.conv(t, 'key_proj.e_proj'));

  g.output(f16, 'f16', 'float32', [1, 1024, 'h', 'w']);
  g.output(f8, 'f8', 'float32', [1, 512, 'h8', 'w8']);
  g.output(f4, 'f4', 'float32', [1, 256, 'h4', 'w4']);
  g.output(f2, 'f2', 'float32', [1, 64, 'h2', 'w2']);
  g.output(pixFeat, 'pix_feat', 'float32', [1, 256, 'h', 'w']);
  g.output(key, 'key', 'float32', [1, 64, 'h', 'w']);
  g.output(shrinkage, 'shrinkage', 'float32', [1, 1, 'h', 'w']);
  g.output(selection, 'selection', 'float32', [1, 64, 'h', 'w']);
  return g;
}
