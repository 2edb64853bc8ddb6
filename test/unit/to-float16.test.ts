import { buildReadout } from '../../native-host/convert/graphs/readout';
import { OnnxGraph } from '../../native-host/convert/onnx/onnx-graph';
import { toFloat16 } from '../../native-host/convert/onnx/to-float16';
import { fixtureWeights } from '../support/parity-fixture';

/** Value name → the element type a Cast node produced it as (ONNX type number). */
function castTargets(g: OnnxGraph): Map<string, number> {
  const to = new Map<string, number>();
  for (const n of g.nodes) if (n.opType === 'Cast' && n.attrs.to.kind === 'int') to.set(n.outputs[0], n.attrs.to.value);
  return to;
}

describe('toFloat16', () => {
  const half = toFloat16(buildReadout(fixtureWeights()));

  test('weights become float16, except those feeding float32 islands', () => {
    const inits = [...half.initializers.values()];
    const convWeights = inits.filter((i) => /pixel_fuser\.fuser\.block1\.conv1\.weight/.test(i.name));
    expect(convWeights.map((i) => i.type)).toContain('float16');
    expect(inits.filter((i) => i.type === 'float32').every((i) => i.data.byteLength < 1 << 16 || /norm|inv_freq|summar/.test(i.name))).toBe(true);
    const bytes = (t: 'float16' | 'float32') => inits.filter((i) => i.type === t).reduce((a, i) => a + i.data.byteLength, 0);
    expect(bytes('float16')).toBeGreaterThan(10 * bytes('float32'));
  });

  test('graph inputs and outputs keep float32; softmax and layer norms compute in float32', () => {
    expect(half.inputs.filter((i) => i.name !== 'use_memory').every((i) => i.type === 'float32')).toBe(true);
    expect(half.outputs.every((o) => o.type === 'float32')).toBe(true);
    const casts = castTargets(half);
    const softmaxes = half.nodes.filter((n) => n.opType === 'Softmax');
    expect(softmaxes.length).toBe(9); // 3 blocks × 3 attentions
    expect(softmaxes.every((n) => casts.get(n.inputs[0]) === 1)).toBe(true);
    expect(half.nodes.filter((n) => n.opType === 'LayerNormalization').every((n) => casts.get(n.inputs[0]) === 1)).toBe(true);
  });
});
