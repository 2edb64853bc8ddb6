import { attr } from '../onnx/onnx-graph';
import { Layers } from './layers';

/** 3×3 max pooling, stride 2, padding 1 (the ResNet stem; padding acts as −∞). */
export function stemMaxPool(l: Layers, x: string): string {
  return l.g.op1('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) });
}

/** torchvision v1.5 Bottleneck (stride on the 3×3), BN folded; block 0 of a stage has a projection shortcut. */
export function bottleneck(l: Layers, x: string, prefix: string, stride: number): string {
  let y = l.relu(l.conv(x, `${prefix}.conv1`, { bn: `${prefix}.bn1` }));
  y = l.relu(l.conv(y, `${prefix}.conv2`, { bn: `${prefix}.bn2`, stride }));
  y = l.conv(y, `${prefix}.conv3`, { bn: `${prefix}.bn3` });
  const shortcut = l.w.has(`${prefix}.downsample.0.weight`)
    ? l.conv(x, `${prefix}.downsample.0`, { bn: `${prefix}.downsample.1`, stride })
    : x;
  return l.relu(l.add(y, shortcut));
}

/** torchvision BasicBlock (two 3×3 convs), BN folded; a projection shortcut where the checkpoint has one. */
export function basicBlock(l: Layers, x: string, prefix: string, stride: number): string {
  let y = l.relu(l.conv(x, `${prefix}.conv1`, { bn: `${prefix}.bn1`, stride }));
  y = l.conv(y, `${prefix}.conv2`, { bn: `${prefix}.bn2` });
  const shortcut = l.w.has(`${prefix}.downsample.0.weight`)
    ? l.conv(x, `${prefix}.downsample.0`, { bn: `${prefix}.downsample.1`, stride })
    : x;
  return l.relu(l.add(y, shortcut));
}

/** A ResNet stage: `blocks` blocks named `${prefix}.0…`, the first one strided. */
export function stage(l: Layers, x: string, prefix: string, blocks: number, stride: number, block: typeof bottleneck): string {
  let y = x;
  for (let i = 0; i < blocks; i++) y = block(l, y, `${prefix}.${i}`, i === 0 ? stride : 1);
  return y;
}
