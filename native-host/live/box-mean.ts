/**
 * Mean over the (2r+1)² window around each pixel, clipped at the edges (the window shrinks there): separable
 * running sums, a row pass then a column pass, so the cost is a few operations per pixel whatever `r`.
 * Sums are kept in float64 so that a long running sum does not drift.
 *
 * @param src - w·h values, row-major
 * @param rowSums - optional scratch of w·h float64 values, reused across calls
 */
export function boxMean(src: Float32Array, w: number, h: number, r: number, rowSums = new Float64Array(w * h)): Float32Array {
  // Horizontal: rowSums[y·w + x] = Σ src over columns max(0, x−r)…min(w−1, x+r).
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let sum = 0;
    for (let x = 0; x < Math.min(r, w); x++) sum += src[o + x];
    for (let x = 0; x < w; x++) {
      if (x + r < w) sum += src[o + x + r];
      if (x - r - 1 >= 0) sum -= src[o + x - r - 1];
      rowSums[o + x] = sum;
    }
  }
  // Vertical, column by column in row order (cache-friendly): a running sum per column.
  const out = new Float32Array(w * h);
  const colSum = new Float64Array(w);
  for (let y = 0; y < Math.min(r, h); y++) for (let x = 0; x < w; x++) colSum[x] += rowSums[y * w + x];
  const countX = new Float64Array(w);
  for (let x = 0; x < w; x++) countX[x] = Math.min(w - 1, x + r) - Math.max(0, x - r) + 1;
  for (let y = 0; y < h; y++) {
    const add = y + r < h ? (y + r) * w : -1;
    const drop = y - r - 1 >= 0 ? (y - r - 1) * w : -1;
    const countY = Math.min(h - 1, y + r) - Math.max(0, y - r) + 1;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let s = colSum[x];
      if (add >= 0) s += rowSums[add + x];
      if (drop >= 0) s -= rowSums[drop + x];
      colSum[x] = s;
      out[o + x] = s / (countX[x] * countY);
    }
  }
  return out;
}
