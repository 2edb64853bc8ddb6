/**
 * Frames that name themselves, for transport latency benches: the frame's index as 16 opaque black/white
 * stripes across its top half (white = 1), its bottom half transparent. A screenshot's barcode names the
 * frame it shows, so send → visible is measured without trusting either side's clock.
 */
export const BITS = 16;

export interface Stats {
  min: number;
  median: number;
  p90: number;
  max: number;
}

/** A straight-RGBA frame whose top half is `index` as BITS stripes and bottom half transparent. */
export function barcodeFrame(index: number, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const stripe = width / BITS;
  for (let x = 0; x < width; x++) {
    const bit = (index >> (BITS - 1 - Math.floor(x / stripe))) & 1;
    rgba[x * 4] = rgba[x * 4 + 1] = rgba[x * 4 + 2] = bit ? 255 : 0;
    rgba[x * 4 + 3] = 255;
  }
  // the other rows of the top half copy the first (the frame is made at the send rate: keep it cheap)
  for (let y = 1; y < height / 2; y++) rgba.copyWithin(y * width * 4, 0, width * 4);
  return rgba;
}

/**
 * Reads the index from row `row` of an RGBA picture `width` pixels wide (default: a quarter down a picture
 * `height` tall, inside the barcode); undefined while that row is not opaque (no frame shown yet).
 */
export function readBarcode(rgba: Uint8Array, width: number, height: number, row = Math.floor(height / 4)): number | undefined {
  let index = 0;
  for (let b = 0; b < BITS; b++) {
    const i = (row * width + Math.floor((b + 0.5) * (width / BITS))) * 4;
    if (rgba[i + 3] !== 255) return undefined;
    index = (index << 1) | (rgba[i] > 127 ? 1 : 0);
  }
  return index;
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { min: s[0], median: at(0.5), p90: at(0.9), max: s[s.length - 1] };
}

/** Stats rounded to 0.1 ms, for printing. */
export function rounded(s: Stats): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}
