import { inflateRawSync } from 'node:zlib';
import { corrupt, unsupported } from './checkpoint-errors';

/** One member of a zip archive, as listed in its central directory. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;
const END_SIZE = 22;
const MAX_COMMENT = 0xffff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

const utf8 = new TextDecoder('utf-8');

/** Little-endian reads with bounds checks that report a truncated file instead of a RangeError. */
class ByteReader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(pos: number, length: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + length > this.bytes.length) {
      throw corrupt(`zip ${what} lies past the end of the file`);
    }
  }
  u16(pos: number): number {
    return this.view.getUint16(pos, true);
  }
  u32(pos: number): number {
    return this.view.getUint32(pos, true);
  }
  u64(pos: number): number {
    const v = this.view.getBigUint64(pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('zip64 field out of range');
    return Number(v);
  }
}

/** Scans back from the end for the end-of-central-directory record (it may be followed by a comment). */
function findEnd(r: ByteReader): number {
  const len = r.bytes.length;
  const stop = Math.max(0, len - END_SIZE - MAX_COMMENT);
  for (let p = len - END_SIZE; p >= stop; p--) {
    if (r.u32(p) === SIG_END && p + END_SIZE + r.u16(p + 20) <= len) return p;
  }
  throw corrupt('the zip directory at the end of the file is missing');
}

/** Entry count and central-directory offset, from the ZIP64 record when the classic fields overflowed. */
function directoryLocation(r: ByteReader, end: number): { count: number; offset: number } {
  const count = r.u16(end + 10);
  const offset = r.u32(end + 16);
  if (count !== U16_MAX && offset !== U32_MAX) return { count, offset };
  const locator = end - 20;
  const hasLocator = locator >= 0 && r.u32(locator) === SIG_END64_LOCATOR;
  // 65535 entries can be a genuine classic count; only an overflowed offset demands ZIP64.
  if (!hasLocator && offset !== U32_MAX) return { count, offset };
  if (!hasLocator) throw corrupt('zip64 locator missing');
  const record = r.u64(locator + 8);
  r.need(record, 56, 'zip64 directory record');
  if (r.u32(record) !== SIG_END64) throw corrupt('zip64 directory record missing');
  return { count: r.u64(record + 32), offset: r.u64(record + 48) };
}

/**
 * Lists a zip archive's entries from its central directory (ZIP64 supported). Reads only the
 * directory; see {@link readZipEntry} for contents.
 *
 * @param bytes - the whole archive
 * @throws CheckpointFormatError (`corrupt`) when the directory is missing or points outside the file
 */
export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const r = new ByteReader(bytes);
  if (bytes.length < END_SIZE) throw corrupt('too short for a zip file');
  const { count, offset } = directoryLocation(r, findEnd(r));
  const entries = new Map<string, ZipEntry>();
  let p = offset;
  for (let i = 0; i < count; i++) {
    r.need(p, 46, 'central directory');
    if (r.u32(p) !== SIG_CENTRAL) throw corrupt(`zip directory entry ${i} is damaged`);
    const method = r.u16(p + 10);
    let compressedSize = r.u32(p + 20);
    let size = r.u32(p + 24);
    const nameLength = r.u16(p + 28);
    const extraLength = r.u16(p + 30);
    const commentLength = r.u16(p + 32);
    let localHeaderOffset = r.u32(p + 42);
    r.need(p + 46, nameLength + extraLength, 'central directory');
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    // ZIP64 extra field (id 1): 64-bit values for exactly those fields that hold 0xffffffff, in this order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = r.u16(e);
      const fieldSize = r.u16(e + 2);
      let q = e + 4;
      if (id === 1) {
        const next = (): number => {
          r.need(q, 8, 'zip64 extra field');
          const v = r.u64(q);
          q += 8;
          return v;
        };
        if (size === U32_MAX) size = next();
        if (compressedSize === U32_MAX) compressedSize = next();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
      }
      e += 4 + fieldSize;
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The contents of one entry: a zero-copy subarray of `bytes` for stored entries (all of torch.save's),
 * a fresh buffer for deflated ones.
 *
 * @throws CheckpointFormatError (`corrupt`) when the entry lies outside the file or does not inflate to
 * its listed size; (`unsupported`) for compression methods other than stored and deflate
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const r = new ByteReader(bytes);
  const at = entry.localHeaderOffset;
  r.need(at, 30, `entry ${entry.name}`);
  if (r.u32(at) !== SIG_LOCAL) throw corrupt(`zip entry ${entry.name} is damaged`);
  // The local header's own name/extra lengths decide where data starts (torch pads here to align to 64).
  const start = at + 30 + r.u16(at + 26) + r.u16(at + 28);
  r.need(start, entry.compressedSize, `entry ${entry.name}`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw corrupt(`zip entry ${entry.name} has inconsistent sizes`);
    return raw;
  }
  if (entry.method !== 8) {
    throw unsupported(`zip entry ${entry.name} uses compression method ${entry.method} (only stored and deflate are read)`);
  }
  let inflated: Uint8Array;
  try {
    inflated = inflateRawSync(raw);
  } catch {
    throw corrupt(`zip entry ${entry.name} does not decompress`);
  }
  if (inflated.length !== entry.size) throw corrupt(`zip entry ${entry.name} decompresses to the wrong size`);
  return inflated;
}
