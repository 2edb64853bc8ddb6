import { roundHalfEven } from './quantise';

/**
 * 10-bit BT.709 video-range Y′CbCr(A) built in Node for the ProRes encoders. Doing this here rather than
 * in swscale keeps the alpha and the matte exact: swscale maps 16-bit grey to Y with a gain a little
 * above 876/65535 (white lands on 943, not 940) and shifts alpha down to 10 bits without rounding.
 */

const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;
/** Video range, 10 bits: Y 64…940, Cb/Cr 512 ± 448; alpha is always full range 0…1023. */
const Y_BLACK = 64;
const Y_SPAN = 876;
const C_MID = 512;
const C_SPAN = 896;

/** 10-bit alpha: round_half_even(clip(α·1023)) with the product in float32, like the 8/16-bit outputs. */
function alpha10(a: number): number {
  const v = Math.fround(a * 1023);
  return roundHalfEven(v > 0 ? (v < 1023 ? v : 1023) : 0);
}

/**
 * RGB24 + alpha → planar yuva444p10 (Y plane, Cb plane, Cr plane, A plane), BT.709, video range.
 *
 * @param rgb - width·height·3 bytes
 * @param alpha - width·height values in [0, 1]
 * @returns 4·width·height samples (ffmpeg `yuva444p10le` in host order)
 */
export function rgbAlphaToYuva444p10(rgb: Uint8Array, alpha: Float32Array): Uint16Array {
  const out = new Uint16Array(4 * alpha.length);
  rgbAlphaToYuva444p10Into(rgb, alpha, out, 0, alpha.length);
  return out;
}

/**
 * {@link rgbAlphaToYuva444p10} for pixels [from, to) only, into `out` (4·n samples, n = alpha.length): what
 * the pack pool's workers each do for their band of rows.
 */
export function rgbAlphaToYuva444p10Into(rgb: Uint8Array, alpha: Float32Array, out: Uint16Array, from: number, to: number): void {
  const n = alpha.length;
  for (let p = from; p < to; p++) {
    const r = rgb[3 * p] / 255;
    const g = rgb[3 * p + 1] / 255;
    const b = rgb[3 * p + 2] / 255;
    const y = KR * r + KG * g + KB * b;
    out[p] = Math.round(Y_BLACK + Y_SPAN * y);
    out[n + p] = Math.round(C_MID + (C_SPAN * (b - y)) / (2 * (1 - KB)));
    out[2 * n + p] = Math.round(C_MID + (C_SPAN * (r - y)) / (2 * (1 - KR)));
    out[3 * n + p] = alpha10(alpha[p]);
  }
}

/**
 * Alpha → planar yuv422p10 grey (Y = 64 + 876·α rounded half to even, neutral chroma), for track mattes:
 * an editor decoding video range gets α back as the luma.
 *
 * @param alpha - width·height values in [0, 1]
 * @returns width·height + 2·⌈width/2⌉·height samples (ffmpeg `yuv422p10le` in host order)
 */
export function alphaToGreyYuv422p10(alpha: Float32Array, width: number, height: number): Uint16Array {
  const chroma = Math.ceil(width / 2) * height;
  const out = new Uint16Array(width * height + 2 * chroma).fill(C_MID);
  for (let p = 0; p < width * height; p++) {
    const a = alpha[p] > 0 ? (alpha[p] < 1 ? alpha[p] : 1) : 0;
    out[p] = roundHalfEven(Y_BLACK + Y_SPAN * a);
  }
  return out;
}
