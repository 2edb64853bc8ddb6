import { attr, OnnxGraph } from '../convert/onnx/onnx-graph';
import type { Activation, Padding, TfliteModel, TfliteSubgraph, TfliteTensor } from './tflite-reader';

/**
 * Converts a float TFLite model (one subgraph, NHWC, weights float32 or float16 behind DEQUANTIZE ops) into an
 * ONNX graph in NCHW with the project's graph builder. The graph's input keeps TFLite's layout and range
 * (`[1, H, W, C]` float32, NHWC) and is transposed once; the output is NCHW `[1, C, H, W]`.
 *
 * Supported ops (everything MediaPipe's selfie segmentation models use, and a few neighbours): CONV_2D,
 * DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN (spatial), ADD, MUL, SUB, RELU, RELU6, HARD_SWISH,
 * LOGISTIC, TANH, RESIZE_BILINEAR, CONCATENATION, DEQUANTIZE (of constants) and MediaPipe's custom
 * `Convolution2DTransposeBias`. Anything else is refused by name before any graph is built.
 */

export const SUPPORTED_OPS = new Set([
  'CONV_2D', 'DEPTHWISE_CONV_2D', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'MEAN', 'ADD', 'MUL', 'SUB', 'RELU', 'RELU6', 'HARD_SWISH',
  'LOGISTIC', 'TANH', 'RESIZE_BILINEAR', 'CONCATENATION', 'DEQUANTIZE', 'Convolution2DTransposeBias',
]);

export interface ConvertedTflite {
  graph: OnnxGraph;
  inputName: string;
  /** NHWC shape of the input, as TFLite declares it */
  inputShape: number[];
  outputName: string;
  /** NCHW shape of the output */
  outputShape: number[];
}

/** IEEE float16 bits → number. */
export function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A constant tensor's values as float32 (float32 or float16 buffers) or int32. */
function constantValues(model: TfliteModel, t: TfliteTensor): Float32Array | Int32Array | null {
  const raw = model.buffers[t.buffer];
  if (!t.buffer || !raw || raw.byteLength === 0) return null;
  const copy = new Uint8Array(raw); // aligned copy
  switch (t.type) {
    case 'float32':
      return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
    case 'float16': {
      const h = new Uint16Array(copy.buffer, 0, copy.byteLength / 2);
      return Float32Array.from(h, float16ToNumber);
    }
    case 'int32':
      return new Int32Array(copy.buffer, 0, copy.byteLength / 4);
    default:
      throw new Error(`tflite tensor ${t.name}: constant of type ${t.type} is not supported`);
  }
}

/** TFLite's SAME/VALID padding for one spatial axis: [before, after], exactly as tflite/kernels/padding.h. */
export function tflitePads(padding: Padding, inSize: number, kernel: number, stride: number, dilation: number, outSize: number): [number, number] {
  if (padding === 'VALID') return [0, 0];
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** NHWC [O, KH, KW, I] → OIHW. */
function ohwiToOihw(w: Float32Array, [o, kh, kw, i]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < i; c++) out[((a * i + c) * kh + y) * kw + x] = w[((a * kh + y) * kw + x) * i + c];
  return out;
}

/** NHWC axis → NCHW axis for rank-4 tensors. */
const NCHW_AXIS = [0, 2, 3, 1];

/**
 * The mean over H and W (the squeeze-and-excitation blocks' full-size pools) as ReduceMean rather than
 * GlobalAveragePool: onnxruntime's blocked (NCHWc) GlobalAveragePool sums in an order that, on flat images,
 * put the square model's output 8e-4 away from MediaPipe's float32 CPU run; ReduceMean stays within 2.1e-4
 * (test/unit/person-mask-parity-cpu.test.ts), so the parity bound does not hang on this CPU's kernels.
 */
function spatialMean(g: OnnxGraph, x: string): string {
  return g.op1('ReduceMean', [x], { axes: attr.ints([2, 3]), keepdims: attr.int(1) });
}

