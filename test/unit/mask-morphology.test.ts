import * as path from 'path';
import sharp from 'sharp';
import { ellipseKernel, kernelTable, prepareMask } from '../../native-host/mask/morphology';
import { PARITY_A } from '../support/video-fixtures';

/** The 10×10 element printed in spec §3.1 step 4. */
const SPEC_KERNEL_10 = `
0 0 0 0 0 1 0 0 0 0
0 0 1 1 1 1 1 1 1 0
0 1 1 1 1 1 1 1 1 1
1 1 1 1 1 1 1 1 1 1
1 1 1 1 1 1 1 1 1 1
1 1 1 1 1 1 1 1 1 1
1 1 1 1 1 1 1 1 1 1
1 1 1 1 1 1 1 1 1 1
0 1 1 1 1 1 1 1 1 1
0 0 1 1 1 1 1 1 1 0`;

const table = (text: string) => text.trim().split(/\s+/).map(Number);

/** OpenCV's ellipse rule written out densely, independently of the row-span code under test. */
function denseEllipse(size: number): number[][] {
  const r = Math.floor(size / 2);
  return Array.from({ length: size }, (_, i) =>
    Array.from({ length: size }, (_, j) => {
      const dy = i - r;
      if (Math.abs(dy) > r) return 0;
      const exact = r === 0 ? 0 : r * Math.sqrt((r * r - dy * dy) / (r * r));
      const dx = Math.abs(exact - Math.trunc(exact) - 0.5) < 1e-12 ? Math.trunc(exact) + (Math.trunc(exact) % 2) : Math.round(exact);
      return j >= Math.max(r - dx, 0) && j < Math.min(r + dx + 1, size) ? 1 : 0;
    }),
  );
}

/** cv2.dilate / cv2.erode by definition: max/min over the element's ones, outside samples ignored. */
function bruteMorph(src: Uint8Array, w: number, h: number, size: number, op: 'dilate' | 'erode'): Uint8Array {
  const k = denseEllipse(size);
  const a = Math.floor(size / 2);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = op === 'dilate' ? 0 : 1;
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          const sy = y + i - a;
          const sx = x + j - a;
          if (!k[i][j] || sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
          v = op === 'dilate' ? Math.max(v, src[sy * w + sx]) : Math.min(v, src[sy * w + sx]);
        }
      out[y * w + x] = v;
    }
  return out;
}

/** The official gen_dilate + gen_erosion by definition. */
function brutePrepare(grey: Uint8Array, w: number, h: number, dilate: number, erode: number): Uint8Array {
  if (dilate === 0 && erode === 0) return grey;
  let b: Uint8Array = dilate > 0 ? grey.map((v) => (v !== 0 ? 1 : 0)) : grey.map((v) => (v === 255 ? 1 : 0));
  if (dilate > 0) b = bruteMorph(b, w, h, dilate, 'dilate');
  if (erode > 0) b = bruteMorph(b, w, h, erode, 'erode');
  return b.map((v) => v * 255);
}

