import * as ort from 'onnxruntime-node';
import { GRAPH_NAMES, GraphName } from '../convert/graphs';
import { openModel } from './model-sessions';
import { ExecutionProviderName, ProviderAttempt } from './providers';

/** Sizes for a smoke run at a 96×96 padded frame (36 tokens ≥ top-k 30), by the graphs' symbolic dims. */
const SMOKE_DIMS: Record<string, number> = { H: 96, W: 96, h: 6, w: 6, h8: 12, w8: 12, h4: 24, w4: 24, h2: 48, w2: 48, Q: 36, N: 36, P: 8 };

export interface ModelCheckReport {
  provider: ExecutionProviderName;
  skipped: ProviderAttempt[];
  precision: string;
  graphs: { name: GraphName; ms: number; outputs: number; finite: boolean }[];
}

/**
 * Opens a model folder and runs every graph once on a small synthetic frame (zeros, a mid-grey image),
 * checking that each returns finite outputs. A quick "does this folder work here" for users and tests.
 */
export async function checkModel(dir: string, order: ExecutionProviderName[]): Promise<ModelCheckReport> {
  const model = await openModel(dir, order);
  try {
    const graphs: ModelCheckReport['graphs'] = [];
    for (const name of GRAPH_NAMES) {
      const info = model.manifest.graphs[name];
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of info.inputs) {
        const dims = input.dims.map((d) => (typeof d === 'number' ? d : SMOKE_DIMS[d]));
        const size = dims.reduce((a, b) => a * b, 1);
        feeds[input.name] =
          input.type === 'bool'
            ? new ort.Tensor('bool', new Uint8Array(size).fill(1), dims)
            : new ort.Tensor('float32', new Float32Array(size).fill(input.name === 'image' ? 0.5 : 0), dims);
      }
      const started = performance.now();
      const out = await model.sessions[name].run(feeds);
      const ms = performance.now() - started;
      const finite = Object.values(out).every((t) => (t.data as Float32Array).every(Number.isFinite));
      graphs.push({ name, ms, outputs: Object.keys(out).length, finite });
    }
    return { provider: model.provider, skipped: model.skipped, precision: model.manifest.precision, graphs };
  } finally {
    await model.release();
  }
}