export function convertTflite(model: TfliteModel, name = 'tflite'): ConvertedTflite {
  if (model.subgraphs.length !== 1) throw new Error(`tflite: ${model.subgraphs.length} subgraphs (one is supported)`);
  const sg: TfliteSubgraph = model.subgraphs[0];
  const unsupported = [...new Set(sg.operators.map((o) => o.opName).filter((n) => !SUPPORTED_OPS.has(n)))];
  if (unsupported.length) throw new Error(`tflite: unsupported operators ${unsupported.join(', ')}`);
  if (sg.inputs.length !== 1 || sg.outputs.length !== 1) throw new Error('tflite: one input and one output are supported');

  const g = new OnnxGraph(name);
  const consts = new Map<number, Float32Array | Int32Array>();
  const values = new Map<number, string>(); // tensor index → ONNX value (NCHW for rank 4)
  const tensor = (i: number) => sg.tensors[i];
  const constOf = (i: number) => {
    if (!consts.has(i)) {
      const v = constantValues(model, tensor(i));
      if (v) consts.set(i, v);
    }
    return consts.get(i) ?? null;
  };
  const floatConst = (i: number): Float32Array => {
    const v = constOf(i);
    if (!(v instanceof Float32Array)) throw new Error(`tflite tensor ${tensor(i).name}: expected a float constant`);
    return v;
  };
  /** The ONNX value of a tensor: an activation, or a constant laid out for NCHW broadcasting. */
  const valueOf = (i: number): string => {
    const known = values.get(i);
    if (known) return known;
    const c = constOf(i);
    if (!c) throw new Error(`tflite tensor ${tensor(i).name} is used before it is produced`);
    const shape = tensor(i).shape;
    const f = c instanceof Float32Array ? c : Float32Array.from(c);
    let name: string;
    if (shape.length === 4) {
      const [n, h, w, ch] = shape;
      const out = new Float32Array(f.length);
      for (let a = 0; a < n; a++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < ch; k++) out[((a * ch + k) * h + y) * w + x] = f[((a * h + y) * w + x) * ch + k];
      name = g.initializer(safe(tensor(i).name), 'float32', [n, ch, h, w], out);
    } else if (shape.length === 1 && shape[0] > 1) {
      name = g.initializer(safe(tensor(i).name), 'float32', [shape[0], 1, 1], f); // per-channel, broadcast over H, W
    } else if (shape.length <= 1) {
      name = g.initializer(safe(tensor(i).name), 'float32', shape, f);
    } else throw new Error(`tflite tensor ${tensor(i).name}: constant of rank ${shape.length} in an elementwise op`);
    values.set(i, name);
    return name;
  };
  const activate = (x: string, a: Activation): string => {
    switch (a) {
      case 'NONE': return x;
      case 'RELU': return g.op1('Relu', [x]);
      case 'RELU6': return g.op1('Clip', [x, g.constF32([0], []), g.constF32([6], [])]);
      case 'RELU_N1_TO_1': return g.op1('Clip', [x, g.constF32([-1], []), g.constF32([1], [])]);
      case 'TANH': return g.op1('Tanh', [x]);
      default: throw new Error(`tflite: fused activation ${a} is not supported`);
    }
  };
  const spatial = (i: number) => { const s = tensor(i).shape; if (s.length !== 4) throw new Error(`tflite tensor ${tensor(i).name}: rank ${s.length}, expected NHWC`); return s; };

  const inIndex = sg.inputs[0];
  const inShape = tensor(inIndex).shape;
  const input = g.input('input_nhwc', 'float32', inShape);
  values.set(inIndex, g.op1('Transpose', [input], { perm: attr.ints([0, 3, 1, 2]) }));

  for (const op of sg.operators) {
    const out = op.outputs[0];
    const set = (v: string) => values.set(out, v);
    switch (op.opName) {
      case 'DEQUANTIZE': {
        const src = tensor(op.inputs[0]);
        if (src.quantization && !(src.quantization.scale.length === 1 && src.quantization.scale[0] === 1)) throw new Error(`tflite: DEQUANTIZE of quantized ${src.name} is not supported`);
        const c = constOf(op.inputs[0]);
        if (!c) throw new Error(`tflite: DEQUANTIZE of the activation ${src.name} is not supported`);
        consts.set(out, c);
        break;
      }
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const o = op.options;
        if (o.kind !== 'conv2d' && o.kind !== 'depthwiseConv2d') throw new Error(`tflite op ${op.index}: missing conv options`);
        const [, ih, iw, ic] = spatial(op.inputs[0]);
        const [, oh, ow, oc] = spatial(out);
        const wShape = tensor(op.inputs[1]).shape; // CONV: [O, KH, KW, I]; DEPTHWISE: [1, KH, KW, I*M]
        const [, kh, kw] = wShape;
        // CONV: OHWI → OIHW. DEPTHWISE: [1, KH, KW, I·M] → [1, I·M, KH, KW], the same bytes as ONNX's
        // grouped-conv weight [I·M, 1, KH, KW] with one group per input channel.
        const weights = ohwiToOihw(floatConst(op.inputs[1]), wShape);
        const group = op.opName === 'CONV_2D' ? 1 : ic;
        const wName = g.initializer(safe(tensor(op.inputs[1]).name), 'float32', op.opName === 'CONV_2D' ? [oc, ic, kh, kw] : [oc, 1, kh, kw], weights);
        const inputs = [valueOf(op.inputs[0]), wName];
        if (op.inputs.length > 2 && op.inputs[2] >= 0) inputs.push(g.initializer(safe(tensor(op.inputs[2]).name), 'float32', [oc], floatConst(op.inputs[2])));
        const [pt, pb] = tflitePads(o.padding, ih, kh, o.strideH, o.dilationH, oh);
        const [pl, pr] = tflitePads(o.padding, iw, kw, o.strideW, o.dilationW, ow);
        const y = g.op1('Conv', inputs, {
          kernel_shape: attr.ints([kh, kw]), strides: attr.ints([o.strideH, o.strideW]), dilations: attr.ints([o.dilationH, o.dilationW]),
          pads: attr.ints([pt, pl, pb, pr]), group: attr.int(group),
        });
        set(activate(y, o.activation));
        break;
      }
      case 'Convolution2DTransposeBias': {
        // MediaPipe's custom op: custom_options is a raw TfLiteTransposeConvParams {padding, stride_w, stride_h}
        // (int32 each; padding 1 = SAME, 2 = VALID). The output size is taken from the output tensor's shape.
        const co = op.customOptions;
        if (!co || co.byteLength < 12) throw new Error('tflite: Convolution2DTransposeBias without its options');
        const dv = new DataView(co.buffer, co.byteOffset, co.byteLength);
        const [padCode, sw, sh] = [dv.getInt32(0, true), dv.getInt32(4, true), dv.getInt32(8, true)];
        const [, ih, iw, ic] = spatial(op.inputs[0]);
        const [, oh, ow, oc] = spatial(out);
        const wShape = tensor(op.inputs[1]).shape; // [O, KH, KW, I]
        const [, kh, kw] = wShape;
        const oihw = ohwiToOihw(floatConst(op.inputs[1]), wShape);
        const iohw = new Float32Array(oihw.length); // ConvTranspose wants [I, O, KH, KW]
        for (let a = 0; a < oc; a++) for (let c = 0; c < ic; c++) for (let k = 0; k < kh * kw; k++) iohw[(c * oc + a) * kh * kw + k] = oihw[(a * ic + c) * kh * kw + k];
        const wName = g.initializer(safe(tensor(op.inputs[1]).name), 'float32', [ic, oc, kh, kw], iohw);
        const bName = g.initializer(safe(tensor(op.inputs[2]).name), 'float32', [oc], floatConst(op.inputs[2]));
        const padding: Padding = padCode === 2 ? 'VALID' : 'SAME';
        // The forward convolution out → in gives TF's pads; any remainder goes to output_padding.
        const axis = (inSize: number, outSize: number, k: number, s: number): [number, number, number] => {
          const [before, after] = padding === 'SAME' ? tflitePads('SAME', outSize, k, s, 1, inSize) : [0, 0];
          const produced = s * (inSize - 1) + k - before - after;
          const extra = outSize - produced;
          if (extra < 0 || extra >= s) throw new Error(`tflite: Convolution2DTransposeBias cannot produce ${outSize} from ${inSize}`);
          return [before, after, extra];
        };
        const [pt, pb, eh] = axis(ih, oh, kh, sh);
        const [pl, pr, ew] = axis(iw, ow, kw, sw);
        set(g.op1('ConvTranspose', [valueOf(op.inputs[0]), wName, bName], {
          kernel_shape: attr.ints([kh, kw]), strides: attr.ints([sh, sw]), pads: attr.ints([pt, pl, pb, pr]), output_padding: attr.ints([eh, ew]),
        }));
        break;
      }
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const o = op.options;
        if (o.kind !== 'pool2d') throw new Error(`tflite op ${op.index}: missing pool options`);
        const [, ih, iw] = spatial(op.inputs[0]);
        const [, oh, ow] = spatial(out);
        const [pt, pb] = tflitePads(o.padding, ih, o.filterH, o.strideH, 1, oh);
        const [pl, pr] = tflitePads(o.padding, iw, o.filterW, o.strideW, 1, ow);
        const x = valueOf(op.inputs[0]);
        let y: string;
        if (op.opName === 'AVERAGE_POOL_2D' && o.filterH === ih && o.filterW === iw && oh === 1 && ow === 1 && pt + pb + pl + pr === 0) y = spatialMean(g, x);
        else
          y = g.op1(op.opName === 'AVERAGE_POOL_2D' ? 'AveragePool' : 'MaxPool', [x], {
            kernel_shape: attr.ints([o.filterH, o.filterW]), strides: attr.ints([o.strideH, o.strideW]), pads: attr.ints([pt, pl, pb, pr]),
            ...(op.opName === 'AVERAGE_POOL_2D' ? { count_include_pad: attr.int(0) } : {}),
          });
        set(activate(y, o.activation));
        break;
      }
      case 'MEAN': {
        const axes = constOf(op.inputs[1]);
        if (!axes) throw new Error('tflite: MEAN with non-constant axes');
        const rank = tensor(op.inputs[0]).shape.length;
        const keep = op.options.kind === 'reducer' ? op.options.keepDims : false;
        if (rank !== 4 || !keep) throw new Error('tflite: only MEAN over NHWC with keep_dims is supported');
        const onnxAxes = [...axes].map((a) => NCHW_AXIS[(a + rank) % rank]).sort();
        set(g.op1('ReduceMean', [valueOf(op.inputs[0])], { axes: attr.ints(onnxAxes), keepdims: attr.int(1) }));
        break;
      }
      case 'ADD':
      case 'MUL':
      case 'SUB': {
        const a = op.options.kind === 'activation' ? op.options.activation : 'NONE';
        const onnx = { ADD: 'Add', MUL: 'Mul', SUB: 'Sub' }[op.opName]!;
        for (const i of op.inputs) if (!values.has(i) && !constOf(i)) throw new Error(`tflite tensor ${tensor(i).name} is used before it is produced`);
        // rank-4 activations are NCHW; their broadcasting partners must be rank 4 too (or constants laid out above)
        for (const i of op.inputs) if (values.has(i) && tensor(i).shape.length !== 4 && tensor(out).shape.length === 4) throw new Error(`tflite op ${op.index}: mixed-rank broadcasting is not supported`);
        set(activate(g.op1(onnx, op.inputs.map(valueOf)), a));
        break;
      }
      case 'RELU': set(g.op1('Relu', [valueOf(op.inputs[0])])); break;
      case 'RELU6': set(activate(valueOf(op.inputs[0]), 'RELU6')); break;
      case 'TANH': set(g.op1('Tanh', [valueOf(op.inputs[0])])); break;
      case 'LOGISTIC': set(g.op1('Sigmoid', [valueOf(op.inputs[0])])); break;
      case 'HARD_SWISH': {
        // x · relu6(x + 3) / 6, written out as TFLite's reference kernel computes it
        const x = valueOf(op.inputs[0]);
        const r6 = g.op1('Clip', [g.op1('Add', [x, g.constF32([3], [])]), g.constF32([0], []), g.constF32([6], [])]);
        set(g.op1('Div', [g.op1('Mul', [x, r6]), g.constF32([6], [])]));
        break;
      }
      case 'RESIZE_BILINEAR': {
        const o = op.options;
        if (o.kind !== 'resizeBilinear') throw new Error(`tflite op ${op.index}: missing resize options`);
        const [n, oh, ow, c] = spatial(out);
        const mode = o.alignCorners ? 'align_corners' : o.halfPixelCenters ? 'half_pixel' : 'asymmetric';
        set(g.op1('Resize', [valueOf(op.inputs[0]), '', '', g.constI64([n, c, oh, ow])], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(mode) }));
        break;
      }
      case 'CONCATENATION': {
        const o = op.options;
        if (o.kind !== 'concatenation') throw new Error(`tflite op ${op.index}: missing concatenation options`);
        const rank = tensor(out).shape.length;
        const axis = rank === 4 ? NCHW_AXIS[(o.axis + rank) % rank] : o.axis;
        set(activate(g.op1('Concat', op.inputs.map(valueOf), { axis: attr.int(axis) }), o.activation));
        break;
      }
      default:
        throw new Error(`tflite: unsupported operator ${op.opName}`);
    }
  }

  const outIndex = sg.outputs[0];
  const outShapeNhwc = tensor(outIndex).shape;
  const outputShape = outShapeNhwc.length === 4 ? [outShapeNhwc[0], outShapeNhwc[3], outShapeNhwc[1], outShapeNhwc[2]] : outShapeNhwc;
  g.output(valueOf(outIndex), 'output_nchw', 'float32', outputShape);
  return { graph: g, inputName: 'input_nhwc', inputShape: inShape, outputName: 'output_nchw', outputShape };
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

