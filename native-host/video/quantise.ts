/**
 * NumPy's `round` (round half to even), as the official script applies to its outputs (spec §4.6).
 * `Math.round` rounds halves up, which differs on exact .5 values such as 0.5·255 = 127.5.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Clamps to [lo, hi]; NaN becomes lo. */
function clip(x: number, lo: number, hi: number): number {
  return x > lo ? (x < hi ? x : hi) : lo;
}

/**
 * Alpha to 8 bits: `round_half_even(clip(alpha·255, 0, 255))` with the product in float32 (spec §3.8).
 *
 * @param alpha - width·height values in [0, 1]
 * @returns width·height bytes
 */
export function alphaToU8(alpha: Float32Array): Uint8Array {
  const out = new Uint8Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) out[i] = roundHalfEven(clip(Math.fround(alpha[i] * 255), 0, 255));
  return out;
}

/**
 * Alpha to 16 bits: `round_half_even(clip(alpha·65535, 0, 65535))`, product in float32.
 *
 * @param alpha - width·height values in [0, 1]
 * @returns width·height samples
 */
export function alphaToU16(alpha: Float32Array): Uint16Array {
  const out = new Uint16Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) out[i] = roundHalfEven(clip(Math.fround(alpha[i] * 65535), 0, 65535));
  return out;
}

/**
 * The official green-screen composite (spec §3.8): `com = frame/255·α + color/255·(1−α)` evaluated in
 * float32 step by step (each `Math.fround` is one NumPy float32 operation), then
 * `round_half_even(clip(com·255, 0, 255))`.
 *
 * @param rgb - the frame, RGB24 row-major (width·height·3)
 * @param alpha - width·height values in [0, 1]
 * @param color - background RGB, 0..255 each
 * @returns RGB24, same layout as `rgb`
 */
export function compositeOver(rgb: Uint8Array, alpha: Float32Array, color: readonly [number, number, number]): Uint8Array {
  const out = new Uint8Array(rgb.length);
  const background = color.map((c) => Math.fround(c / 255));
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p];
    const rest = Math.fround(1 - a);
    for (let c = 0; c < 3; c++) {
      const i = 3 * p + c;
      const subject = Math.fround(Math.fround(rgb[i] / 255) * a);
      const com = Math.fround(subject + Math.fround(background[c] * rest));
      out[i] = roundHalfEven(clip(Math.fround(com * 255), 0, 255));
    }
  }
  return out;
}
