/**
 * A reader for TensorFlow Lite model files (FlatBuffers, schema tensorflow/lite/schema/schema.fbs, file
 * identifier "TFL3"): enough of the schema to convert small float models such as MediaPipe's selfie
 * segmentation. Written against the public schema; no flatbuffers runtime is needed.
 *
 * FlatBuffers in brief: a table starts with an int32 offset back to its vtable (vtable = table - soffset); the
 * vtable holds uint16 [vtable size, table size, field offsets…]; a missing field (offset 0 or past the end of
 * the vtable) takes the schema default. Vectors, strings and sub-tables are uint32 offsets relative to the
 * position they are stored at; a vector starts with its uint32 length.
 */

/** TensorType in schema.fbs. */
export const TENSOR_TYPE = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'] as const;
export type TfliteTensorType = (typeof TENSOR_TYPE)[number] | `type${number}`;

/** The BuiltinOperator codes this reader names (others print as `BUILTIN_<n>`). */
export const BUILTIN_NAMES: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 5: 'DEPTH_TO_SPACE', 6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE', 23: 'RESIZE_BILINEAR',
  25: 'SOFTMAX', 28: 'TANH', 32: 'CUSTOM', 34: 'PAD', 39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 42: 'DIV', 49: 'SPLIT', 53: 'CAST',
  67: 'TRANSPOSE_CONV', 97: 'RESIZE_NEAREST_NEIGHBOR', 117: 'HARD_SWISH',
};

/** ActivationFunctionType in schema.fbs. */
export const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export type Padding = 'SAME' | 'VALID';

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TfliteTensorType;
  /** index into the model's buffers; buffer 0 is the empty sentinel */
  buffer: number;
  quantization?: TfliteQuantization;
}

/** The builtin options this reader decodes, by the op that carries them. */
export type TfliteOptions =
  | { kind: 'none' }
  | { kind: 'conv2d'; padding: Padding; strideW: number; strideH: number; activation: Activation; dilationW: number; dilationH: number }
  | { kind: 'depthwiseConv2d'; padding: Padding; strideW: number; strideH: number; depthMultiplier: number; activation: Activation; dilationW: number; dilationH: number }
  | { kind: 'pool2d'; padding: Padding; strideW: number; strideH: number; filterW: number; filterH: number; activation: Activation }
  | { kind: 'activation'; activation: Activation } // AddOptions, MulOptions, SubOptions, DivOptions
  | { kind: 'concatenation'; axis: number; activation: Activation }
  | { kind: 'reshape'; newShape: number[] }
  | { kind: 'resizeBilinear'; alignCorners: boolean; halfPixelCenters: boolean }
  | { kind: 'softmax'; beta: number }
  | { kind: 'reducer'; keepDims: boolean } // MEAN, SUM, …
  | { kind: 'other'; unionType: number };

export interface TfliteOperator {
  index: number;
  /** BUILTIN_NAMES' name, or the custom code for CUSTOM ops */
  opName: string;
  builtinCode: number;
  customCode?: string;
  inputs: number[];
  outputs: number[];
  options: TfliteOptions;
  customOptions?: Uint8Array;
}

export interface TfliteSubgraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  version: number;
  description: string;
  subgraphs: TfliteSubgraph[];
  /** raw bytes of each buffer (a view into the file; empty for activations) */
  buffers: Uint8Array[];
}

