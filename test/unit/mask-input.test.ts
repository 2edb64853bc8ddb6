import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import type { MaskInput } from '../../bridge/media';
import { maskFromInput, storeMaskInput } from '../../native-host/jobs/mask-input';
import { loadMask } from '../../native-host/mask/load-mask';
import { FIXTURE_MASK } from '../support/job-fixtures';
import { makeVideoTempDir, rejectsWithHostError } from '../support/video-fixtures';

type Strokes = Extract<MaskInput, { kind: 'strokes' }>['strokes'];
const W = 100;
const H = 60;

/**
 * Reference rasteriser, by brute force: every pixel centre against every segment, distance to the
 * closest point of the segment (clamped projection), strokes painted in order.
 */
function bruteForceStrokes(strokes: Strokes, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const s of strokes) {
    const segments = s.points.length === 1 ? [[s.points[0], s.points[0]]] : s.points.slice(1).map((p, i) => [s.points[i], p]);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const hit = segments.some(([a, b]) => {
          const dx = b[0] - a[0];
          const dy = b[1] - a[1];
          const len2 = dx * dx + dy * dy;
          const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - a[0]) * dx + (py - a[1]) * dy) / len2));
          const qx = a[0] + t * dx - px;
          const qy = a[1] + t * dy - py;
          return qx * qx + qy * qy <= s.radius * s.radius;
        });
        if (hit) out[y * width + x] = s.erase ? 0 : 255;
      }
  }
  return out;
}

const ones = (m: Uint8Array) => m.reduce((n, v) => n + (v ? 1 : 0), 0);

