import { alphaToGreyYuv422p10, rgbAlphaToYuva444p10 } from '../../native-host/video/ycbcr';

describe('rgbAlphaToYuva444p10 (BT.709, 10-bit video range)', () => {
  it('maps black, white, red and blue to the BT.709 codes, planar Y, Cb, Cr, A', () => {
    const rgb = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]);
    const out = rgbAlphaToYuva444p10(rgb, Float32Array.from([0, 1, 0.5, 0.25]));
    const n = 4;
    const plane = (k: number) => Array.from(out.subarray(k * n, (k + 1) * n));
    // red: Y = 64 + 876·0.2126 = 250.2, Cr = 512 + 448 = 960, Cb = 512 − 896·0.2126/1.8556 = 409.3
    // blue: Y = 64 + 876·0.0722 = 127.2, Cb = 960, Cr = 512 − 896·0.0722/1.5748 = 470.9
    expect(plane(0)).toEqual([64, 940, 250, 127]);
    expect(plane(1)).toEqual([512, 512, 409, 960]);
    expect(plane(2)).toEqual([512, 512, 960, 471]);
    // alpha: round_half_even(α·1023): 511.5 → 512, 255.75 → 256
    expect(plane(3)).toEqual([0, 1023, 512, 256]);
  });
});

describe('alphaToGreyYuv422p10', () => {
  it('Y = 64 + 876·α (half to even), neutral chroma of ⌈w/2⌉ per row for odd widths', () => {
    const alpha = Float32Array.from([0, 1, 0.5, 0.25, 2, -1]); // 3×2
    const out = alphaToGreyYuv422p10(alpha, 3, 2);
    expect(out).toHaveLength(6 + 2 * 2 * 2);
    expect(Array.from(out.subarray(0, 6))).toEqual([64, 940, 502, 283, 940, 64]);
    expect(Array.from(out.subarray(6)).every((v) => v === 512)).toBe(true);
  });
});
