import * as path from 'path';
import { InferenceCore } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import { sessionRunner } from '../../native-host/engine/session-runner';
import { FIXTURE_FRAMES, fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';
import { errorStats, PARITY_DIR, readF32Safetensors } from '../support/parity-fixture';

/**
 * The fp16 export end to end: its alphas must stay as close to the official fp32 alphas as the official
 * code's own reduced-precision run is (bf16 autocast, which the official script uses on CPU: the fixture's
 * `outputs_autocast_bf16.safetensors`, mean 0.0103 / max 0.095 from fp32). On CPU, onnxruntime evaluates
 * the half graphs through its cast fallbacks, so values are rounded to half where the graph says.
 */
test('fp16 model: alphas within the official bf16 run\'s own distance from fp32', async () => {
  const model = await fixtureModel('fp16');
  const sessions = await openModel(model.dir, ['cpu']);
  try {
    const core = new InferenceCore(sessionRunner(sessions), { warmup: 3, memEvery: 5, maxMemFrames: 5 });
    const fp32 = readF32Safetensors(path.join(PARITY_DIR, 'outputs.safetensors')).get('alpha')!;
    const bf16 = readF32Safetensors(path.join(PARITY_DIR, 'outputs_autocast_bf16.safetensors')).get('alpha_autocast_bf16')!;
    const n = fp32.shape[1] * fp32.shape[2];
    const ours = new Float32Array(fp32.data.length);
    for (let i = 0; i < FIXTURE_FRAMES; i++) {
      const frame = await fixtureFrame(i);
      const [alpha] = i === 0 ? await core.start(frame, [await fixturePreparedMask()]) : await core.step(frame);
      ours.set(alpha, i * n);
    }
    const fp16Distance = errorStats(ours, fp32.data);
    const bf16Distance = errorStats(bf16.data, fp32.data);
    console.log(`fp16 engine vs official fp32: max ${fp16Distance.max.toExponential(2)} mean ${fp16Distance.mean.toExponential(2)}`);
    console.log(`official bf16 autocast vs fp32: max ${bf16Distance.max.toExponential(2)} mean ${bf16Distance.mean.toExponential(2)}`);
    expect(fp16Distance.mean).toBeLessThanOrEqual(bf16Distance.mean);
  } finally {
    await sessions.release();
    model.cleanup();
  }
});
