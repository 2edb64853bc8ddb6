import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import type { ProviderFallback } from '../../native-host/engine/fallback-runner';
import { EngineClient, EngineOpenOptions } from '../../native-host/engine/worker/engine-client';
import { fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';

const OPTIONS = { warmup: 1, memEvery: 5, maxMemFrames: 5 };
const FRAMES = 4;
/**
 * Graph runs: frame 0 is encode_frame, encode_mask, then (readout, decode, encode_mask) × 2 = 8 runs; frame 1
 * is encode_frame, memory_readout, readout, decode, encode_mask_value = 5 more; run 16 is frame 2's readout,
 * after its memory read: the failure lands mid-frame, mid-clip.
 */
const FAILING_RUN = 16;
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * A provider that opens but fails during a run (MATANYONE_INJECT_RUN_FAULT, the engine's test seam, plays
 * the GPU that runs out of memory on frame 2): the engine reopens the model on the next provider of the
 * order, re-runs the failed graph call there and says so; the clip's alphas are those of a run that never
 * failed. The order is cpu, cpu so that the test needs no GPU; the mechanism is provider-independent.
 */
describe('provider failing during a run', () => {
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let frames: EngineFrame[];
  let mask: Uint8Array;
  beforeAll(async () => {
    model = await fixtureModel();
    frames = await Promise.all(Array.from({ length: FRAMES }, (_, i) => fixtureFrame(i)));
    mask = await fixturePreparedMask();
  });
  afterAll(() => model.cleanup());
  afterEach(() => {
    delete process.env.MATANYONE_INJECT_RUN_FAULT;
  });

  async function run(opts: Omit<EngineOpenOptions, 'options'>): Promise<{ alphas: Float32Array[]; engine: EngineClient }> {
    const engine = await EngineClient.open(model.dir, { ...opts, options: OPTIONS });
    try {
      const alphas = [(await engine.start(frames[0], [mask]))[0]];
      for (let i = 1; i < FRAMES; i++) alphas.push((await engine.step(frames[i]))[0]);
      return { alphas, engine };
    } finally {
      await engine.close();
    }
  }

  test('falls back to the next provider, says so, and the alphas equal an uninterrupted run', async () => {
    const reference = await run({ providers: ['cpu'] });
    process.env.MATANYONE_INJECT_RUN_FAULT = `cpu:${FAILING_RUN}`;
    const fallbacks: ProviderFallback[] = [];
    const { alphas, engine } = await run({ providers: ['cpu', 'cpu'], onProviderFallback: (f) => fallbacks.push(f) });
    expect(fallbacks).toEqual([{ from: 'cpu', to: 'cpu', error: expect.stringContaining(`injected fault: run ${FAILING_RUN} on cpu`) }]);
    expect(engine.provider).toBe('cpu');
    expect(engine.skipped).toEqual([{ provider: 'cpu', error: expect.stringContaining('injected fault') }]);
    expect(alphas).toHaveLength(FRAMES);
    for (let i = 0; i < FRAMES; i++) expect(same(alphas[i], reference.alphas[i])).toBe(true);
  });

  test('with no provider left, the failing frame rejects with the provider\'s error', async () => {
    process.env.MATANYONE_INJECT_RUN_FAULT = 'cpu:3';
    const fallbacks: ProviderFallback[] = [];
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS, onProviderFallback: (f) => fallbacks.push(f) });
    try {
      await expect(engine.start(frames[0], [mask])).rejects.toThrow('injected fault: run 3 on cpu');
      expect(fallbacks).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
