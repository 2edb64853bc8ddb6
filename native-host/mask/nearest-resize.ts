/**
 * PyTorch's legacy `interpolate(mode='nearest')` source index for each output index (spec §3.1 step 3):
 * `min(floor(dst · scale), in − 1)` with `scale = in/out` and the product both in float32.
 */
export function legacyNearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = Math.fround(inSize / outSize);
  const indices = new Int32Array(outSize);
  for (let dst = 0; dst < outSize; dst++) indices[dst] = Math.min(Math.floor(Math.fround(dst * scale)), inSize - 1);
  return indices;
}

/**
 * Resizes a single-channel 8-bit image with legacy PyTorch nearest sampling (how the official script
 * resizes the mask).
 *
 * @param src - inW·inH values, row-major
 * @returns outW·outH values; `src` itself when the size is unchanged
 */
export function resizeNearestLegacy(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  if (inW === outW && inH === outH) return src;
  const xs = legacyNearestIndices(inW, outW);
  const ys = legacyNearestIndices(inH, outH);
  const out = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const row = ys[y] * inW;
    for (let x = 0; x < outW; x++) out[y * outW + x] = src[row + xs[x]];
  }
  return out;
}