class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(p: number): number { return this.view.getUint8(p); }
  i8(p: number): number { return this.view.getInt8(p); }
  u16(p: number): number { return this.view.getUint16(p, true); }
  i32(p: number): number { return this.view.getInt32(p, true); }
  u32(p: number): number { return this.view.getUint32(p, true); }
  f32(p: number): number { return this.view.getFloat32(p, true); }
  i64(p: number): number { return Number(this.view.getBigInt64(p, true)); }
  check(p: number, size: number): void {
    if (p < 0 || p + size > this.bytes.byteLength) throw new Error(`tflite: offset ${p} (+${size}) outside the file (${this.bytes.byteLength} bytes)`);
  }
  /** The absolute position of field `i` of the table at `t`, or 0 when absent. */
  field(t: number, i: number): number {
    this.check(t, 4);
    const vt = t - this.i32(t);
    this.check(vt, 4);
    const vtSize = this.u16(vt);
    const at = 4 + 2 * i;
    if (at + 2 > vtSize) return 0;
    const off = this.u16(vt + at);
    return off ? t + off : 0;
  }
  deref(p: number): number { return p + this.u32(p); }
  table(t: number, i: number): number { const p = this.field(t, i); return p ? this.deref(p) : 0; }
  /** [first element position, length] of a vector field, or null when absent. */
  vector(t: number, i: number): [number, number] | null {
    const p = this.field(t, i);
    if (!p) return null;
    const v = this.deref(p);
    this.check(v, 4);
    return [v + 4, this.u32(v)];
  }
  tables(t: number, i: number): number[] {
    const v = this.vector(t, i);
    if (!v) return [];
    return Array.from({ length: v[1] }, (_, k) => this.deref(v[0] + 4 * k));
  }
  ints(t: number, i: number): number[] {
    const v = this.vector(t, i);
    if (!v) return [];
    this.check(v[0], 4 * v[1]);
    return Array.from({ length: v[1] }, (_, k) => this.i32(v[0] + 4 * k));
  }
  bytesOf(t: number, i: number): Uint8Array | undefined {
    const v = this.vector(t, i);
    if (!v) return undefined;
    this.check(v[0], v[1]);
    return this.bytes.subarray(v[0], v[0] + v[1]);
  }
  string(t: number, i: number): string {
    const b = this.bytesOf(t, i);
    return b ? Buffer.from(b).toString('utf8') : '';
  }
  scalarI32(t: number, i: number, dflt: number): number { const p = this.field(t, i); return p ? this.i32(p) : dflt; }
  scalarU32(t: number, i: number, dflt: number): number { const p = this.field(t, i); return p ? this.u32(p) : dflt; }
  scalarI8(t: number, i: number, dflt: number): number { const p = this.field(t, i); return p ? this.i8(p) : dflt; }
  scalarU8(t: number, i: number, dflt: number): number { const p = this.field(t, i); return p ? this.u8(p) : dflt; }
  scalarF32(t: number, i: number, dflt: number): number { const p = this.field(t, i); return p ? this.f32(p) : dflt; }
}

const padding = (v: number): Padding => (v === 1 ? 'VALID' : 'SAME');
function activation(v: number): Activation {
  const a = ACTIVATIONS[v];
  if (!a) throw new Error(`tflite: unknown fused activation ${v}`);
  return a;
}

/** BuiltinOptions union member (by its union index) → decoded options. */
function readOptions(r: Reader, unionType: number, t: number): TfliteOptions {
  if (!unionType || !t) return { kind: 'none' };
  switch (unionType) {
    case 1: // Conv2DOptions
      return { kind: 'conv2d', padding: padding(r.scalarI8(t, 0, 0)), strideW: r.scalarI32(t, 1, 0), strideH: r.scalarI32(t, 2, 0), activation: activation(r.scalarI8(t, 3, 0)), dilationW: r.scalarI32(t, 4, 1), dilationH: r.scalarI32(t, 5, 1) };
    case 2: // DepthwiseConv2DOptions
      return { kind: 'depthwiseConv2d', padding: padding(r.scalarI8(t, 0, 0)), strideW: r.scalarI32(t, 1, 0), strideH: r.scalarI32(t, 2, 0), depthMultiplier: r.scalarI32(t, 3, 0), activation: activation(r.scalarI8(t, 4, 0)), dilationW: r.scalarI32(t, 5, 1), dilationH: r.scalarI32(t, 6, 1) };
    case 5: // Pool2DOptions
      return { kind: 'pool2d', padding: padding(r.scalarI8(t, 0, 0)), strideW: r.scalarI32(t, 1, 0), strideH: r.scalarI32(t, 2, 0), filterW: r.scalarI32(t, 3, 0), filterH: r.scalarI32(t, 4, 0), activation: activation(r.scalarI8(t, 5, 0)) };
    case 9: // SoftmaxOptions
      return { kind: 'softmax', beta: r.scalarF32(t, 0, 0) };
    case 10: // ConcatenationOptions
      return { kind: 'concatenation', axis: r.scalarI32(t, 0, 0), activation: activation(r.scalarI8(t, 1, 0)) };
    case 11: // AddOptions
    case 21: // MulOptions
    case 41: // SubOptions
    case 42: // DivOptions
      return { kind: 'activation', activation: activation(r.scalarI8(t, 0, 0)) };
    case 15: // ResizeBilinearOptions (fields 0, 1 are deprecated new_height/new_width)
      return { kind: 'resizeBilinear', alignCorners: r.scalarU8(t, 2, 0) !== 0, halfPixelCenters: r.scalarU8(t, 3, 0) !== 0 };
    case 27: // ReducerOptions
      return { kind: 'reducer', keepDims: r.scalarU8(t, 0, 0) !== 0 };
    case 17: // ReshapeOptions
      return { kind: 'reshape', newShape: r.ints(t, 0) };
    default:
      return { kind: 'other', unionType };
  }
}

