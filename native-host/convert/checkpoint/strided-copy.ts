import type { StorageElements } from './storage-view';

/** Loose element access shared by every typed array, so one loop serves all dtypes (bigint included). */
type Indexable = { [index: number]: unknown };
type SameKindCtor = new (length: number) => StorageElements;

/**
 * Index (in elements) of the last element a strided view touches, or `offset - 1` for an empty view.
 * Used to check a view against its storage's size before reading.
 */
export function lastElementIndex(offset: number, shape: readonly number[], stride: readonly number[]): number {
  let last = offset;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return offset - 1;
    last += (shape[d] - 1) * stride[d];
  }
  return last;
}

/** Row-major (C-contiguous) strides of `shape`, in elements. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = step;
    step *= shape[d];
  }
  return stride;
}

/** True when `stride` is the row-major stride of `shape` (dimensions of size 1 may have any stride). */
export function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * The values of a strided view of `storage` in row-major order.
 *
 * @param storage - the whole storage, in elements
 * @param offset - storage offset of element [0, 0, ...], in elements
 * @param shape - view shape ([] for 0-d)
 * @param stride - view strides, in elements (torch strides are never negative)
 * @returns a subarray of `storage` when the view is already contiguous (zero-copy), else a new array
 * of the same kind. The caller has checked the view's extent against the storage.
 */
export function gatherStrided<T extends StorageElements>(
  storage: T,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): T {
  let numel = 1;
  for (const d of shape) numel *= d;
  if (isRowMajor(shape, stride)) return storage.subarray(offset, offset + numel) as T;

  const out = new (storage.constructor as SameKindCtor)(numel) as T;
  if (numel === 0) return out;
  const src = storage as Indexable;
  const dst = out as Indexable;
  // Odometer over all but the last dimension; the last one is the tight inner loop.
  const nd = shape.length;
  const inner = shape[nd - 1];
  const innerStride = stride[nd - 1];
  const index = new Array<number>(nd - 1).fill(0);
  let base = offset;
  let o = 0;
  for (let row = numel / inner; row > 0; row--) {
    for (let i = 0, s = base; i < inner; i++, s += innerStride) dst[o++] = src[s];
    for (let d = nd - 2; d >= 0; d--) {
      base += stride[d];
      if (++index[d] < shape[d]) break;
      base -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
