/** Element types a checkpoint tensor can be stored in (the dtype as written in the file). */
export type TensorDType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** The typed array a tensor's values come in (see {@link CheckpointTensor.data}). */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/**
 * One tensor read from a checkpoint.
 *
 * @remarks `data` may be a view into the file's buffer and may alias another tensor that shared its
 * storage in the file (zero-copy loading). Treat it as read-only; copy before changing values.
 */
export interface CheckpointTensor {
  /** dtype as stored in the file */
  readonly dtype: TensorDType;
  /** [] for 0-d */
  readonly shape: readonly number[];
  /**
   * contiguous row-major (logical order, after applying storage offset and strides) values:
   * Float32Array for float32/float16/bfloat16 (half types widened exactly), Float64Array for float64,
   * BigInt64Array for int64, Int32Array/Int16Array/Int8Array/Uint8Array for those, Uint8Array of 0/1 for bool
   */
  readonly data: TensorData;
}

/** Tensor name (e.g. `pixel_encoder.conv1.weight`) to tensor, in file order. */
export type StateDict = Map<string, CheckpointTensor>;

/** Bytes per stored element, by dtype. */
export const DTYPE_ITEM_SIZE: Readonly<Record<TensorDType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** True for the four floating-point dtypes. */
export function isFloatDType(dtype: TensorDType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/**
 * Number of elements of a shape (1 for `[]`).
 *
 * @returns the product, or `NaN` when a dimension is not a non-negative safe integer or the product
 * overflows the safe-integer range (callers treat that as a corrupt file)
 */
export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return NaN;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : NaN;
}

/** `[64, 4, 7, 7]` - how shapes appear in messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
