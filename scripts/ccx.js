// Packs a built plugin folder into a .ccx: a plain ZIP of the folder's contents with manifest.json at the zip root
// (docs/uxp.md §8.4; what UDT's "Package" writes). Creative Cloud desktop installs it on double-click.
// A minimal ZIP writer on Node's zlib (deflate, CRC-32): no Zip64, no directory entries, no encryption. The
// output is reproducible: entries in a fixed order, every date set to 1980-01-01 00:00 (the DOS epoch).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

/** CRC-32 (IEEE). zlib.crc32 exists from Node 20.15 / 22.2; package.json allows Node 20.9, hence the table. */
const crc32 =
  typeof zlib.crc32 === 'function'
    ? (data) => zlib.crc32(data) >>> 0
    : (() => {
        const table = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          table[n] = c >>> 0;
        }
        return (data) => {
          let c = 0xffffffff;
          for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
          return (c ^ 0xffffffff) >>> 0;
        };
      })();

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, so that the external attributes carry the file mode
const FLAG_UTF8 = 0x0800;
const FILE_MODE = 0o100644;

/**
 * Builds a ZIP archive in memory.
 * @param entries - `name` is the path inside the archive with `/` separators; `data` the file's bytes
 * @returns the archive's bytes
 */
/**
 * Writes the fields the local header and the central directory record share, in the same order, from `at`
 * (6 in a local header, 8 in a central record): flags, method, time, date, CRC-32, sizes, name length.
 */
function writeEntryFields(header, at, { method, crc, compressedSize, size, nameLength }) {
  header.writeUInt16LE(FLAG_UTF8, at);
  header.writeUInt16LE(method, at + 2);
  header.writeUInt16LE(DOS_TIME, at + 4);
  header.writeUInt16LE(DOS_DATE, at + 6);
  header.writeUInt32LE(crc, at + 8);
  header.writeUInt32LE(compressedSize, at + 12);
  header.writeUInt32LE(size, at + 16);
  header.writeUInt16LE(nameLength, at + 20);
}

function zip(entries) {
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries need Zip64, which this writer lacks`);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      throw new Error(`zip: '${name}' is not a relative path with / separators`);
    }
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    // Store what deflate cannot shrink (e.g. an already compressed PNG), as zip tools do.
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = crc32(data);
    if (data.length > 0xfffffffe || offset > 0xfffffffe) throw new Error(`zip: '${name}' needs Zip64`);

    const entry = { method, crc, compressedSize: body.length, size: data.length, nameLength: nameBytes.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    writeEntryFields(local, 6, entry);
    local.writeUInt16LE(0, 28); // no extra field
    locals.push(local, nameBytes, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    writeEntryFields(central, 8, entry);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE(FILE_MODE * 0x10000, 38); // external attributes: the Unix mode in the high 16 bits
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);

    offset += local.length + nameBytes.length + body.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * Every file under `dir`, as archive paths (`/` separators), manifest.json first and the rest sorted.
 * @param dir - a built plugin folder
 */
function listFiles(dir) {
  const files = [];
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile()) files.push(name);
      else throw new Error(`${path.join(dir, name)}: not a file or folder; a .ccx holds only plain files`);
    }
  };
  walk('');
  return files.sort((a, b) => (a === 'manifest.json' ? -1 : b === 'manifest.json' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Writes `dir`'s contents as a .ccx.
 * @param dir - a built plugin folder with manifest.json at its top
 * @param ccxPath - the archive to write (replaced if present)
 * @returns the archive paths written, in order
 */
function writeCcx(dir, ccxPath) {
  const names = listFiles(dir);
  if (!names.includes('manifest.json')) throw new Error(`${dir}: no manifest.json, not a plugin folder`);
  const archive = zip(names.map((name) => ({ name, data: fs.readFileSync(path.join(dir, ...name.split('/'))) })));
  fs.mkdirSync(path.dirname(ccxPath), { recursive: true });
  fs.writeFileSync(ccxPath, archive);
  return names;
}

module.exports = { zip, writeCcx, listFiles, crc32 };
