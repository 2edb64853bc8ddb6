import { OnnxGraph, attr } from '../onnx/onnx-graph';
import { WeightSource } from './weights';

/** BatchNorm epsilon of every BatchNorm2d in the network. */
const BN_EPS = 1e-5;

export interface ConvOptions {
  stride?: number;
  /** symmetric padding; defaults to (k - 1) / 2 */
  pad?: number;
  /** prefix of a BatchNorm2d that follows the conv, folded into its weights */
  bn?: string;
}

/**
 * Network building blocks on top of OnnxGraph, reading weights by their official names. Tensors are
 * NCHW `[1, C, H, W]` unless a helper says otherwise; tokens are `[1, N, C]`.
 */
export class Layers {
  constructor(
    readonly g: OnnxGraph,
    readonly w: WeightSource,
  ) {}

  /** Conv2d `${prefix}.weight` (+ `.bias` if present), with an optional BatchNorm folded in (spec §5). */
  conv(x: string, prefix: string, opts: ConvOptions = {}): string {
    const weight = this.w.get(`${prefix}.weight`);
    const [outC, , kh, kw] = weight.shape;
    const hasBias = this.w.has(`${prefix}.bias`);
    let wData = weight.data;
    let bData: Float32Array | undefined = hasBias ? this.w.get(`${prefix}.bias`).data : undefined;
    if (opts.bn) {
      const gamma = this.w.get(`${opts.bn}.weight`).data;
      const beta = this.w.get(`${opts.bn}.bias`).data;
      const mean = this.w.get(`${opts.bn}.running_mean`).data;
      const variance = this.w.get(`${opts.bn}.running_var`).data;
      const perOut = wData.length / outC;
      const folded = new Float32Array(wData.length);
      const bias = new Float32Array(outC);
      for (let o = 0; o < outC; o++) {
        const scale = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
        for (let i = 0; i < perOut; i++) folded[o * perOut + i] = wData[o * perOut + i] * scale;
        bias[o] = beta[o] + ((bData ? bData[o] : 0) - mean[o]) * scale;
      }
      wData = folded;
      bData = bias;
    }
    const inputs = [x, this.g.initializer(`${prefix}.weight`, 'float32', weight.shape, wData)];
    if (bData) inputs.push(this.g.initializer(`${prefix}.bias`, 'float32', [outC], bData));
    const pad = opts.pad ?? (kh - 1) / 2;
    const stride = opts.stride ?? 1;
    return this.g.op1('Conv', inputs, {
      kernel_shape: attr.ints([kh, kw]),
      pads: attr.ints([pad, pad, pad, pad]),
      strides: attr.ints([stride, stride]),
    });
  }

  /** nn.Linear over the last axis: x @ W^T + b, for x `[..., in]`. */
  linear(x: string, prefix: string): string {
    const weight = this.w.get(`${prefix}.weight`);
    const bias = this.w.has(`${prefix}.bias`) ? this.w.get(`${prefix}.bias`).data : undefined;
    return this.dense(x, prefix, weight.data, weight.shape[0], weight.shape[1], bias);
  }

