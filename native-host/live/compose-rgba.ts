/**
 * A frame's own RGB with its own alpha as straight RGBA bytes (what a LiveOutput sends): picture and matte
 * come from the same captured frame, so they cannot drift apart.
 *
 * @param rgb - width·height·3 bytes
 * @param alpha - width·height values in 0…1 (rounded to bytes)
 */
export function composeRgba(rgb: Uint8Array, alpha: Float32Array): Uint8Array {
  const n = alpha.length;
  if (rgb.length !== n * 3) throw new RangeError(`RGB has ${rgb.length} bytes for ${n} alpha values`);
  const out = new Uint8Array(n * 4);
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 3, q += 4) {
    out[q] = rgb[p];
    out[q + 1] = rgb[p + 1];
    out[q + 2] = rgb[p + 2];
    const a = alpha[i];
    out[q + 3] = a <= 0 ? 0 : a >= 1 ? 255 : Math.round(a * 255);
  }
  return out;
}
