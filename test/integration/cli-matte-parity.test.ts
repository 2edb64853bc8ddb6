import * as path from 'path';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { runCli } from '../support/cli';
import { alphaFrames, readAlpha16 } from '../support/alpha-png';
import { errorStats, PARITY_DIR, readF32Safetensors } from '../support/parity-fixture';

/**
 * Issue #3's full-clip parity, through the command users run: the fixture's frame folder, its raw mask
 * (dilated and eroded by the CLI's defaults), the official-format checkpoint converted on the fly, 3 warm-up
 * passes, 16-bit alpha PNGs. Bound: 1e-3 max and 1e-5 mean against the official fp32 alphas, per frame.
 */
test('matanyone matte reproduces the official alphas of the fixture clip', async () => {
  const tmp = makeTempDir();
  try {
    const out = path.join(tmp.dir, 'out');
    const r = runCli(
      ['matte', '--input', PARITY_DIR, '--mask', path.join(PARITY_DIR, 'mask.png'), '--model', path.join(PARITY_DIR, 'weights.safetensors'), '--warmup', '3', '--alpha', 'png16', '--out', out, '--ep', 'cpu'],
      { timeoutMs: 300_000, env: { MATANYONE_HOME: path.join(tmp.dir, 'home') } },
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/done: 12 frames/);
    const expected = readF32Safetensors(path.join(PARITY_DIR, 'outputs.safetensors')).get('alpha')!;
    const [frames, h, w] = expected.shape;
    expect(alphaFrames(out)).toHaveLength(frames);
    let max = 0;
    let mean = 0;
    for (let f = 0; f < frames; f++) {
      const png = await readAlpha16(out, f);
      expect([png.width, png.height]).toEqual([w, h]);
      const s = errorStats(png.alpha, expected.data.subarray(f * w * h, (f + 1) * w * h));
      console.log(`matte parity frame ${String(f).padStart(2)}: max ${s.max.toExponential(2)} mean ${s.mean.toExponential(2)}`);
      max = Math.max(max, s.max);
      mean = Math.max(mean, s.mean);
    }
    console.log(`matte parity (png16, whole clip): worst max ${max.toExponential(2)}, worst mean ${mean.toExponential(2)}`);
    expect(max).toBeLessThanOrEqual(1e-3);
    expect(mean).toBeLessThanOrEqual(1e-5);
  } finally {
    tmp.cleanup();
  }
});
