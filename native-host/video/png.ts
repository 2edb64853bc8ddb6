import { deflate, deflateSync } from 'zlib';
import { promisify } from 'util';

const deflateAsync = promisify(deflate);

/** Sample depth of a greyscale PNG. */
export type GreyDepth = 8 | 16;

/**
 * zlib level 3: mattes are mostly flat, so higher levels buy a few percent of size for about twice the
 * time (OpenCV, which the official script writes PNGs with, defaults to level 1).
 */
const ZLIB_LEVEL = 3;

/**
 * Encodes a single-channel (colour type 0) PNG.
 *
 * @param width - pixels per row
 * @param height - rows
 * @param samples - width·height values, row-major: 0..255 for depth 8, 0..65535 for depth 16
 * @param depth - bits per sample; 16-bit samples are stored big-endian as PNG requires
 * @returns the complete file
 */
export function encodeGreyPng(
  width: number,
  height: number,
  samples: Uint8Array | Uint16Array,
  depth: GreyDepth,
): Buffer {
  const scanlines = filteredScanlines(width, height, samples, depth);
  return assemble(width, height, depth, deflateSync(scanlines, { level: ZLIB_LEVEL }));
}

/** {@link encodeGreyPng} with the compression on libuv's thread pool, so encoders can run meanwhile. */
export async function encodeGreyPngAsync(
  width: number,
  height: number,
  samples: Uint8Array | Uint16Array,
  depth: GreyDepth,
): Promise<Buffer> {
  const scanlines = filteredScanlines(width, height, samples, depth);
  return assemble(width, height, depth, await deflateAsync(scanlines, { level: ZLIB_LEVEL }));
}

function filteredScanlines(width: number, height: number, samples: Uint8Array | Uint16Array, depth: GreyDepth) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`PNG size must be positive integers, got ${width}×${height}`);
  if (samples.length !== width * height)
    throw new RangeError(`expected ${width * height} samples for ${width}×${height}, got ${samples.length}`);
  const bpp = depth / 8;
  const raw = depth === 16 ? bigEndian16(samples) : samples instanceof Uint8Array ? samples : Uint8Array.from(samples);
  return filterRows(raw, width * bpp, height, bpp);
}

function bigEndian16(samples: Uint8Array | Uint16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    out[2 * i] = samples[i] >>> 8;
    out[2 * i + 1] = samples[i] & 0xff;
  }
  return out;
}

/** PNG filter types tried per row: None, Sub, Up, Paeth (Average rarely wins on mattes). */
const FILTERS = [0, 1, 2, 4] as const;

/**
 * Prefixes each row with the filter (None, Sub, Up or Paeth) whose output has the smallest sum of absolute
 * signed bytes: the heuristic libpng uses, which keeps gradients and flat areas small after deflate.
 */
function filterRows(raw: Uint8Array, rowBytes: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * (rowBytes + 1));
  const candidates = FILTERS.map(() => new Uint8Array(rowBytes));
  const zeros = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * rowBytes, (y + 1) * rowBytes);
    const above = y > 0 ? raw.subarray((y - 1) * rowBytes, y * rowBytes) : zeros;
    let best = 0;
    let bestCost = Infinity;
    for (let k = 0; k < FILTERS.length; k++) {
      const cost = applyFilter(FILTERS[k], row, above, bpp, candidates[k]);
      if (cost < bestCost) [best, bestCost] = [k, cost];
    }
    const at = y * (rowBytes + 1);
    out[at] = FILTERS[best];
    out.set(candidates[best], at + 1);
  }
  return out;
}

/** Writes filter `type` of `row` into `dest`; returns the sum of |signed byte| of the result. */
function applyFilter(type: number, row: Uint8Array, above: Uint8Array, bpp: number, dest: Uint8Array): number {
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const left = i >= bpp ? row[i - bpp] : 0;
    const up = above[i];
    let predictor = 0;
    if (type === 1) predictor = left;
    else if (type === 2) predictor = up;
    else if (type === 4) predictor = paeth(left, up, i >= bpp ? above[i - bpp] : 0);
    const v = (row[i] - predictor) & 0xff;
    dest[i] = v;
    cost += v < 128 ? v : 256 - v;
  }
  return cost;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function assemble(width: number, height: number, depth: GreyDepth, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = 0; // colour type 0: greyscale; compression, filter method and interlace stay 0
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG specifies) over chunk type and data; zlib.crc32 needs Node ≥ 20.15. */
export function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= makeCrcTable());
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
