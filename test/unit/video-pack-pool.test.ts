import { spawnSync } from 'child_process';
/**
 * The pack pool spreads one frame's RGB + α → yuva444p10 over threads; the result must be the inline
 * conversion's, sample for sample, at any band split (sizes that do not divide evenly, several frames in flight).
 */
import { PackPool } from '../../native-host/video/pack-pool';
import { openOutputs } from '../../native-host/video/outputs';
import { rgbAlphaToYuva444p10 } from '../../native-host/video/ycbcr';
import { decodeRaw, makeVideoTempDir } from '../support/video-fixtures';

/** A deterministic frame with every byte value and alphas on and between the 10-bit steps. */
function frame(width: number, height: number, seed: number): { rgb: Uint8Array; alpha: Float32Array } {
  const n = width * height;
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  return { rgb: Uint8Array.from({ length: 3 * n }, () => next() & 255), alpha: Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (next() % 1024) / 1023 : (next() % 100000) / 99999)) };
}

test.each([
  [3, 1280, 720],
  [4, 641, 361], // bands that do not divide the frame evenly
])('%i threads, %ix%i: equal to the inline conversion', async (threads, width, height) => {
  const pool = new PackPool(threads);
  try {
    const frames = [frame(width, height, 1), frame(width, height, 2)];
    const pooled = await Promise.all(frames.map((f) => pool.yuva444p10(f.rgb, f.alpha)));
    for (const [i, f] of frames.entries()) expect(Buffer.from(pooled[i].buffer).equals(Buffer.from(rgbAlphaToYuva444p10(f.rgb, f.alpha).buffer))).toBe(true);
  } finally {
    await pool.close();
  }
});

test('small frames are packed inline (threads would cost more than they save)', async () => {
  const pool = new PackPool(2);
  try {
    const f = frame(64, 36, 3);
    const out = await pool.yuva444p10(f.rgb, f.alpha);
    expect(out.buffer).toBeInstanceOf(ArrayBuffer); // not a SharedArrayBuffer: no worker was involved
    expect(Array.from(out)).toEqual(Array.from(rgbAlphaToYuva444p10(f.rgb, f.alpha)));
  } finally {
    await pool.close();
  }
});

test('matte.mov written through the pool (MATANYONE_PACK_THREADS=2): exact 10-bit alpha, RGB within ±3', async () => {
  process.env.MATANYONE_PACK_THREADS = '2';
  const tmp = makeVideoTempDir('pack-pool-');
  try {
    const [W, H] = [640, 360];
    expect(PackPool.shared()?.threads).toBe(2);
    const sink = await openOutputs(tmp.dir, [{ kind: 'prores4444' }], { width: W, height: H, fps: { num: 25, den: 1 } });
    const frames = [frame(W, H, 4), frame(W, H, 5)];
    for (const [i, f] of frames.entries()) await sink.write({ index: i, width: W, height: H, data: f.rgb }, f.alpha);
    const [file] = await sink.close();
    const alphas = decodeRaw(file.path, 'gray16le', ['-vf', 'alphaextract']);
    const rgb = decodeRaw(file.path, 'rgb24');
    for (const [i, f] of frames.entries()) {
      const expected = rgbAlphaToYuva444p10(f.rgb, f.alpha).subarray(3 * W * H);
      for (let p = 0; p < W * H; p++) expect(alphas.readUInt16LE(2 * (i * W * H + p)) >> 6).toBe(expected[p]);
      let worst = 0;
      for (let b = 0; b < W * H * 3; b++) worst = Math.max(worst, Math.abs(rgb[i * W * H * 3 + b] - f.rgb[b]));
      console.log(`frame ${i}: RGB max abs ${worst}`);
    }
  } finally {
    await PackPool.shared()?.close();
    delete process.env.MATANYONE_PACK_THREADS;
    tmp.cleanup();
  }
});

test('an idle pool does not keep Node alive, a busy one does (a script ends once its frame is packed)', () => {
  const script = `
    const { PackPool } = require(${JSON.stringify(require.resolve('../../dist/native-host/video/pack-pool.js'))});
    const n = 1280 * 720;
    new PackPool(1).yuva444p10(new Uint8Array(n * 3), new Float32Array(n)).then((out) => console.log('packed', out.length));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.signal).toBeNull(); // not killed by the timeout: the process ended by itself
  expect(r.stdout).toBe(`packed ${4 * 1280 * 720}\n`);
});
