import type { GraphRunner } from '../../native-host/engine/graph-runner';
import { InferenceCore } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import { sessionRunner } from '../../native-host/engine/session-runner';
import { FIXTURE_FRAMES, fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';
import { errorStats } from '../support/parity-fixture';

const OPTIONS = { warmup: 3, memEvery: 5, maxMemFrames: 5 };
/**
 * Similarity entries a call in the chunked run. The fixture pads to 432×240: 405 query tokens a frame and
 * 405 memory tokens per memory frame, so the unchunked read is one call of 405 × (405…2025) entries and
 * the chunked one reads 123 (one memory frame) down to 24 (five) query tokens a call, the last one short.
 */
const CHUNK_ENTRIES = 50_000;

/**
 * The memory read in query chunks (what keeps 4K within device memory: the N·Q similarity never exists
 * whole) gives the alphas of the read in one piece on the fixture clip. Top-k and softmax are per query
 * token and usage is summed over the chunks, so only the matrix-product shapes differ; with them the CPU's
 * GEMM kernels round some similarity and readout entries 1 ulp apart (a memory_readout call on a chunk vs
 * the same rows of the whole: ≤ 6e-8), which the recurrent decoder carries to about 2e-6 in the alphas
 * (unchunked twice in a row: bit-identical). The bound is a tenth of the official-parity one (1e-3 / 1e-5).
 */
test('chunked memory read equals the unchunked one on the fixture clip', async () => {
  const model = await fixtureModel();
  const sessions = await openModel(model.dir, ['cpu']);
  try {
    const plain = sessionRunner(sessions);
    const sizes: number[] = [];
    const counting: GraphRunner = {
      run: (graph, feeds) => {
        if (graph === 'memory_readout') sizes.push(feeds.query_key.dims[2] * feeds.mem_key.dims[2]);
        return plain.run(graph, feeds);
      },
    };
    const whole = new InferenceCore(plain, OPTIONS);
    const chunked = new InferenceCore(counting, { ...OPTIONS, maxSimilarityEntries: CHUNK_ENTRIES });
    const mask = await fixturePreparedMask();
    let worst = { max: 0, mean: 0 };
    for (let i = 0; i < FIXTURE_FRAMES; i++) {
      const frame = await fixtureFrame(i);
      const [a] = i === 0 ? await whole.start(frame, [mask]) : await whole.step(frame);
      const [b] = i === 0 ? await chunked.start(frame, [mask]) : await chunked.step(frame);
      const s = errorStats(b, a);
      worst = { max: Math.max(worst.max, s.max), mean: Math.max(worst.mean, s.mean) };
    }
    console.log(`chunked read: ${sizes.length} memory_readout calls over ${FIXTURE_FRAMES - 1} frames; vs unchunked: max ${worst.max.toExponential(2)} mean ${worst.mean.toExponential(2)}`);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(CHUNK_ENTRIES);
    expect(sizes.length).toBeGreaterThanOrEqual(4 * (FIXTURE_FRAMES - 1)); // ≥ 4 chunks a frame
    expect(worst.max).toBeLessThanOrEqual(1e-4);
    expect(worst.mean).toBeLessThanOrEqual(1e-6);
  } finally {
    await sessions.release();
    model.cleanup();
  }
});
