import sharp from 'sharp';
import { maskFromInput } from '../../native-host/jobs/mask-input';
import { loadMask } from '../../native-host/mask/load-mask';
import { applyMaskFit, describeMaskFit, fitMask } from '../../native-host/mask/mask-fit';
import { resizeNearestLegacy } from '../../native-host/mask/nearest-resize';
import { makeVideoTempDir, rejectsWithHostError } from '../support/video-fixtures';

const tmp = makeVideoTempDir('inputs-mask-fit-');
afterAll(() => tmp.cleanup());

const size = (width: number, height: number) => ({ width, height });

/** A grey w×h mask whose pixel (x, y) is 1 + (x + 3y) mod 250: every pixel non-zero, positions recognisable. */
function gradient(w: number, h: number): Uint8Array {
  return Uint8Array.from({ length: w * h }, (_, p) => 1 + (((p % w) + 3 * Math.floor(p / w)) % 250));
}

async function writeGrey(name: string, w: number, h: number, grey: Uint8Array): Promise<string> {
  const file = tmp.file(name);
  await sharp(Buffer.from(grey), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(file);
  return file;
}

describe('fitMask: the one rule for a mask of another size', () => {
  it('codec padding of the official sample 2: a 1920×1080 mask on the 1920×1088 video', () => {
    expect(fitMask(size(1920, 1080), size(1920, 1088))).toEqual({ kind: 'pad', right: 0, bottom: 8 });
    expect(describeMaskFit('mask.png', size(1920, 1080), size(1920, 1088), { kind: 'pad', right: 0, bottom: 8 })).toBe(
      'mask mask.png is 1920×1080, the video 1920×1088: placed at the top-left, the 8 rows below it are background ' +
        '(codec padding: encoders round the picture up to a multiple of 16 at the bottom and right)',
    );
  });

  it('other paddings up to 16 rows or columns, to a multiple of 16', () => {
    expect(fitMask(size(1280, 720), size(1280, 736))).toEqual({ kind: 'pad', right: 0, bottom: 16 });
    expect(fitMask(size(960, 540), size(960, 544))).toEqual({ kind: 'pad', right: 0, bottom: 4 });
    expect(fitMask(size(1916, 1080), size(1920, 1088))).toEqual({ kind: 'pad', right: 4, bottom: 8 });
    // the reverse: a mask drawn on a padded decode; its rows beyond the video are dropped
    expect(fitMask(size(1920, 1088), size(1920, 1080))).toEqual({ kind: 'pad', right: 0, bottom: -8 });
    expect(describeMaskFit('m.png', size(1920, 1088), size(1920, 1080), { kind: 'pad', right: 0, bottom: -8 })).toMatch(
      /: placed at the top-left, its 8 rows beyond the video are dropped \(codec padding/,
    );
  });

  it('not padding: more than 16, or the larger side not a multiple of 16', () => {
    expect(fitMask(size(1920, 1070), size(1920, 1088))).toBeUndefined(); // 18 rows
    expect(fitMask(size(1920, 1076), size(1920, 1080))).toBeUndefined(); // 1080 is not a multiple of 16
  });

  it('a uniform scale (same aspect within a pixel, the rule so far) is scaled', () => {
    expect(fitMask(size(960, 540), size(1920, 1080))).toEqual({ kind: 'scale' });
    expect(fitMask(size(853, 480), size(1920, 1080))).toEqual({ kind: 'scale' });
    // both sides differ and the aspect agrees: a resize, not padding on two sides
    expect(fitMask(size(1008, 567), size(1024, 576))).toEqual({ kind: 'scale' });
    expect(describeMaskFit('m.png', size(960, 540), size(1920, 1080), { kind: 'scale' })).toBe(
      'mask m.png is 960×540, the video 1920×1080: scaled to the video size (same aspect ratio)',
    );
  });

  it('the same size is exact and says nothing; another aspect is refused', () => {
    expect(fitMask(size(1920, 1080), size(1920, 1080))).toEqual({ kind: 'exact' });
    expect(describeMaskFit('m.png', size(8, 8), size(8, 8), { kind: 'exact' })).toBeUndefined();
    expect(fitMask(size(480, 480), size(1920, 1080))).toBeUndefined();
    expect(fitMask(size(1440, 1080), size(1920, 1088))).toBeUndefined();
  });

  it('applyMaskFit: padding keeps every pixel in place, the rest background; a larger mask is cut', () => {
    const grey = gradient(5, 3);
    const padded = applyMaskFit(grey, size(5, 3), size(6, 4), { kind: 'pad', right: 1, bottom: 1 });
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 6; x++) expect(padded[y * 6 + x]).toBe(x < 5 && y < 3 ? grey[y * 5 + x] : 0);
    const cut = applyMaskFit(grey, size(5, 3), size(4, 2), { kind: 'pad', right: -1, bottom: -1 });
    expect(Array.from(cut)).toEqual([grey[0], grey[1], grey[2], grey[3], grey[5], grey[6], grey[7], grey[8]]);
  });
});

describe('loadMask and maskFromInput with a mask of another size', () => {
  it('480×270 on a 480×272 video: placed at the top-left, two background rows, one notice', async () => {
    const grey = gradient(480, 270);
    const file = await writeGrey('padded.png', 480, 270, grey);
    const notices: string[] = [];
    const mask = await loadMask(file, 480, 272, { onNotice: (line) => notices.push(line) });
    expect(mask).toHaveLength(480 * 272);
    expect(Buffer.from(mask.subarray(0, 480 * 270)).equals(Buffer.from(grey))).toBe(true);
    expect(mask.subarray(480 * 270).every((v) => v === 0)).toBe(true);
    expect(notices).toEqual([
      `mask ${file} is 480×270, the video 480×272: placed at the top-left, the 2 rows below it are background ` +
        '(codec padding: encoders round the picture up to a multiple of 16 at the bottom and right)',
    ]);
  });

  it('a half-size mask is scaled the official way (legacy nearest) and said so', async () => {
    const grey = gradient(240, 136);
    const file = await writeGrey('half.png', 240, 136, grey);
    const notices: string[] = [];
    const mask = await loadMask(file, 480, 272, { onNotice: (line) => notices.push(line) });
    expect(Buffer.from(mask).equals(Buffer.from(resizeNearestLegacy(grey, 240, 136, 480, 272)))).toBe(true);
    expect(notices).toEqual([`mask ${file} is 240×136, the video 480×272: scaled to the video size (same aspect ratio)`]);
  });

  it('a mask of the frame size says nothing', async () => {
    const file = await writeGrey('exact.png', 48, 27, gradient(48, 27));
    const notices: string[] = [];
    await loadMask(file, 48, 27, { onNotice: (line) => notices.push(line) });
    expect(notices).toEqual([]);
  });

  it('another aspect ratio is refused naming both sizes', async () => {
    const file = await writeGrey('4x3.png', 360, 270, gradient(360, 270));
    const error = await rejectsWithHostError(loadMask(file, 480, 272), 'MASK_ASPECT_MISMATCH');
    expect(error.message).toMatch(new RegExp(`^mask ${file} is 360×270 but the video is 480×272; `));
  });

  it('the jobs layer gets the same rule, its notice naming the mask as the user gave it', async () => {
    const png = await sharp(Buffer.from(gradient(480, 270)), { raw: { width: 480, height: 270, channels: 1 } }).png().toBuffer();
    const notices: string[] = [];
    const mask = await maskFromInput({ kind: 'png', data: png.toString('base64') }, size(480, 272), { onNotice: (line) => notices.push(line) });
    expect(mask).toHaveLength(480 * 272);
    expect(notices).toEqual([expect.stringMatching(/^mask the mask PNG is 480×270, the video 480×272: placed at the top-left/)]);
  });
});
