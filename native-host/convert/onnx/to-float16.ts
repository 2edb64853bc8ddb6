import { float32ArrayToFloat16 } from './float16';
import { attr, ElemType, NodeDef, OnnxGraph } from './onnx-graph';

type FloatType = 'float32' | 'float16';

/** Ops whose output type is not that of their first input. */
function outputTypes(node: NodeDef, inputType: (name: string) => ElemType): ElemType[] {
  switch (node.opType) {
    case 'Shape':
      return ['int64'];
    case 'Cast': {
      const to = node.attrs.to;
      if (to?.kind !== 'int') throw new Error('Cast without `to`');
      return [to.value === 1 ? 'float32' : to.value === 10 ? 'float16' : to.value === 7 ? 'int64' : 'bool'];
    }
    case 'TopK':
      return [inputType(node.inputs[0]), 'int64'];
    case 'GreaterOrEqual':
    case 'Greater':
    case 'Less':
    case 'Equal':
    case 'Not':
    case 'And':
      return ['bool'];
    case 'Where':
      return [inputType(node.inputs[1])];
    default:
      return node.outputs.map(() => inputType(node.inputs[0]));
  }
}

/** Inputs that are parameters of the op rather than data, and must keep their declared type. */
function isParameterInput(node: NodeDef, index: number): boolean {
  return node.opType === 'Resize' && index > 0;
}

const isFloat = (t: ElemType): t is FloatType => t === 'float32' || t === 'float16';

/** Ops that autocast runs in float32 wherever they appear (reductions, exponentials, normalisations). */
const ALWAYS_FLOAT32 = new Set(['Softmax', 'LayerNormalization', 'ReduceSum', 'ReduceMean', 'Exp', 'Log', 'Sin', 'Cos', 'Pow']);

/**
 * Rewrites a float32 graph into a float16 one: float weights and activations in half, the nodes built inside
 * `float32Island` (normalisations, softmax, recurrent updates, sums that can exceed the half range) kept in
 * float32, with Cast nodes where the two meet. Graph inputs and outputs stay float32, so callers feed and
 * read the same tensors for either precision.
 */
export function toFloat16(src: OnnxGraph): OnnxGraph {
  const dst = new OnnxGraph(src.name);
  const types = new Map<string, ElemType>();
  const initializerCopies = new Map<string, string>();
  const casts = new Map<string, string>();

  for (const input of src.inputs) {
    dst.input(input.name, input.type, input.dims);
    types.set(input.name, input.type);
  }
  for (const init of src.initializers.values()) types.set(init.name, init.type);
  const typeOf = (name: string): ElemType => {
    const t = types.get(name);
    if (!t) throw new Error(`to-float16: unknown value ${name}`);
    return t;
  };

  /** `name` unchanged, its initializer carried over if it is one. */
  const keep = (name: string): string => {
    const init = src.initializers.get(name);
    if (init && !dst.initializers.has(name)) dst.initializers.set(name, init);
    return name;
  };

  /** `name` as type `want`: itself, a converted initializer, or a Cast node (one per value and type). */
  const as = (name: string, want: FloatType): string => {
    if (typeOf(name) === want) return keep(name);
    const init = src.initializers.get(name);
    if (init && init.type === 'float32') {
      let copy = initializerCopies.get(name);
      if (!copy) {
        const values = new Float32Array(init.data.buffer.slice(init.data.byteOffset, init.data.byteOffset + init.data.byteLength));
        copy = dst.initializer(`${name}_fp16`, 'float16', init.dims, float32ArrayToFloat16(values));
        types.set(copy, 'float16');
        initializerCopies.set(name, copy);
      }
      return copy;
    }
    const key = `${name}->${want}`;
    let cast = casts.get(key);
    if (!cast) {
      cast = dst.op1('Cast', [keep(name)], { to: attr.int(want === 'float32' ? 1 : 10) });
      types.set(cast, want);
      casts.set(key, cast);
    }
    return cast;
  };

  for (const node of src.nodes) {
    const compute: FloatType = node.keepFloat32 || ALWAYS_FLOAT32.has(node.opType) ? 'float32' : 'float16';
    const inputs = node.inputs.map((name, i) => {
      if (name === '' || !isFloat(typeOf(name)) || isParameterInput(node, i) || node.opType === 'Cast') return name && keep(name);
      return as(name, compute);
    });
    const copy: NodeDef = { ...node, inputs, outputs: [...node.outputs] };
    dst.nodes.push(copy);
    outputTypes(copy, typeOf).forEach((t, i) => types.set(copy.outputs[i], t));
  }

  // Outputs keep their declared (float32) type: where the value ended up in half, rename it and cast back.
  for (const output of src.outputs) {
    if (typeOf(output.name) !== output.type && isFloat(output.type)) {
      const half = `${output.name}_half`;
      for (const n of dst.nodes) {
        n.inputs = n.inputs.map((i) => (i === output.name ? half : i));
        n.outputs = n.outputs.map((o) => (o === output.name ? half : o));
      }
      types.set(half, typeOf(output.name));
      dst.op('Cast', [half], { to: attr.int(output.type === 'float32' ? 1 : 10) }, 1, output.name);
    }
    dst.outputs.push({ ...output });
  }
  return dst;
}