  /** x @ W^T + b with W `[outF, inF]` row-major (a slice of a packed weight, such as MHA in_proj). */
  dense(x: string, name: string, weight: Float32Array, outF: number, inF: number, bias?: Float32Array): string {
    const transposed = new Float32Array(outF * inF);
    for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) transposed[i * outF + o] = weight[o * inF + i];
    const y = this.g.op1('MatMul', [x, this.g.initializer(`${name}.weight_t`, 'float32', [inF, outF], transposed)]);
    if (!bias) return y;
    return this.g.op1('Add', [y, this.g.initializer(`${name}.bias`, 'float32', [outF], bias)]);
  }

  /** LayerNorm over the last axis (eps 1e-5) with `${prefix}.weight/.bias`. */
  layerNorm(x: string, prefix: string): string {
    const weight = this.w.get(`${prefix}.weight`);
    const bias = this.w.get(`${prefix}.bias`);
    return this.g.op1(
      'LayerNormalization',
      [x, this.g.initializer(`${prefix}.weight`, 'float32', weight.shape, weight.data), this.g.initializer(`${prefix}.bias`, 'float32', bias.shape, bias.data)],
      { axis: attr.int(-1), epsilon: attr.float(1e-5) },
    );
  }

  relu(x: string): string {
    return this.g.op1('Relu', [x]);
  }
  sigmoid(x: string): string {
    return this.g.op1('Sigmoid', [x]);
  }
  add(a: string, b: string): string {
    return this.g.op1('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.g.op1('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.g.op1('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.g.op1('Div', [a, b]);
  }
  concat(xs: string[], axis: number): string {
    return this.g.op1('Concat', xs, { axis: attr.int(axis) });
  }
  /** Channel slice [start, end) of an NCHW tensor. */
  channels(x: string, start: number, end: number): string {
    return this.g.op1('Slice', [x, this.g.constI64([start]), this.g.constI64([end]), this.g.constI64([1])]);
  }

  /** Non-overlapping k×k average pooling: what interpolate(mode='area') is for an exact factor (spec §4.5). */
  avgPool(x: string, k: number): string {
    return this.g.op1('AveragePool', [x], { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) });
  }

  /** ×2 bilinear upsampling, align_corners=False, no antialias (PyTorch interpolate; spec §4.5). */
  upsample2(x: string): string {
    return this.g.op1('Resize', [x, '', this.g.constF32([1, 1, 2, 2])], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  }

  /** (x − mean) / std with the ImageNet statistics of config/model/base.yaml, for x `[1,3,H,W]` in [0,1]. */
  normalizeImage(x: string): string {
    const mean = this.g.constF32([0.485, 0.456, 0.406], [1, 3, 1, 1]);
    const std = this.g.constF32([0.229, 0.224, 0.225], [1, 3, 1, 1]);
    return this.div(this.sub(x, mean), std);
  }

  /** `[1,C,h,w]` → tokens `[1,h·w,C]` in row-major (i, j) order. */
  toTokens(x: string, channels: number): string {
    const flat = this.g.op1('Reshape', [x, this.g.constI64([1, channels, -1])]);
    return this.g.op1('Transpose', [flat], { perm: attr.ints([0, 2, 1]) });
  }

  /**
   * Tokens `[1,h·w,C]` → `[1,C,h,w]`, with h and w taken from `like` (any `[1,·,h,w]` tensor). The tokens
   * are reshaped to `[1,h,w,C]` by the Shape of a `[1,h,w,C]` tensor built from one channel of `like`
   * (Squeeze, Unsqueeze, Expand: no Transpose, which onnxruntime's transpose optimizer would turn into a
   * Gather on the shape), so that Shape feeds Reshape directly: shape arithmetic in the graph runs on the
   * CPU under a GPU provider.
   */
  fromTokens(tokens: string, channels: number, like: string): string {
    const g = this.g;
    const plane = g.op1('Squeeze', [this.channels(like, 0, 1), g.constI64([1])]); // [1,h,w]
    const template = g.op1('Expand', [g.op1('Unsqueeze', [plane, g.constI64([3])]), g.constI64([1, 1, 1, channels])]); // [1,h,w,C]
    const nhwc = g.op1('Reshape', [tokens, g.op1('Shape', [template])]);
    return g.op1('Transpose', [nhwc], { perm: attr.ints([0, 3, 1, 2]) });
  }

  /**
   * CAResBlock (channel attention residual block, spec §1.1), in = out channels:
   * y = conv2(relu(conv1(relu(x)))); a = σ(conv1d_k5(mean_hw(y))); out = y·a + x.
   */
  caResBlock(x: string, prefix: string): string {
    const y = this.conv(this.relu(this.conv(this.relu(x), `${prefix}.conv1`)), `${prefix}.conv2`);
    const pooled = this.g.op1('GlobalAveragePool', [y]); // [1,C,1,1]
    const asSeq = this.g.op1('Reshape', [pooled, this.g.constI64([1, 1, -1])]); // [1,1,C]
    const k = this.w.get(`${prefix}.conv.weight`); // [1,1,5], no bias
    const kernel = this.g.initializer(`${prefix}.conv.weight`, 'float32', k.shape, k.data);
    const pad = (k.shape[2] - 1) / 2;
    const conv1d = this.g.op1('Conv', [asSeq, kernel], { kernel_shape: attr.ints([k.shape[2]]), pads: attr.ints([pad, pad]) });
    const gate = this.g.op1('Reshape', [this.sigmoid(conv1d), this.g.constI64([1, -1, 1, 1])]);
    return this.add(this.mul(y, gate), x);
  }

  /**
   * GroupFeatureFusionBlock (spec §1.1): g' = x_transform(x) + g_transform(g), then two CAResBlocks.
   */
  featureFusion(x: string, g: string, prefix: string): string {
    const xt = this.conv(x, `${prefix}.distributor.x_transform`);
    const gt = this.conv(g, `${prefix}.distributor.g_transform`);
    const fused = this.add(xt, gt);
    return this.caResBlock(this.caResBlock(fused, `${prefix}.block1`), `${prefix}.block2`);
  }

  /**
   * The GRU-like sensory update (spec §1.1): z = transform([g; S]) with 768 channels, then
   * S' = σ(z₀)·S·(1 − σ(z₁)) + σ(z₁)·tanh(z₂), evaluated in the official order.
   */
  sensoryGru(g: string, sensory: string, prefix: string): string {
    // The GRU runs in float32 even under autocast (spec §1.5, §4.1).
    return this.g.float32Island(() => this.sensoryGruFloat32(g, sensory, prefix));
  }

  private sensoryGruFloat32(g: string, sensory: string, prefix: string): string {
    const z = this.conv(this.concat([g, sensory], 1), `${prefix}.transform`);
    const forget = this.sigmoid(this.channels(z, 0, 256));
    const update = this.sigmoid(this.channels(z, 256, 512));
    const candidate = this.g.op1('Tanh', [this.channels(z, 512, 768)]);
    const keep = this.mul(this.mul(forget, sensory), this.sub(this.g.constF32([1], []), update));
    return this.add(keep, this.mul(update, candidate));
  }
}
