import { OnnxGraph } from '../convert/onnx/onnx-graph';

/** Input of the probe graph and the output it must give: Relu of a few values, checked exactly. */
export const PROBE_INPUT = Float32Array.from([-1.5, 2, -3, 4.25, 0, -0.5, 7, -8]);
export const PROBE_OUTPUT = PROBE_INPUT.map((v) => Math.max(0, v));

/** A one-node ONNX graph (Relu over 1×8): small enough to open on any provider in milliseconds. */
export function probeGraph(): Uint8Array {
  const g = new OnnxGraph('provider_probe');
  const x = g.input('x', 'float32', [1, PROBE_INPUT.length]);
  g.output(g.op1('Relu', [x]), 'y', 'float32', [1, PROBE_INPUT.length]);
  return g.toBytes();
}
