import { areaResize, maxSizeDims } from '../../native-host/mask/area-resize';

/** A w×h RGB image whose three channels are `f(x, y)`, `f(x, y) + 1` and `2·f(x, y)`. */
function image(w: number, h: number, f: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = f(x, y);
      out.set([v, v + 1, 2 * v], (y * w + x) * 3);
    }
  return out;
}

const channel = (rgb: Float32Array, c: number) => Array.from(rgb.filter((_, i) => i % 3 === c));

describe('areaResize (PyTorch mode="area" = adaptive average pooling)', () => {
  it('an exact factor is plain block averaging: 4×2 → 2×1', () => {
    const src = image(4, 2, (x, y) => [10, 20, 30, 40, 50, 60, 70, 80][y * 4 + x]);
    const out = areaResize(src, 4, 2, 2, 1);
    expect(channel(out, 0)).toEqual([(10 + 20 + 50 + 60) / 4, (30 + 40 + 70 + 80) / 4]);
    expect(channel(out, 1)).toEqual([36, 56]);
    expect(channel(out, 2)).toEqual([70, 110]);
  });

  it('overlapping bins: 3 → 2 averages inputs {0,1} and {1,2}', () => {
    // out i covers floor(i·3/2) … ceil((i+1)·3/2) − 1: i=0 → 0..1, i=1 → 1..2
    const out = areaResize(image(3, 1, (x) => [0, 10, 40][x]), 3, 1, 2, 1);
    expect(channel(out, 0)).toEqual([5, 25]);
  });

  it('5 → 3 along y: bins {0,1}, {1,2,3}, {3,4}', () => {
    const out = areaResize(image(1, 5, (_, y) => [1, 2, 4, 8, 16][y]), 1, 5, 1, 3);
    expect(channel(out, 0)).toEqual([1.5, Math.fround(14 / 3), 12]);
  });

  it('is separable: 2-D bins are the product of the 1-D bins (7×5 → 3×2)', () => {
    const f = (x: number, y: number) => (x * 37 + y * 11) % 100;
    const out = areaResize(image(7, 5, f), 7, 5, 3, 2);
    const bins = (inSize: number, outSize: number, i: number) => [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
    for (let oy = 0; oy < 2; oy++)
      for (let ox = 0; ox < 3; ox++) {
        const [y0, y1] = bins(5, 2, oy);
        const [x0, x1] = bins(7, 3, ox);
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += f(x, y);
        expect(out[(oy * 3 + ox) * 3]).toBe(Math.fround(sum / ((y1 - y0) * (x1 - x0))));
      }
  });

  it('the same size returns the values unchanged as float32', () => {
    const src = image(3, 2, (x, y) => x + 10 * y);
    expect(Array.from(areaResize(src, 3, 2, 3, 2))).toEqual(Array.from(src));
  });
});

describe('maxSizeDims (--max_size)', () => {
  it('truncates like Python int(): 1920×1080 with 720 → 1280×720', () => {
    expect(maxSizeDims(1920, 1080, 720)).toEqual({ width: 1280, height: 720 });
  });

  it('1000×750 with 512 → int(1000/750·512) = 682 (682.67 truncated) × 512', () => {
    expect(maxSizeDims(1000, 750, 512)).toEqual({ width: 682, height: 512 });
  });

  it('portrait 1080×1920 with 480 → 480×853', () => {
    expect(maxSizeDims(1080, 1920, 480)).toEqual({ width: 480, height: 853 });
  });

  it('keeps the size when the short side is not above the limit, or the limit is off', () => {
    expect(maxSizeDims(1280, 720, 720)).toEqual({ width: 1280, height: 720 });
    expect(maxSizeDims(1280, 720, 1080)).toEqual({ width: 1280, height: 720 });
    expect(maxSizeDims(1280, 720, -1)).toEqual({ width: 1280, height: 720 });
  });
});
