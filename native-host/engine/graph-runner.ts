import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../convert/graphs';

/** Runs one graph of a converted model. Implemented over onnxruntime sessions (model-sessions.ts). */
export interface GraphRunner {
  run(graph: GraphName, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}
