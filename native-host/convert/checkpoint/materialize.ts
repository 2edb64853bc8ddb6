import { corrupt } from './checkpoint-errors';
import { bfloat16ToFloat32, float16ToFloat32 } from './half-float';
import type { StorageElements } from './storage-view';
import { gatherStrided, lastElementIndex } from './strided-copy';
import { formatShape, type CheckpointTensor, type TensorData, type TensorDType } from './tensor';

/** Where a tensor's values live: a storage (as elements) and a strided view into it. */
export interface TensorView {
  readonly dtype: TensorDType;
  /** the whole storage, in elements of `dtype` (16-bit patterns for the half types) */
  readonly elements: StorageElements;
  /** in elements */
  readonly offset: number;
  readonly shape: readonly number[];
  /** in elements */
  readonly stride: readonly number[];
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Turns a strided view into a {@link CheckpointTensor} with contiguous row-major data, widening the half
 * types and normalising bools to 0/1.
 *
 * @throws CheckpointFormatError (`corrupt`) when the view's numbers are malformed or reach past the storage
 */
export function materializeTensor(name: string, view: TensorView): CheckpointTensor {
  const { dtype, elements, offset, shape, stride } = view;
  if (
    !Array.isArray(shape) ||
    !Array.isArray(stride) ||
    shape.length !== stride.length ||
    !shape.every(isIndex) ||
    !stride.every(isIndex) ||
    !isIndex(offset)
  ) {
    throw corrupt(`tensor '${name}' has a malformed shape, stride or offset`);
  }
  const last = lastElementIndex(offset, shape, stride);
  if (last >= elements.length) {
    throw corrupt(
      `tensor '${name}' ${formatShape(shape)} needs ${last + 1} elements of storage, the file has ${elements.length}`,
    );
  }
  const values = gatherStrided(elements, offset, shape, stride);
  let data: TensorData;
  switch (dtype) {
    case 'float16':
      data = float16ToFloat32(values as Uint16Array);
      break;
    case 'bfloat16':
      data = bfloat16ToFloat32(values as Uint16Array);
      break;
    case 'bool': {
      // torch writes 0/1 bytes; normalise anyway so consumers can rely on it
      const bytes = values as Uint8Array;
      const flags = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) flags[i] = bytes[i] === 0 ? 0 : 1;
      data = flags;
      break;
    }
    default:
      data = values as TensorData;
  }
  return { dtype, shape: [...shape], data };
}