/** Parses a `.tflite` file. Throws on a file that is not a TFLite FlatBuffer. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.byteLength < 8 || Buffer.from(bytes.subarray(4, 8)).toString('latin1') !== 'TFL3') throw new Error('not a TFLite model (no "TFL3" identifier)');
  const r = new Reader(bytes);
  const root = r.deref(0);
  const opcodes = r.tables(root, 1).map((t) => {
    const deprecated = r.scalarI8(t, 0, 0);
    const code = r.scalarI32(t, 3, 0);
    return { builtin: Math.max(deprecated, code), custom: r.string(t, 1) || undefined };
  });
  const buffers = r.tables(root, 4).map((t) => {
    const data = r.bytesOf(t, 0);
    if (data) return data;
    const offset = r.field(t, 1) ? r.i64(r.field(t, 1)) : 0;
    const size = r.field(t, 2) ? r.i64(r.field(t, 2)) : 0;
    if (offset > 1) { r.check(offset, size); return bytes.subarray(offset, offset + size); }
    return new Uint8Array(0);
  });
  const subgraphs = r.tables(root, 2).map((sg): TfliteSubgraph => {
    const tensors = r.tables(sg, 0).map((t, index): TfliteTensor => {
      const q = r.table(t, 4);
      let quantization: TfliteQuantization | undefined;
      if (q) {
        const scaleV = r.vector(q, 2);
        const zpV = r.vector(q, 3);
        const scale = scaleV ? Array.from({ length: scaleV[1] }, (_, k) => r.f32(scaleV[0] + 4 * k)) : [];
        const zeroPoint = zpV ? Array.from({ length: zpV[1] }, (_, k) => r.i64(zpV[0] + 8 * k)) : [];
        if (scale.length) quantization = { scale, zeroPoint, quantizedDimension: r.scalarI32(q, 6, 0) };
      }
      const typeCode = r.scalarI8(t, 1, 0);
      return { index, name: r.string(t, 3), shape: r.ints(t, 0), type: TENSOR_TYPE[typeCode] ?? `type${typeCode}`, buffer: r.scalarU32(t, 2, 0), quantization };
    });
    const operators = r.tables(sg, 3).map((o, index): TfliteOperator => {
      const code = opcodes[r.scalarU32(o, 0, 0)];
      if (!code) throw new Error(`tflite: operator ${index} has an unknown opcode index`);
      const unionType = r.scalarU8(o, 3, 0);
      return {
        index,
        opName: code.builtin === 32 ? code.custom ?? 'CUSTOM' : BUILTIN_NAMES[code.builtin] ?? `BUILTIN_${code.builtin}`,
        builtinCode: code.builtin,
        customCode: code.custom,
        inputs: r.ints(o, 1),
        outputs: r.ints(o, 2),
        options: readOptions(r, unionType, r.table(o, 4)),
        customOptions: r.bytesOf(o, 5),
      };
    });
    return { name: r.string(sg, 4), tensors, inputs: r.ints(sg, 1), outputs: r.ints(sg, 2), operators };
  });
  return { version: r.scalarU32(root, 0, 0), description: r.string(root, 3), subgraphs, buffers };
}

/** One line per operator kind: `NAME ×count`, for logs and the conversion's error messages. */
export function opInventory(model: TfliteModel): Map<string, number> {
  const counts = new Map<string, number>();
  for (const sg of model.subgraphs) for (const op of sg.operators) counts.set(op.opName, (counts.get(op.opName) ?? 0) + 1);
  return counts;
}
