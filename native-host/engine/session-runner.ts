import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../convert/graphs';
import type { GraphRunner } from './graph-runner';
import type { ModelSessions } from './model-sessions';

/** A GraphRunner over the onnxruntime sessions of an opened model folder. */
export function sessionRunner(model: ModelSessions): GraphRunner {
  return {
    run: (graph: GraphName, feeds: Record<string, ort.Tensor>) => model.sessions[graph].run(feeds),
  };
}