describe('mask input: a bridge mask to grey at the frame size', () => {
  const tmp = makeVideoTempDir('mask-input-');
  afterAll(() => tmp.cleanup());

  test('a base64 PNG loads exactly as the same file through loadMask (PIL grey, aspect, nearest resize)', async () => {
    // RGB at half the frame size: exercises the grey conversion and the resize.
    const rgb = Buffer.alloc(213 * 120 * 3);
    for (let i = 0; i < 213 * 120; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, i % 5 === 0 ? 0 : 200], i * 3);
    const png = await sharp(rgb, { raw: { width: 213, height: 120, channels: 3 } }).png().toBuffer();
    const file = tmp.file('half.png');
    fs.writeFileSync(file, png);
    const mask = await maskFromInput({ kind: 'png', data: png.toString('base64') }, { width: 426, height: 240 });
    expect(Buffer.from(mask).equals(Buffer.from(await loadMask(file, 426, 240)))).toBe(true);
  });

  test('a path is loadMask itself', async () => {
    const mask = await maskFromInput({ kind: 'path', path: FIXTURE_MASK }, { width: 426, height: 240 });
    expect(Buffer.from(mask).equals(Buffer.from(await loadMask(FIXTURE_MASK, 426, 240)))).toBe(true);
  });

  test('a single-point stroke is a disc: pixel centres within the radius', async () => {
    const strokes: Strokes = [{ points: [[40.3, 30.6]], radius: 7.3 }];
    const mask = await maskFromInput({ kind: 'strokes', strokes }, { width: W, height: H });
    expect(mask).toEqual(bruteForceStrokes(strokes, W, H));
    expect(Math.abs(ones(mask) - Math.PI * 7.3 * 7.3)).toBeLessThan(10);
  });

  test('polylines are round-capped thick lines, clipped at the frame; erase strokes clear, in order', async () => {
    const strokes: Strokes = [
      { points: [[10.2, 10.7], [80.6, 45.1], [90.3, 12.4]], radius: 4.6 },
      { points: [[-5.5, 55.2], [30.1, 58.9]], radius: 3.3 }, // partly outside
      { points: [[50.7, 20.2], [50.7, 40.9]], radius: 2.2 }, // vertical
      { points: [[45.4, 33.1]], radius: 6.1, erase: true },
      { points: [[44.2, 33.3], [46.8, 33.3]], radius: 1.4 }, // a dot back inside the erased hole
    ];
    const mask = await maskFromInput({ kind: 'strokes', strokes }, { width: W, height: H });
    expect(mask).toEqual(bruteForceStrokes(strokes, W, H));
    expect(mask[33 * W + 45]).toBe(255);
    expect(mask[33 * W + 49]).toBe(0); // erased
  });

  test('a box: the pixels whose centres are inside it', async () => {
    const mask = await maskFromInput({ kind: 'box', x: 10.2, y: 5.7, width: 20.5, height: 10 }, { width: W, height: H });
    const expected = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (x + 0.5 >= 10.2 && x + 0.5 < 30.7 && y + 0.5 >= 5.7 && y + 0.5 < 15.7) expected[y * W + x] = 255;
    expect(mask).toEqual(expected);
    expect(ones(mask)).toBe(21 * 10); // columns 10…30, rows 6…15
  });

  test('wrong aspect and empty masks are refused, naming the mask as the user gave it', async () => {
    const square = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const aspect = await rejectsWithHostError(maskFromInput({ kind: 'png', data: square.toString('base64') }, { width: 426, height: 240 }), 'MASK_ASPECT_MISMATCH');
    expect(aspect.message).toMatch(/^mask the mask PNG is 100×100 but the video is 426×240/);
    const black = await sharp({ create: { width: 426, height: 240, channels: 3, background: '#000000' } }).png().toBuffer();
    await rejectsWithHostError(maskFromInput({ kind: 'png', data: black.toString('base64') }, { width: 426, height: 240 }), 'MASK_EMPTY');
    const outside = await rejectsWithHostError(maskFromInput({ kind: 'strokes', strokes: [{ points: [[-20, -20], [-5, 200]], radius: 4 }] }, { width: W, height: H }), 'MASK_EMPTY');
    expect(outside.message).toMatch(/the strokes/);
    await rejectsWithHostError(maskFromInput({ kind: 'box', x: W, y: 0, width: 10, height: 10 }, { width: W, height: H }), 'MASK_EMPTY');
    await rejectsWithHostError(maskFromInput({ kind: 'png', data: Buffer.from('not a png').toString('base64') }, { width: W, height: H }), 'MASK_UNREADABLE');
    await rejectsWithHostError(maskFromInput({ kind: 'path', path: tmp.file('missing.png') }, { width: W, height: H }), 'MASK_NOT_FOUND');
  });

  test('a job keeps image masks as files in its folder; they load the same from there', async () => {
    const dir = tmp.file('job');
    fs.mkdirSync(path.join(dir, 'masks'), { recursive: true });
    const png = fs.readFileSync(FIXTURE_MASK);
    const fromData = await storeMaskInput({ kind: 'png', data: png.toString('base64') }, dir, 'masks/target-0.png', 'the mask PNG of target "a"');
    const fromPath = await storeMaskInput({ kind: 'path', path: FIXTURE_MASK }, dir, 'masks/target-1.png', 'unused');
    expect(fromData).toEqual({ kind: 'file', file: 'masks/target-0.png', label: 'the mask PNG of target "a"' });
    expect(fromPath).toEqual({ kind: 'file', file: 'masks/target-1.png', label: FIXTURE_MASK });
    const reference = await loadMask(FIXTURE_MASK, 426, 240);
    for (const stored of [fromData, fromPath]) expect(await maskFromInput(stored, { width: 426, height: 240 }, { dir })).toEqual(reference);
    const box: MaskInput = { kind: 'box', x: 1, y: 1, width: 5, height: 5 };
    expect(await storeMaskInput(box, dir, 'masks/target-2.png', 'unused')).toBe(box);
    await rejectsWithHostError(storeMaskInput({ kind: 'path', path: tmp.file('gone.png') }, dir, 'masks/target-3.png', 'unused'), 'MASK_NOT_FOUND');
  });
});
