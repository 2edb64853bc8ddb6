/** The bytes of a 16-bit array in the host's byte order (no copy). */
export function bytesOf(samples: Uint16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Width and height rounded up to even numbers, as 4:2:0 chroma needs. */
export function evenSize(width: number, height: number): { width: number; height: number } {
  return { width: width + (width % 2), height: height + (height % 2) };
}

/**
 * Pads an RGB24 frame to {@link evenSize} by repeating its last column and row (an edge copy shows no
 * seam, unlike black); returns the input itself when both sides are already even.
 */
export function padRgbToEven(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const even = evenSize(width, height);
  if (even.width === width && even.height === height) return rgb;
  const out = new Uint8Array(even.width * even.height * 3);
  const rowBytes = width * 3;
  const outRowBytes = even.width * 3;
  for (let y = 0; y < even.height; y++) {
    const src = Math.min(y, height - 1) * rowBytes;
    const dst = y * outRowBytes;
    out.set(rgb.subarray(src, src + rowBytes), dst);
    if (even.width > width) out.copyWithin(dst + rowBytes, dst + rowBytes - 3, dst + rowBytes);
  }
  return out;
}
