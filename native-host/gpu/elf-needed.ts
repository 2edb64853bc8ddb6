import * as fs from 'fs';

const DT_NEEDED = 1n;
const SHT_DYNAMIC = 6;

/** Reads `length` bytes at `position` (a short read means a truncated file). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const got = fs.readSync(fd, buf, 0, length, position);
  if (got !== length) throw new Error('truncated ELF file');
  return buf;
}

/**
 * The shared libraries an ELF file names as its direct dependencies (DT_NEEDED), in order, e.g.
 * `['libcublas.so.12', 'libcudnn.so.9', …]` for onnxruntime's CUDA provider: what the dynamic loader must
 * find for it to load. Reads only the headers, the dynamic section and its string table (64-bit
 * little-endian ELF, as on x86-64 and arm64 Linux).
 *
 * @throws Error when the file is not a 64-bit little-endian ELF or is truncated
 */
export function elfNeeded(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const header = readAt(fd, 0, 64);
    if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
    if (header[4] !== 2 || header[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
    const sectionsAt = Number(header.readBigUInt64LE(0x28));
    const sectionSize = header.readUInt16LE(0x3a);
    const sectionCount = header.readUInt16LE(0x3c);
    const sections = readAt(fd, sectionsAt, sectionSize * sectionCount);
    const section = (i: number) => ({
      type: sections.readUInt32LE(i * sectionSize + 4),
      offset: Number(sections.readBigUInt64LE(i * sectionSize + 0x18)),
      size: Number(sections.readBigUInt64LE(i * sectionSize + 0x20)),
      link: sections.readUInt32LE(i * sectionSize + 0x28),
    });
    for (let i = 0; i < sectionCount; i++) {
      const dynamic = section(i);
      if (dynamic.type !== SHT_DYNAMIC) continue;
      const strings = section(dynamic.link);
      const table = readAt(fd, strings.offset, strings.size);
      const entries = readAt(fd, dynamic.offset, dynamic.size);
      const needed: string[] = [];
      for (let at = 0; at + 16 <= entries.length; at += 16) {
        const tag = entries.readBigInt64LE(at);
        if (tag === 0n) break; // DT_NULL ends the table
        if (tag !== DT_NEEDED) continue;
        const start = Number(entries.readBigUInt64LE(at + 8));
        const end = table.indexOf(0, start);
        needed.push(table.toString('utf8', start, end < 0 ? table.length : end));
      }
      return needed;
    }
    return []; // statically linked
  } finally {
    fs.closeSync(fd);
  }
}
