import { ProtoWriter } from './protobuf-writer';

/** ONNX element types used by our graphs (TensorProto.DataType numbers). */
export const ELEM_TYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type ElemType = keyof typeof ELEM_TYPE;

/** A dimension: a fixed size or a symbolic name (dim_param) such as 'H'. */
export type Dim = number | string;

/** Typed attribute values: JS numbers cannot tell 1 (INT) from 1.0 (FLOAT), so the kind is explicit. */
export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttrValue => ({ kind: 'floats', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
};

export interface Initializer {
  name: string;
  type: ElemType;
  dims: readonly number[];
  /** little-endian raw bytes */
  data: Uint8Array;
}

export interface NodeDef {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** computed in float32 even in a float16 model (spec §4.1's fp32 islands) */
  keepFloat32?: boolean;
}

export interface ValueInfo {
  name: string;
  type: ElemType;
  dims: readonly Dim[];
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function rawBytes(data: Float32Array | BigInt64Array | Uint8Array | Uint16Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * An ONNX graph under construction: nodes in topological order (the order they are added), initializers,
 * typed inputs and outputs. Value names are generated; graph outputs rename the producing node's output.
 */
export class OnnxGraph {
  readonly nodes: NodeDef[] = [];
  readonly initializers = new Map<string, Initializer>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  private islandDepth = 0;

  constructor(readonly name: string) {}

  private fresh(base: string): string {
    return `${base}_${this.counter++}`;
  }

  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` as graph output `name` (renaming the value where it is produced and consumed). */
  output(value: string, name: string, type: ElemType, dims: readonly Dim[]): void {
    const producer = this.nodes.find((n) => n.outputs.includes(value));
    if (!producer || this.outputs.some((o) => o.name === value)) {
      this.op('Identity', [value], {}, 1, name);
    } else {
      for (const n of this.nodes) {
        n.inputs = n.inputs.map((i) => (i === value ? name : i));
        n.outputs = n.outputs.map((o) => (o === value ? name : o));
      }
    }
    this.outputs.push({ name, type, dims });
  }

  initializer(base: string, type: ElemType, dims: readonly number[], data: Float32Array | BigInt64Array | Uint8Array | Uint16Array | Int32Array): string {
    const name = this.initializers.has(base) ? this.fresh(base) : base;
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.set(name, { name, type, dims: [...dims], data: rawBytes(data) });
    return name;
  }

  /** A small float32 constant, shared between uses. */
  constF32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `f32:${dims}:${values}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initializer(this.fresh('const_f'), 'float32', dims, Float32Array.from(values));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** A small int64 constant (shapes, axes, K), shared between uses. */
  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims}:${values}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initializer(this.fresh('const_i'), 'int64', dims, BigInt64Array.from(values.map((v) => BigInt(v))));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** Adds a node; returns its output names. An empty string input means "optional input omitted". */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputCount = 1, outputName?: string): string[] {
    const outputs = Array.from({ length: outputCount }, (_, i) => (i === 0 && outputName ? outputName : this.fresh(opType.toLowerCase())));
    const node: NodeDef = { name: this.fresh(`n_${opType}`), opType, inputs: [...inputs], outputs, attrs };
    if (this.islandDepth > 0) node.keepFloat32 = true;
    this.nodes.push(node);
    return outputs;
  }

  /** Nodes added inside `build` stay float32 when the model is exported in float16 (see to-float16.ts). */
  float32Island<T>(build: () => T): T {
    this.islandDepth++;
    try {
      return build();
    } finally {
      this.islandDepth--;
    }
  }

  /** Single-output node. */
  op1(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.op(opType, inputs, attrs, 1)[0];
  }

  /** Serialises the model: ONNX IR 8, the default domain at `opset`. Chunks reference initializer bytes. */
  serialize(opset = 17, metadata: Record<string, string> = {}): Uint8Array[] {
    const w = new ProtoWriter();
    w.int(1, 8); // ir_version
    w.string(2, 'matanyone-host');
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').int(2, opset));
    for (const [key, value] of Object.entries(metadata)) w.message(14, (m) => m.string(1, key).string(2, value));
    return w.finish();
  }

  /** The serialised model as one buffer (for InferenceSession.create in tests). */
  toBytes(opset = 17, metadata: Record<string, string> = {}): Uint8Array {
    return Buffer.concat(this.serialize(opset, metadata));
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) g.message(1, (m) => writeNode(m, n));
    g.string(2, this.name);
    for (const t of this.initializers.values()) {
      g.message(5, (m) => {
        for (const d of t.dims) m.int(1, d);
        m.int(2, ELEM_TYPE[t.type]);
        m.string(8, t.name);
        m.bytes(9, t.data);
      });
    }
    for (const v of this.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of this.outputs) g.message(12, (m) => writeValueInfo(m, v));
  }
}

function writeNode(m: ProtoWriter, n: NodeDef): void {
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name);
  m.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attrs)) {
    m.message(5, (w) => {
      w.string(1, name);
      switch (a.kind) {
        case 'float':
          w.float(2, a.value);
          break;
        case 'int':
          w.int(3, a.value);
          break;
        case 'string':
          w.string(4, a.value);
          break;
        case 'floats':
          for (const v of a.value) w.float(7, v);
          break;
        case 'ints':
          for (const v of a.value) w.int(8, v);
          break;
      }
      w.int(20, ATTR_TYPE[a.kind]);
    });
  }
}

function writeValueInfo(m: ProtoWriter, v: ValueInfo): void {
  m.string(1, v.name);
  m.message(2, (t) =>
    t.message(1, (tt) => {
      tt.int(1, ELEM_TYPE[v.type]);
      tt.message(2, (s) => {
        for (const d of v.dims) s.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
