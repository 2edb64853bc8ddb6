import { corrupt, unsupported } from './checkpoint-errors';
import { materializeTensor } from './materialize';
import { viewStorage } from './storage-view';
import { rowMajorStrides } from './strided-copy';
import { DTYPE_ITEM_SIZE, shapeNumel, type StateDict, type TensorDType } from './tensor';

/** safetensors dtype codes this loader reads. */
const SAFETENSORS_DTYPE: Readonly<Record<string, TensorDType>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Size of the little-endian u64 header length that starts every safetensors file. */
export const SAFETENSORS_PREFIX_BYTES = 8;

/**
 * Length of the JSON header announced by the first 8 bytes, or undefined when it cannot be a safetensors
 * header (fewer than 9 bytes, no `{` after the length, or a length of 4 GiB and more).
 *
 * @remarks Used to sniff the format: random bytes pass this with probability ~2^-40.
 */
export function safetensorsHeaderLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < SAFETENSORS_PREFIX_BYTES + 1 || bytes[SAFETENSORS_PREFIX_BYTES] !== 0x7b /* { */) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, SAFETENSORS_PREFIX_BYTES);
  if (view.getUint32(4, true) !== 0) return undefined;
  return view.getUint32(0, true);
}

interface HeaderEntry {
  dtype: unknown;
  shape: unknown;
  data_offsets: unknown;
}

function parseHeader(bytes: Uint8Array, headerLength: number): Record<string, HeaderEntry> {
  const text = new TextDecoder('utf-8').decode(bytes.subarray(SAFETENSORS_PREFIX_BYTES, SAFETENSORS_PREFIX_BYTES + headerLength));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw corrupt('its safetensors header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw corrupt('its safetensors header is not a JSON object');
  }
  return header as Record<string, HeaderEntry>;
}

/**
 * Parses a .safetensors file: `u64le N`, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}}`
 * (plus `__metadata__`, ignored), then the little-endian data, offsets counted from its start.
 *
 * @param bytes - the whole file
 * @returns the state dict in header order; aligned tensors other than the half types and bool are
 * zero-copy views into `bytes`
 * @throws CheckpointFormatError (`corrupt`) when the header or an offset reaches past the end of the file or
 * disagrees with a shape; (`unsupported`) for dtypes outside F32/F16/BF16/F64/I64/I32/I16/I8/U8/BOOL
 */
export function parseSafetensors(bytes: Uint8Array): StateDict {
  const headerLength = safetensorsHeaderLength(bytes);
  if (headerLength === undefined) throw corrupt('its safetensors header is damaged');
  const dataStart = SAFETENSORS_PREFIX_BYTES + headerLength;
  if (dataStart > bytes.length) {
    throw corrupt(`its safetensors header claims ${headerLength} bytes, the file has ${bytes.length}`);
  }
  const header = parseHeader(bytes, headerLength);
  const data = bytes.subarray(dataStart);
  const out: StateDict = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (typeof entry !== 'object' || entry === null) throw corrupt(`tensor '${name}' has no header entry`);
    const dtype = SAFETENSORS_DTYPE[String(entry.dtype)];
    if (!dtype) throw unsupported(`tensor '${name}' has dtype ${String(entry.dtype)}, which is not supported`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    const numel = Array.isArray(shape) ? shapeNumel(shape) : NaN;
    if (
      !Array.isArray(shape) ||
      Number.isNaN(numel) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !Number.isSafeInteger(offsets[0]) ||
      !Number.isSafeInteger(offsets[1]) ||
      offsets[0] < 0 ||
      offsets[1] < offsets[0]
    ) {
      throw corrupt(`tensor '${name}' has a malformed header entry`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > data.length) {
      throw corrupt(`tensor '${name}' ends at byte ${end} of the data, which has ${data.length}`);
    }
    if (end - begin !== numel * DTYPE_ITEM_SIZE[dtype]) {
      throw corrupt(`tensor '${name}' has ${end - begin} bytes for ${numel} ${dtype} values`);
    }
    const elements = viewStorage(data.subarray(begin, end), dtype, numel);
    const stride = rowMajorStrides(shape as number[]);
    out.set(name, materializeTensor(name, { dtype, elements, offset: 0, shape: shape as number[], stride }));
  }
  return out;
}
