import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../convert/graphs';

/** Runs one graph of a converted model. Implemented over onnxruntime sessions (model-sessions.ts). */
export interface GraphRunner {
  run(graph: GraphName, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  /**
   * Counts the moves to another provider (FallbackRunner): device-resident outputs of runs made under an
   * earlier generation belong to a provider that is gone, and must be computed again. Absent: never moves.
   */
  readonly generation?: number;
}

/**
 * A graph call whose feeds include device-resident outputs of a provider that failed: it cannot run on the
 * next provider (their memory is gone with it). The caller computes those feeds again and repeats the call.
 */
export class StaleDeviceFeeds extends Error {
  constructor(readonly graph: GraphName) {
    super(`${graph}: its device-resident inputs came from a provider that failed`);
  }
}
