import { crc32, deflateRawSync } from 'node:zlib';

/** One member of a zip to write. */
export interface ZipWriterEntry {
  name: string;
  data: Uint8Array;
  /** compress with deflate instead of storing (torch.save never does; other zip tools do) */
  deflate?: boolean;
}

const ZIP64_MARK32 = 0xffffffff;

/**
 * Writes a zip archive the way torch.save lays it out: data records aligned to 64 bytes by padding the
 * local header's extra field. With `zip64`, every size/offset goes through ZIP64 extra fields and the ZIP64
 * end records (as a > 4 GiB file would have), so the ZIP64 path can be tested with a small file.
 */
export function writeZip(entries: ZipWriterEntry[], options: { zip64?: boolean } = {}): Uint8Array {
  const zip64 = options.zip64 ?? false;
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    offset += b.length;
  };

  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const body = entry.deflate ? new Uint8Array(deflateRawSync(entry.data)) : entry.data;
    const method = entry.deflate ? 8 : 0;
    const crc = crc32(entry.data) >>> 0;
    const headerAt = offset;
    // Local header: zip64 sizes (if any) go in an extra field, then padding so the data starts on 64 bytes.
    const zip64Local = zip64 ? 20 : 0;
    const base = 30 + name.length + zip64Local;
    const padding = (64 - ((headerAt + base + 4) % 64)) % 64;
    const extraLength = zip64Local + 4 + padding;
    const local = new Uint8Array(30 + name.length + extraLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, zip64 ? 45 : 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, zip64 ? ZIP64_MARK32 : body.length, true);
    lv.setUint32(22, zip64 ? ZIP64_MARK32 : entry.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extraLength, true);
    local.set(name, 30);
    let e = 30 + name.length;
    if (zip64) {
      lv.setUint16(e, 1, true);
      lv.setUint16(e + 2, 16, true);
      lv.setBigUint64(e + 4, BigInt(entry.data.length), true);
      lv.setBigUint64(e + 12, BigInt(body.length), true);
      e += 20;
    }
    lv.setUint16(e, 0x4646, true); // padding record, an id unknown to readers (torch uses "FB")
    lv.setUint16(e + 2, padding, true);
    push(local);
    push(body);

    const zip64Central = zip64 ? 28 : 0;
    const cd = new Uint8Array(46 + name.length + zip64Central);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, zip64 ? 45 : 20, true);
    cv.setUint16(6, zip64 ? 45 : 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, zip64 ? ZIP64_MARK32 : body.length, true);
    cv.setUint32(24, zip64 ? ZIP64_MARK32 : entry.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, zip64Central, true);
    cv.setUint32(42, zip64 ? ZIP64_MARK32 : headerAt, true);
    cd.set(name, 46);
    if (zip64) {
      const x = 46 + name.length;
      cv.setUint16(x, 1, true);
      cv.setUint16(x + 2, 24, true);
      cv.setBigUint64(x + 4, BigInt(entry.data.length), true);
      cv.setBigUint64(x + 12, BigInt(body.length), true);
      cv.setBigUint64(x + 20, BigInt(headerAt), true);
    }
    central.push(cd);
  }

  const cdStart = offset;
  for (const cd of central) push(cd);
  const cdSize = offset - cdStart;
  if (zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(entries.length), true);
    rv.setBigUint64(32, BigInt(entries.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdStart), true);
    const recordAt = offset;
    push(record);
    const locator = new Uint8Array(20);
    const locv = new DataView(locator.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(recordAt), true);
    locv.setUint32(16, 1, true);
    push(locator);
  }
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : entries.length, true);
  ev.setUint16(10, zip64 ? 0xffff : entries.length, true);
  ev.setUint32(12, zip64 ? ZIP64_MARK32 : cdSize, true);
  ev.setUint32(16, zip64 ? ZIP64_MARK32 : cdStart, true);
  push(end);

  const out = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
