/**
 * PIL's `convert('L')` of one RGB pixel (ITU-R 601-2 luma in 16-bit fixed point, spec §3.1 step 4):
 * `(19595·R + 38470·G + 7471·B + 32768) >> 16`.
 */
export function pilLuma(r: number, g: number, b: number): number {
  return (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
}

/**
 * `convert('L')` of interleaved RGB (alpha already dropped, as PIL ignores it for RGBA).
 *
 * @param rgb - width·height·3 bytes
 * @returns width·height grey bytes
 */
export function rgbToPilGrey(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = pilLuma(rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]);
  return out;
}
