import { evenSize, padRgbToEven } from '../../native-host/video/pixel-packing';

describe('padRgbToEven (odd sizes for 4:2:0 H.264)', () => {
  it('repeats the last column and row', () => {
    // 3×1: pixels A, B, C → 4×2: A B C C / A B C C
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(evenSize(3, 1)).toEqual({ width: 4, height: 2 });
    const row = [1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 8, 9];
    expect(Array.from(padRgbToEven(rgb, 3, 1))).toEqual([...row, ...row]);
  });

  it('returns even-sized frames untouched', () => {
    const rgb = new Uint8Array(4 * 2 * 3);
    expect(padRgbToEven(rgb, 4, 2)).toBe(rgb);
  });
});
