import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { loadMask, sameAspect } from '../../native-host/mask/load-mask';
import { legacyNearestIndices } from '../../native-host/mask/nearest-resize';
import { encodeGreyPng } from '../../native-host/video/png';
import { PARITY_A, makeVideoTempDir, rejectsWithHostError } from '../support/video-fixtures';

const tmp = makeVideoTempDir('mask-test-');
afterAll(() => tmp.cleanup());

/** Writes raw pixels as a PNG with sharp; `channels` 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA). */
async function writePng(name: string, width: number, height: number, channels: 1 | 2 | 3 | 4, data: Uint8Array): Promise<string> {
  const file = tmp.file(name);
  let image = sharp(Buffer.from(data), { raw: { width, height, channels } });
  if (channels <= 2) image = image.toColourspace('b-w');
  await image.png().toFile(file);
  return file;
}

/** A w×h pattern of (x·7 + y·13) mod 256 in channel c (+c·50), for colour masks. */
function pattern(w: number, h: number, channels: number, alpha = 0): Uint8Array {
  const out = new Uint8Array(w * h * channels);
  for (let p = 0; p < w * h; p++)
    for (let c = 0; c < channels; c++) {
      const isAlpha = (channels === 2 && c === 1) || (channels === 4 && c === 3);
      out[p * channels + c] = isAlpha ? alpha : ((p % w) * 7 + Math.floor(p / w) * 13 + c * 50) % 256;
    }
  return out;
}

const pilL = (r: number, g: number, b: number) => (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;

describe('loadMask', () => {
  it('reads parity-a/mask.png (426×240, 0/255 grey) unchanged at the frame size', async () => {
    const file = path.join(PARITY_A, 'mask.png');
    const expected = await sharp(file).extractChannel(0).toColourspace('b-w').raw().toBuffer();
    const mask = await loadMask(file, 426, 240);
    expect(mask).toHaveLength(426 * 240);
    expect(Buffer.from(mask).equals(expected)).toBe(true);
    expect(new Set(mask)).toEqual(new Set([0, 255]));
  });

  it('converts RGB with PIL convert("L") weights', async () => {
    const rgb = pattern(16, 9, 3);
    const mask = await loadMask(await writePng('rgb.png', 16, 9, 3, rgb), 16, 9);
    expect(Array.from(mask)).toEqual(Array.from({ length: 16 * 9 }, (_, p) => pilL(rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2])));
  });

  it('ignores alpha in RGBA (even fully transparent pixels keep their colour)', async () => {
    const rgba = pattern(16, 9, 4, 0);
    const mask = await loadMask(await writePng('rgba.png', 16, 9, 4, rgba), 16, 9);
    expect(Array.from(mask)).toEqual(Array.from({ length: 16 * 9 }, (_, p) => pilL(rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2])));
  });

  it('takes the grey channel of grey+alpha', async () => {
    const ya = pattern(16, 9, 2, 7);
    const mask = await loadMask(await writePng('ya.png', 16, 9, 2, ya), 16, 9);
    expect(Array.from(mask)).toEqual(Array.from({ length: 16 * 9 }, (_, p) => ya[2 * p]));
  });

  it('clips 16-bit grey at 255 like PIL (I;16 → L)', async () => {
    const samples = Uint16Array.from([0, 1, 200, 255, 256, 65535]);
    const file = tmp.file('grey16.png');
    fs.writeFileSync(file, encodeGreyPng(6, 1, samples, 16)); // our encoder: tested against sharp elsewhere
    expect((await sharp(file).metadata()).depth).toBe('ushort');
    expect(Array.from(await loadMask(file, 6, 1))).toEqual([0, 1, 200, 255, 255, 255]);
  });

  it('resizes a 2× mask to the frame size with legacy PyTorch nearest', async () => {
    const grey = pattern(32, 18, 1);
    const mask = await loadMask(await writePng('double.png', 32, 18, 1, grey), 16, 9);
    const expected: number[] = [];
    for (let y = 0; y < 9; y++) for (let x = 0; x < 16; x++) expected.push(grey[2 * y * 32 + 2 * x]);
    expect(Array.from(mask)).toEqual(expected);
  });

  it('legacy nearest uses floor(dst·float32(in/out)), clamped', () => {
    expect(Array.from(legacyNearestIndices(5, 3))).toEqual([0, 1, 3]);
    expect(Array.from(legacyNearestIndices(3, 7))).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(Array.from(legacyNearestIndices(32, 16))).toEqual(Array.from({ length: 16 }, (_, i) => 2 * i));
  });

  it('accepts a mask within a pixel of the frame aspect (853×480 for 1920×1080)', () => {
    expect(sameAspect({ width: 853, height: 480 }, { width: 1920, height: 1080 })).toBe(true);
    expect(sameAspect({ width: 426, height: 240 }, { width: 1920, height: 1080 })).toBe(true);
    expect(sameAspect({ width: 480, height: 480 }, { width: 1920, height: 1080 })).toBe(false);
  });

  it('MASK_ASPECT_MISMATCH names both sizes', async () => {
    const file = await writePng('square.png', 20, 20, 1, new Uint8Array(400).fill(255));
    const error = await rejectsWithHostError(loadMask(file, 16, 9), 'MASK_ASPECT_MISMATCH');
    expect(error.message).toBe(
      `mask ${file} is 20×20 but the video is 16×9; export the mask from the first frame at the video size`,
    );
  });

  it('MASK_EMPTY for an all-black mask', async () => {
    const file = await writePng('black.png', 16, 9, 1, new Uint8Array(144));
    const error = await rejectsWithHostError(loadMask(file, 16, 9), 'MASK_EMPTY');
    expect(error.message).toContain('the mask is empty: nothing is selected');
  });

  it('MASK_NOT_FOUND for a missing file', async () => {
    const missing = tmp.file('nope.png');
    const error = await rejectsWithHostError(loadMask(missing, 16, 9), 'MASK_NOT_FOUND');
    expect(error.message).toBe(`mask ${missing} does not exist; check the path`);
  });

  it('MASK_UNREADABLE for a file that is not an image', async () => {
    const file = tmp.file('notes.png');
    fs.writeFileSync(file, 'not an image');
    const error = await rejectsWithHostError(loadMask(file, 16, 9), 'MASK_UNREADABLE');
    expect(error.message).toMatch(new RegExp(`^mask ${file} cannot be read as an image \\(.+\\); use a PNG$`));
  });
});
