/**
 * Bilinear taps with half-pixel centres (PyTorch `align_corners=False`): output i reads inputs lo[i] and
 * hi[i] with weight frac[i] on hi.
 */
export function bilinearTaps(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const scale = inSize / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    lo[i] = Math.min(Math.floor(s), inSize - 1);
    hi[i] = Math.min(lo[i] + 1, inSize - 1);
    frac[i] = s - lo[i];
  }
  return { lo, hi, frac };
}

/**
 * Bilinear resize of an alpha map (PyTorch `interpolate(mode='bilinear', align_corners=False)`, no
 * antialias): brings alphas computed at the `--max-size` processing size back to the source size.
 */
export function resizeAlphaBilinear(src: Float32Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  if (inW === outW && inH === outH) return src;
  const xs = bilinearTaps(inW, outW);
  const ys = bilinearTaps(inH, outH);
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.lo[y] * inW;
    const r1 = ys.hi[y] * inW;
    const fy = ys.frac[y];
    for (let x = 0; x < outW; x++) {
      const fx = xs.frac[x];
      const top = src[r0 + xs.lo[x]] * (1 - fx) + src[r0 + xs.hi[x]] * fx;
      const bottom = src[r1 + xs.lo[x]] * (1 - fx) + src[r1 + xs.hi[x]] * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
