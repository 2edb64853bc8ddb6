import * as path from 'path';
import { InferenceCore } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import { sessionRunner } from '../../native-host/engine/session-runner';
import { FIXTURE_FRAMES, fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';
import { errorStats, PARITY_DIR, readF32Safetensors } from '../support/parity-fixture';

/**
 * The whole procedure (warm-up 3, memory every 5 frames) in-process against the official alphas. Issue #3's
 * bound: 1e-3 max, 1e-5 mean per frame. (The CLI test repeats this through `matanyone matte`.)
 */
test('InferenceCore reproduces the official alphas of the fixture clip', async () => {
  const model = await fixtureModel();
  const sessions = await openModel(model.dir, ['cpu']);
  try {
    const core = new InferenceCore(sessionRunner(sessions), { warmup: 3, memEvery: 5, maxMemFrames: 5 });
    const expected = readF32Safetensors(path.join(PARITY_DIR, 'outputs.safetensors')).get('alpha')!;
    const n = expected.shape[1] * expected.shape[2];
    let worst = { max: 0, mean: 0 };
    for (let i = 0; i < FIXTURE_FRAMES; i++) {
      const frame = await fixtureFrame(i);
      const [alpha] = i === 0 ? await core.start(frame, [await fixturePreparedMask()]) : await core.step(frame);
      const s = errorStats(alpha, expected.data.subarray(i * n, (i + 1) * n));
      console.log(`engine parity frame ${String(i).padStart(2)}: max ${s.max.toExponential(2)} mean ${s.mean.toExponential(2)}`);
      worst = { max: Math.max(worst.max, s.max), mean: Math.max(worst.mean, s.mean) };
    }
    expect(worst.max).toBeLessThanOrEqual(1e-3);
    expect(worst.mean).toBeLessThanOrEqual(1e-5);
  } finally {
    await sessions.release();
    model.cleanup();
  }
});
