import sharp from 'sharp';
import { inflateSync } from 'zlib';
import { crc32, encodeGreyPng, encodeGreyPngAsync } from '../../native-host/video/png';

/** Deterministic pseudo-random integers (xorshift32) in [0, limit). */
function noise(length: number, limit: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push((x >>> 0) % limit);
  }
  return out;
}

/** Noise in the top half, a gradient below, flat strips at the edges: every PNG filter gets picked. */
function testImage(width: number, height: number, max: number, seed: number): number[] {
  const random = noise(width * height, max + 1, seed);
  return random.map((v, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    if (y < height / 2) return v;
    if (x < 2) return max;
    return Math.round(((x + y) / (width + height)) * max);
  });
}

async function decodeGrey(png: Buffer, depth: 8 | 16): Promise<{ width: number; height: number; samples: number[] }> {
  const meta = await sharp(png).metadata();
  expect(meta.channels).toBe(1);
  expect(meta.depth).toBe(depth === 8 ? 'uchar' : 'ushort');
  const raw =
    depth === 8
      ? await sharp(png).extractChannel(0).toColourspace('b-w').raw().toBuffer()
      : await sharp(png).extractChannel(0).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
  const samples = depth === 8 ? Array.from(raw) : Array.from(new Uint16Array(Uint8Array.from(raw).buffer));
  return { width: meta.width, height: meta.height, samples };
}

describe('encodeGreyPng', () => {
  it.each([
    [37, 23],
    [1, 1],
    [64, 3],
  ])('8-bit %i×%i decodes to the same samples', async (width, height) => {
    const samples = Uint8Array.from(testImage(width, height, 255, width * 31 + height));
    const decoded = await decodeGrey(encodeGreyPng(width, height, samples, 8), 8);
    expect(decoded).toEqual({ width, height, samples: Array.from(samples) });
  });

  it.each([
    [37, 23],
    [1, 1],
    [5, 64],
  ])('16-bit %i×%i decodes to the same samples (big-endian storage)', async (width, height) => {
    const samples = Uint16Array.from(testImage(width, height, 65535, width * 17 + height));
    const png = encodeGreyPng(width, height, samples, 16);
    const decoded = await decodeGrey(png, 16);
    expect(decoded).toEqual({ width, height, samples: Array.from(samples) });
  });

  it('writes a valid header and correct CRCs', () => {
    const png = encodeGreyPng(3, 2, new Uint16Array([0, 1, 256, 65535, 4660, 7]), 16);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 16, 0]);
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      at += 12 + length;
    }
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
    expect(png.readUInt32BE(png.length - 4)).toBe(0xae426082); // the well-known CRC of an empty IEND
  });

  it('the test images exercise every filter it uses (None, Sub, Up, Paeth)', () => {
    const used = new Set<number>();
    for (const [w, h, depth] of [[37, 23, 8], [37, 23, 16], [5, 64, 16], [64, 3, 8]] as const) {
      const max = depth === 8 ? 255 : 65535;
      const samples = testImage(w, h, max, w * (depth === 8 ? 31 : 17) + h);
      const png = encodeGreyPng(w, h, depth === 8 ? Uint8Array.from(samples) : Uint16Array.from(samples), depth);
      const idatLength = png.readUInt32BE(33);
      const scanlines = inflateSync(png.subarray(41, 41 + idatLength));
      const rowBytes = 1 + (w * depth) / 8;
      for (let y = 0; y < h; y++) used.add(scanlines[y * rowBytes]);
    }
    expect([...used].sort()).toEqual([0, 1, 2, 4]);
  });

  it('the async variant produces the same file', async () => {
    const samples = Uint8Array.from(testImage(40, 30, 255, 9));
    expect((await encodeGreyPngAsync(40, 30, samples, 8)).equals(encodeGreyPng(40, 30, samples, 8))).toBe(true);
  });

  it('rejects a sample count that does not match the size', () => {
    expect(() => encodeGreyPng(4, 4, new Uint8Array(15), 8)).toThrow('expected 16 samples for 4×4, got 15');
  });
});
