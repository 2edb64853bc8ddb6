/** A frame size in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * The official `--max_size` rule (spec §3.1 step 3): when the shorter side exceeds `maxSize`, both sides
 * are scaled so that it becomes `maxSize`, with Python's `int(side / min_side * max_size)` truncation.
 *
 * @param maxSize - the limit; ≤ 0 means off (the official default −1)
 * @returns the new size, or the same size when `min(width, height) ≤ maxSize`
 */
export function maxSizeDims(width: number, height: number, maxSize: number): Size {
  const minSide = Math.min(width, height);
  if (!(maxSize > 0) || minSide <= maxSize) return { width, height };
  return { width: Math.trunc((width / minSide) * maxSize), height: Math.trunc((height / minSide) * maxSize) };
}

/** Input range [start, end) averaged into output index i: PyTorch's adaptive pooling bins. */
function poolBins(inSize: number, outSize: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    start[i] = Math.floor((i * inSize) / outSize);
    end[i] = Math.ceil(((i + 1) * inSize) / outSize);
  }
  return { start, end };
}

/**
 * PyTorch `interpolate(mode='area')`, i.e. adaptive average pooling (spec §3.1 step 3, §4.5): output
 * index i averages input indices `⌊i·in/out⌋ … ⌈(i+1)·in/out⌉ − 1` (bins overlap when the ratio is not an
 * integer), separately along x then y.
 *
 * @param rgb - interleaved RGB24 frame, w·h·3
 * @returns interleaved RGB float32 in 0..255, outW·outH·3
 * @remarks Sums are kept in float64 and rounded to float32 once; PyTorch sums the 2-D window in float32,
 *   so values can differ from it in the last bit or two.
 */
export function areaResize(rgb: Uint8Array, w: number, h: number, outW: number, outH: number): Float32Array {
  if (rgb.length !== w * h * 3) throw new RangeError(`expected ${w * h * 3} bytes for ${w}×${h} RGB, got ${rgb.length}`);
  if (!Number.isSafeInteger(outW) || !Number.isSafeInteger(outH) || outW < 1 || outH < 1)
    throw new RangeError(`area resize from ${w}×${h} to ${outW}×${outH}: the output size must be positive integers`);
  const xs = poolBins(w, outW);
  const ys = poolBins(h, outH);
  const rows = new Float64Array(h * outW * 3);
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < outW; ox++) {
      const n = xs.end[ox] - xs.start[ox];
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let x = xs.start[ox]; x < xs.end[ox]; x++) sum += rgb[(y * w + x) * 3 + c];
        rows[(y * outW + ox) * 3 + c] = sum / n;
      }
    }
  }
  const out = new Float32Array(outW * outH * 3);
  for (let oy = 0; oy < outH; oy++) {
    const n = ys.end[oy] - ys.start[oy];
    for (let i = 0; i < outW * 3; i++) {
      let sum = 0;
      for (let y = ys.start[oy]; y < ys.end[oy]; y++) sum += rows[y * outW * 3 + i];
      out[oy * outW * 3 + i] = sum / n;
    }
  }
  return out;
}
