/** safetensors dtype codes the writer knows, with their element sizes. */
export const SAFETENSORS_ITEM_SIZE = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type SafetensorsDType = keyof typeof SAFETENSORS_ITEM_SIZE;

/** One tensor to write: its raw little-endian bytes (row-major). */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDType | string;
  shape: number[];
  bytes: Uint8Array;
}

/** Little-endian bytes of a typed array (tests run on little-endian hosts). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

/**
 * Encodes a .safetensors file: u64le header length, JSON header padded with spaces to a multiple of 8
 * (`headerPad` overrides the padding, to produce misaligned data on purpose), then the tensors back to back.
 */
export function encodeSafetensors(
  entries: SafetensorsEntry[],
  options: { metadata?: Record<string, string>; headerPad?: number } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  let json = JSON.stringify(header);
  const pad = options.headerPad ?? (8 - (json.length % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}
