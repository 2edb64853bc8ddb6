/**
 * A structuring element stored as one run of ones per row (an ellipse has no holes), with OpenCV's
 * default anchor at (⌊size/2⌋, ⌊size/2⌋).
 */
export interface RowSpanKernel {
  readonly size: number;
  readonly anchor: number;
  /** For row i: ones in columns [start[i], end[i]); start = end for an empty row. */
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/** Sizes of the closing the official script applies (`r_dilate`, `r_erode`; 10 and 10 by default). */
export interface MorphologyOptions {
  readonly dilate: number;
  readonly erode: number;
}

/** OpenCV's `cvRound`: round half to even. */
function cvRound(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))` (spec §3.1 step 4): with r = c = ⌊size/2⌋,
 * row i spans `[max(c − dx, 0), min(c + dx + 1, size))` where `dx = cvRound(c·√((r² − (i−r)²)/r²))`.
 * For even sizes the element is asymmetric (the 10×10 element's top row has a single one).
 *
 * @param size - kernel width and height, ≥ 1
 */
export function ellipseKernel(size: number): RowSpanKernel {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`kernel size must be an integer ≥ 1, got ${size}`);
  const r = Math.floor(size / 2);
  const c = r;
  const invR2 = r > 0 ? 1 / (r * r) : 0;
  const start = new Int32Array(size);
  const end = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const dy = i - r;
    if (Math.abs(dy) > r) continue;
    const dx = cvRound(c * Math.sqrt((r * r - dy * dy) * invR2));
    start[i] = Math.max(c - dx, 0);
    end[i] = Math.min(c + dx + 1, size);
  }
  return { size, anchor: r, start, end };
}

/** The kernel as a dense size×size 0/1 table, row-major (for display and tests). */
export function kernelTable(kernel: RowSpanKernel): Uint8Array {
  const table = new Uint8Array(kernel.size * kernel.size);
  for (let i = 0; i < kernel.size; i++) table.fill(1, i * kernel.size + kernel.start[i], i * kernel.size + kernel.end[i]);
  return table;
}

/**
 * The official mask preparation (spec §3.1 step 4, `gen_dilate` then `gen_erosion`):
 * - dilate > 0: binarise at ≠ 0 and dilate with the ellipse of size `dilate`;
 * - erode > 0: erode the result (or, when dilate = 0, the grey mask binarised at == 255) with the ellipse
 *   of size `erode`;
 * - both 0: the grey values are returned unchanged (a soft mask).
 * OpenCV semantics: `dilate(y,x) = max K(i,j)=1 of X(y+i−a, x+j−a)`, erode = min, the element is not
 * reflected, and samples outside the image are ignored.
 *
 * @param grey - width·height values, row-major
 * @returns width·height values: 0/255, or a copy of `grey` when both sizes are 0
 * @remarks Exact for any size, and about width·height·(size + distinct runs) operations instead of
 *   width·height·size² (see {@link morph}).
 */
export function prepareMask(grey: Uint8Array, width: number, height: number, options: MorphologyOptions): Uint8Array {
  const { dilate, erode } = options;
  if (grey.length !== width * height) throw new RangeError(`mask has ${grey.length} values, expected ${width}×${height}`);
  if (dilate === 0 && erode === 0) return Uint8Array.from(grey);
  let binary: Uint8Array = new Uint8Array(grey.length);
  if (dilate > 0) {
    for (let i = 0; i < grey.length; i++) binary[i] = grey[i] !== 0 ? 1 : 0;
    binary = morph(binary, width, height, ellipseKernel(dilate), 'dilate');
  } else {
    for (let i = 0; i < grey.length; i++) binary[i] = grey[i] === 255 ? 1 : 0;
  }
  if (erode > 0) binary = morph(binary, width, height, ellipseKernel(erode), 'erode');
  for (let i = 0; i < binary.length; i++) binary[i] *= 255;
  return binary;
}

/**
 * Binary dilation or erosion of a 0/1 image with a row-span kernel.
 *
 * Separable by kernel row: for each distinct run [lo, hi] (offsets from the anchor), first the 1-D
 * operation along x (a prefix-sum count over the in-image part of the run), then that result, shifted by
 * the row's offset, is OR-ed (dilate) or AND-ed (erode) into the output. Rows of the run that fall outside
 * the image are skipped, which is OpenCV's "outside samples are ignored".
 *
 * @param src - width·height values in {0, 1}
 * @returns width·height values in {0, 1}
 */
export function morph(
  src: Uint8Array,
  width: number,
  height: number,
  kernel: RowSpanKernel,
  op: 'dilate' | 'erode',
): Uint8Array {
  const dilating = op === 'dilate';
  const out = new Uint8Array(width * height).fill(dilating ? 0 : 1);
  const along = new Uint8Array(width * height);
  const prefix = new Int32Array(width + 1);
  for (const [lo, hi] of distinctRuns(kernel)) {
    for (let y = 0; y < height; y++) runAlongRow(src, along, y * width, width, lo, hi, dilating, prefix);
    for (let i = 0; i < kernel.size; i++) {
      if (kernel.start[i] === kernel.end[i]) continue;
      if (kernel.start[i] - kernel.anchor !== lo || kernel.end[i] - 1 - kernel.anchor !== hi) continue;
      const dy = i - kernel.anchor;
      for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
        const o = y * width;
        const a = (y + dy) * width;
        if (dilating) for (let x = 0; x < width; x++) out[o + x] |= along[a + x];
        else for (let x = 0; x < width; x++) out[o + x] &= along[a + x];
      }
    }
  }
  return out;
}

/** The kernel's distinct row runs as [lo, hi] column offsets from the anchor, both inclusive. */
function distinctRuns(kernel: RowSpanKernel): Array<[number, number]> {
  const runs = new Map<string, [number, number]>();
  for (let i = 0; i < kernel.size; i++) {
    if (kernel.start[i] === kernel.end[i]) continue;
    const run: [number, number] = [kernel.start[i] - kernel.anchor, kernel.end[i] - 1 - kernel.anchor];
    runs.set(run.join(','), run);
  }
  return [...runs.values()];
}

/**
 * One row of the 1-D operation: `dst[x]` = any (dilate) / all (erode) of `src[x+lo … x+hi]` within the
 * row; a run entirely outside the row gives the operation's identity (0 for dilate, 1 for erode).
 */
function runAlongRow(
  src: Uint8Array,
  dst: Uint8Array,
  rowStart: number,
  width: number,
  lo: number,
  hi: number,
  dilating: boolean,
  prefix: Int32Array,
): void {
  for (let x = 0; x < width; x++) prefix[x + 1] = prefix[x] + src[rowStart + x];
  for (let x = 0; x < width; x++) {
    const first = x + lo > 0 ? x + lo : 0;
    const last = x + hi < width - 1 ? x + hi : width - 1;
    if (first > last) {
      dst[rowStart + x] = dilating ? 0 : 1;
      continue;
    }
    const ones = prefix[last + 1] - prefix[first];
    dst[rowStart + x] = dilating ? (ones > 0 ? 1 : 0) : ones === last - first + 1 ? 1 : 0;
  }
}
