import { DTYPE_ITEM_SIZE, type TensorDType } from './tensor';

/** The typed array that holds a dtype's raw elements: half types stay as their 16-bit patterns. */
export type StorageElements =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

type ElementArrayCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => StorageElements;

const ELEMENT_ARRAY: Readonly<Record<TensorDType, ElementArrayCtor>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Files store little-endian data; typed arrays use the platform's order. */
const PLATFORM_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Views the first `count` elements of little-endian `bytes` as `dtype` elements.
 *
 * @remarks Zero-copy when the bytes are aligned to the element size (torch zips align storages to 64
 * bytes and safetensors writers pad the header to 8); otherwise, and on big-endian hosts, the bytes are
 * copied (and swapped) first. The caller checks that `bytes` holds at least `count` elements.
 */
export function viewStorage(bytes: Uint8Array, dtype: TensorDType, count: number): StorageElements {
  const size = DTYPE_ITEM_SIZE[dtype];
  const Ctor = ELEMENT_ARRAY[dtype];
  const byteLength = count * size;
  if (PLATFORM_IS_LITTLE_ENDIAN && bytes.byteOffset % size === 0) {
    return new Ctor(bytes.buffer, bytes.byteOffset, count);
  }
  // Copy via set(): on a Node Buffer, slice() would return a view, not a copy.
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(0, byteLength));
  if (!PLATFORM_IS_LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < byteLength; i += size) copy.subarray(i, i + size).reverse();
  }
  return new Ctor(copy.buffer, 0, count);
}
