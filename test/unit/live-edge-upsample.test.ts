import { boxMean } from '../../native-host/live/box-mean';
import { edgeAwareUpsample, type EdgeUpsampleOptions } from '../../native-host/live/edge-upsample';
import { areaResize } from '../../native-host/mask/area-resize';
import { resizeAlphaBilinear } from '../../native-host/matte/resize-alpha';

const W = 512;
const H = 288;
const FACTOR = 4;
const LW = W / FACTOR;
const LH = H / FACTOR;

/**
 * A subject with a known full-resolution alpha: a disc with a 3-pixel soft rim and thin half-transparent
 * strands ("hair") sticking out of its top half, over a textured background, composed as fg·α + bg·(1 − α).
 */
function syntheticScene(): { rgb: Uint8Array; alpha: Float32Array } {
  const alpha = new Float32Array(W * H);
  const cx = 256;
  const cy = 150;
  const radius = 90;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - cx, y - cy);
      let a = Math.min(1, Math.max(0, (radius - d) / 3 + 0.5));
      // strands: every 9°, 1.5 px wide, reaching 30 px past the rim, alpha 0.7
      const angle = Math.atan2(y - cy, x - cx);
      if (angle < 0 && d >= radius && d < radius + 30) {
        const nearest = Math.round(angle / (Math.PI / 20)) * (Math.PI / 20);
        const across = Math.abs(Math.sin(angle - nearest) * d);
        a = Math.max(a, 0.7 * Math.min(1, Math.max(0, 1.25 - across)));
      }
      alpha[y * W + x] = a;
    }
  }
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bg = [120 + 70 * Math.sin(x / 6), 110 + 60 * Math.cos(y / 8), 90 + 50 * Math.sin((x + 2 * y) / 11)];
      const fg = [200 + 30 * Math.sin(y / 15), 150 + 20 * Math.cos(x / 17), 120 + 15 * Math.sin((x - y) / 9)];
      const a = alpha[y * W + x];
      for (let c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = Math.round(fg[c] * a + bg[c] * (1 - a));
    }
  }
  return { rgb, alpha };
}

/** The alpha averaged over FACTOR×FACTOR blocks: what an ideal engine gives at the working size. */
function downscaleAlpha(alpha: Float32Array): Float32Array {
  const out = new Float32Array(LW * LH);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[Math.floor(y / FACTOR) * LW + Math.floor(x / FACTOR)] += alpha[y * W + x] / FACTOR ** 2;
  return out;
}

/** Pixels within FACTOR pixels of where the true alpha is neither 0 nor 1: where upsampling can go wrong. */
function edgeBand(alpha: Float32Array): boolean[] {
  const band: boolean[] = new Array(W * H).fill(false);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let lo = 1;
      let hi = 0;
      for (let dy = -FACTOR; dy <= FACTOR; dy++)
        for (let dx = -FACTOR; dx <= FACTOR; dx++) {
          const v = alpha[Math.min(H - 1, Math.max(0, y + dy)) * W + Math.min(W - 1, Math.max(0, x + dx))];
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      band[y * W + x] = hi - lo > 0.01;
    }
  }
  return band;
}

function meanAbsError(a: Float32Array, b: Float32Array, where: boolean[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++)
    if (where[i]) {
      sum += Math.abs(a[i] - b[i]);
      n++;
    }
  return sum / n;
}

describe('edge-aware upsampling of a low-resolution alpha', () => {
  const scene = syntheticScene();
  const lowAlpha = downscaleAlpha(scene.alpha);
  const low = { width: LW, height: LH, rgb: areaResize(scene.rgb, W, H, LW, LH) };
  const full = { width: W, height: H, rgb: scene.rgb };
  const band = edgeBand(scene.alpha);
  const everywhere: boolean[] = new Array(W * H).fill(true);
  const bilinear = resizeAlphaBilinear(lowAlpha, LW, LH, W, H);
  const bilinearError = meanAbsError(bilinear, scene.alpha, band);

  it.each<[string, EdgeUpsampleOptions, boolean]>([
    ['rgb guide (default)', {}, true],
    // luma cannot tell this subject's colours from the background's as well: better at the edges only
    ['luma guide', { guide: 'luma' }, false],
  ])('is closer to the true alpha near edges than bilinear (%s)', (_name, options, betterEverywhere) => {
    const edge = edgeAwareUpsample(lowAlpha, low, full, options);
    const edgeError = meanAbsError(edge, scene.alpha, band);
    console.log(
      `edge band (${band.filter(Boolean).length} px of ${W * H}), ${LW}×${LH} → ${W}×${H}: mean |error| bilinear ${bilinearError.toFixed(4)}, ` +
        `edge-aware ${edgeError.toFixed(4)} (${JSON.stringify(options)}); whole frame ${meanAbsError(bilinear, scene.alpha, everywhere).toFixed(4)} → ` +
        `${meanAbsError(edge, scene.alpha, everywhere).toFixed(4)}`,
    );
    expect(edgeError).toBeLessThan(bilinearError);
    if (betterEverywhere) expect(meanAbsError(edge, scene.alpha, everywhere)).toBeLessThan(meanAbsError(bilinear, scene.alpha, everywhere));
    expect(edge.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('keeps a flat region flat: over a uniform frame it gives the bilinear upsample', () => {
    const grey = { width: W, height: H, rgb: new Uint8Array(W * H * 3).fill(90) };
    const lowGrey = { width: LW, height: LH, rgb: new Uint8Array(LW * LH * 3).fill(90) };
    const edge = edgeAwareUpsample(lowAlpha, lowGrey, grey);
    const boxed = edgeAwareUpsample(lowAlpha, lowGrey, grey, { radius: 0 });
    // With nothing to follow, a = 0 and b is the box mean of the alpha (radius 0: the alpha itself).
    for (let i = 0; i < W * H; i += 97) expect(boxed[i]).toBeCloseTo(bilinear[i], 5);
    expect(meanAbsError(edge, bilinear, everywhere)).toBeLessThan(0.05);
  });

  it('returns the alpha itself when the frame is already at the working size', () => {
    expect(edgeAwareUpsample(lowAlpha, low, { ...low })).toBe(lowAlpha);
  });

  it('refuses an alpha of the wrong size', () => {
    expect(() => edgeAwareUpsample(lowAlpha.subarray(1), low, full)).toThrow(RangeError);
  });
});

describe('box mean by running sums', () => {
  it.each([0, 1, 3, 20])('equals the brute-force mean over the clipped window (r = %i)', (r) => {
    const [w, h] = [17, 11];
    const src = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const got = boxMean(src, w, h, r);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let sum = 0;
        let n = 0;
        for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++)
          for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) {
            sum += src[v * w + u];
            n++;
          }
        expect(got[y * w + x]).toBeCloseTo(sum / n, 6);
      }
  });
});