/** Random blobs, lines and specks on a grey background, some touching the border (xorshift32). */
function randomMask(w: number, h: number, seed: number): Uint8Array {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const mask = new Uint8Array(w * h);
  for (let n = 0; n < 6; n++) {
    const cx = next() * w;
    const cy = next() * h;
    const rx = 1 + next() * w * 0.3;
    const ry = 1 + next() * h * 0.3;
    const value = next() < 0.7 ? 255 : 1 + Math.floor(next() * 254);
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) if (((xx - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) mask[y * w + xx] = value;
  }
  for (let i = 0; i < w * h; i++) if (next() < 0.03) mask[i] = next() < 0.5 ? 0 : 255;
  return mask;
}

async function readGrey(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).extractChannel(0).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('ellipseKernel', () => {
  it('size 10 equals the table in the spec (83 ones, asymmetric)', () => {
    const kernel = ellipseKernel(10);
    expect(Array.from(kernelTable(kernel))).toEqual(table(SPEC_KERNEL_10));
    expect(kernel.anchor).toBe(5);
    expect(table(SPEC_KERNEL_10).filter((v) => v === 1)).toHaveLength(83);
  });

  it('sizes 1, 3 and 5 are OpenCV’s familiar elements', () => {
    expect(Array.from(kernelTable(ellipseKernel(1)))).toEqual([1]);
    expect(Array.from(kernelTable(ellipseKernel(3)))).toEqual(table('0 1 0  1 1 1  0 1 0'));
    expect(Array.from(kernelTable(ellipseKernel(5)))).toEqual(table('0 0 1 0 0  1 1 1 1 1  1 1 1 1 1  1 1 1 1 1  0 0 1 0 0'));
  });

  it.each([2, 4, 6, 7, 8, 9, 11, 15, 16, 25])('size %i follows OpenCV’s rule', (size) => {
    expect(Array.from(kernelTable(ellipseKernel(size)))).toEqual(denseEllipse(size).flat());
  });
});

describe('prepareMask', () => {
  it('dilate 10 + erode 10 of parity-a/mask.png equals mask_prepared.png exactly', async () => {
    const mask = await readGrey(path.join(PARITY_A, 'mask.png'));
    const expected = await readGrey(path.join(PARITY_A, 'mask_prepared.png'));
    expect([mask.width, mask.height]).toEqual([426, 240]);
    const prepared = prepareMask(mask.data, 426, 240, { dilate: 10, erode: 10 });
    let differing = 0;
    for (let i = 0; i < prepared.length; i++) if (prepared[i] !== expected.data[i]) differing++;
    expect(differing).toBe(0);
    expect(prepared.some((v, i) => v !== mask.data[i])).toBe(true); // the closing did change something
  });

  const cases: Array<[number, number, number, number]> = [
    [10, 10, 57, 41],
    [3, 3, 33, 20],
    [4, 7, 29, 31],
    [7, 4, 40, 17],
    [1, 2, 16, 16],
    [16, 9, 50, 23],
    [5, 0, 21, 34],
    [0, 6, 38, 19],
    [25, 25, 30, 30],
    [10, 10, 3, 2],
    [9, 6, 1, 7],
  ];
  it.each(cases)('dilate %i, erode %i on random %i×%i masks equals the brute-force definition', (dilate, erode, w, h) => {
    for (let seed = 1; seed <= 4; seed++) {
      const grey = randomMask(w, h, seed * 7919 + dilate * 31 + erode);
      expect(Array.from(prepareMask(grey, w, h, { dilate, erode }))).toEqual(Array.from(brutePrepare(grey, w, h, dilate, erode)));
    }
  });

  it('with both sizes 0 returns the grey values (a soft mask) as a copy', () => {
    const grey = Uint8Array.from([0, 10, 128, 255]);
    const out = prepareMask(grey, 2, 2, { dilate: 0, erode: 0 });
    expect(Array.from(out)).toEqual([0, 10, 128, 255]);
    expect(out).not.toBe(grey);
  });

  it('erode only binarises at == 255 (a 254 region vanishes)', () => {
    const grey = new Uint8Array(100).fill(254);
    expect(prepareMask(grey, 10, 10, { dilate: 0, erode: 3 }).every((v) => v === 0)).toBe(true);
    expect(prepareMask(grey, 10, 10, { dilate: 3, erode: 3 }).every((v) => v === 255)).toBe(true);
  });

  it('is fast enough for a 4K mask', () => {
    const w = 3840;
    const h = 2160;
    const grey = new Uint8Array(w * h);
    for (let y = 500; y < 1700; y++) grey.fill(255, y * w + 1000, y * w + 2800);
    const started = performance.now();
    const out = prepareMask(grey, w, h, { dilate: 10, erode: 10 });
    const ms = performance.now() - started;
    expect(out[1000 * w + 1900]).toBe(255);
    expect(ms).toBeLessThan(5000);
  });
});
