import * as path from 'path';
import sharp from 'sharp';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import { InferenceCore } from '../../native-host/engine/inference-core';
import { openModel } from '../../native-host/engine/model-sessions';
import { sessionRunner } from '../../native-host/engine/session-runner';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { errorStats, PARITY_DIR, readF32Safetensors } from '../support/parity-fixture';

async function rgbFrame(i: number) {
  const { data, info } = await sharp(path.join(PARITY_DIR, `frame_${String(i).padStart(4, '0')}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

test('engine over the fixture clip', async () => {
  const tmp = makeTempDir();
  const { dir } = await convertCheckpoint({ checkpoint: path.join(PARITY_DIR, 'weights.safetensors'), outDir: path.join(tmp.dir, 'm') });
  const model = await openModel(dir, ['cpu']);
  const core = new InferenceCore(sessionRunner(model), { warmup: 3, memEvery: 5, maxMemFrames: 5 });
  const mask = new Uint8Array((await sharp(path.join(PARITY_DIR, 'mask_prepared.png')).extractChannel(0).raw().toBuffer()));
  const expected = readF32Safetensors(path.join(PARITY_DIR, 'outputs.safetensors')).get('alpha')!;
  const n = 240 * 426;
  const t0 = Date.now();
  let alpha = (await core.start(await rgbFrame(0), [mask]))[0];
  for (let i = 0; i < 12; i++) {
    if (i > 0) alpha = (await core.step(await rgbFrame(i)))[0];
    const s = errorStats(alpha, expected.data.subarray(i * n, (i + 1) * n));
    console.log(`frame ${i}: max ${s.max.toExponential(2)} mean ${s.mean.toExponential(2)}`);
  }
  console.log('ms', Date.now() - t0);
  await model.release();
  tmp.cleanup();
});
