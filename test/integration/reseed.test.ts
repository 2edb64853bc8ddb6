/**
 * The drift guard's re-seed: a correction with `refine` writes the mask into memory as any correction does,
 * then predicts the frame from that memory, so the output is a matte that moved to the new mask, not the
 * binary mask itself; `matte --reseed` reports each check and re-seeds on the fixture clip.
 */
import * as os from 'os';
import * as path from 'path';
import { EngineClient } from '../../native-host/engine/worker/engine-client';
import { expectOneLineError, runCli, runCliAsync } from '../support/cli';
import { fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';
import { PARITY_A } from '../support/video-fixtures';

const OPTIONS = { warmup: 1, memEvery: 5, maxMemFrames: 5 };

/** IoU of a matte (α ≥ 0.5) with a 0/255 mask. */
function iou(alpha: Float32Array, mask: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const a = alpha[i] >= 0.5;
    const m = mask[i] !== 0;
    if (a && m) inter++;
    if (a || m) union++;
  }
  return inter / union;
}

test('a refined correction outputs a matte predicted from the corrected memory', async () => {
  const model = await fixtureModel();
  try {
    const frames = await Promise.all(Array.from({ length: 5 }, (_, i) => fixtureFrame(i)));
    const mask = await fixturePreparedMask();
    const shifted = new Uint8Array(mask.length);
    for (let y = 0; y < 240; y++) for (let x = 40; x < 426; x++) shifted[y * 426 + x] = mask[y * 426 + x - 40];
    const run = async (options?: { refine: boolean }) => {
      const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
      try {
        const out = [await engine.start(frames[0], [mask])];
        for (let i = 1; i < frames.length; i++) out.push(await engine.step(frames[i], i === 3 ? new Map([[0, shifted]]) : undefined, options));
        return out.map((a) => a[0]);
      } finally {
        await engine.close();
      }
    };
    const plain = await run();
    const refined = await run({ refine: true });
    const binaryAt3 = plain[3].every((v, i) => Math.abs(v - shifted[i] / 255) < 1e-7);
    expect(binaryAt3).toBe(true); // without refine: the mask itself (as a panel correction)
    const soft = refined[3].filter((v) => v > 0.02 && v < 0.98).length;
    console.log(`refined frame 3: IoU ${iou(refined[3], shifted).toFixed(3)} with the new mask, ${iou(refined[3], mask).toFixed(3)} with the old; ${soft} soft pixels`);
    expect(soft).toBeGreaterThan(0);
    expect(iou(refined[3], shifted)).toBeGreaterThan(iou(refined[3], mask));
    // Frames before the re-seed are untouched.
    for (let f = 0; f < 3; f++) expect(refined[f]).toEqual(plain[f]);
  } finally {
    model.cleanup();
  }
});

test('matte --reseed checks every N seconds of video and re-seeds a matte that left its person', async () => {
  const model = await fixtureModel();
  try {
    const out = path.join(os.tmpdir(), `reseed-${process.pid}`);
    // The fixture's frame folder plays at 25 fps: 0.12 s is every 3 frames. The random-weight model's matte
    // drifts off the people at once, so each check re-seeds.
    const r = await runCliAsync(['matte', PARITY_A, '--mask', 'auto', '--to', '6', '--warmup', '1', '--ep', 'cpu', '--model', model.dir, '--out', out, '--alpha', 'png8', '--reseed', '0.12'], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('reseed:'));
    console.log(lines.join('\n'));
    expect(lines.map((l) => l.match(/frame (\d+)/)![1])).toEqual(['3', '6']);
    for (const l of lines) expect(l).toMatch(/^reseed: frame \d+: IoU \d\.\d\d, (re-seeded from the person mask|kept)$/);
    expect(r.stdout).toMatch(/done: 7 frames/);
  } finally {
    model.cleanup();
  }
});

test('--reseed values are checked', () => {
  // parse errors come before any model or video work
  expectOneLineError(runCli(['matte', PARITY_A, '--mask', 'auto', '--out', '/tmp/x', '--reseed', '0']), /--reseed: "0" should be a number above 0/);
  expectOneLineError(runCli(['matte', PARITY_A, '--mask', 'auto', '--out', '/tmp/x', '--reseed', '2', '--reseed-iou', '1.5']), /--reseed-iou: "1.5" should be a number above 0 and at most 1/);
  expectOneLineError(runCli(['matte', PARITY_A, '--mask', 'auto', '--out', '/tmp/x', '--reseed-iou', '0.5']), /--reseed-iou goes with --reseed/);
});
