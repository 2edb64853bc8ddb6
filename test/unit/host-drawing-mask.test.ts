import type { MaskInput } from '../../bridge/media';
import { MaskInput as MaskInputSchema } from '../../bridge/media';
import { checkDrawingBase, maskFromInput } from '../../native-host/jobs/mask-input';
import { rasteriseBox, rasteriseDrawing, rasteriseStrokes } from '../../native-host/jobs/stroke-raster';
import { rejectsWithHostError } from '../support/video-fixtures';

const W = 80;
const H = 50;
const size = { width: W, height: H };
const at = (m: Uint8Array, x: number, y: number) => m[y * W + x];
/** A drawing as the host receives it (schema defaults applied). */
const drawing = (input: unknown) => MaskInputSchema.parse({ kind: 'drawing', ...(input as object) }) as Extract<MaskInput, { kind: 'drawing' }>;

describe('drawing masks (protocol 2)', () => {
  test('shapes are painted in order: a box, then an erase stroke through it, leaves a hole', async () => {
    const mask = await maskFromInput(
      drawing({ shapes: [{ type: 'box', x: 10, y: 10, width: 40, height: 30 }, { type: 'stroke', points: [[30, 25]], radius: 5, erase: true }] }),
      size,
    );
    expect(at(mask, 12, 12)).toBe(255); // box
    expect(at(mask, 30, 25)).toBe(0); // the hole
    expect(at(mask, 36, 25)).toBe(255); // just outside the hole (radius 5)
    expect(at(mask, 60, 25)).toBe(0); // outside the box
    // The same as the older kinds combined: box fill, then the stroke rasteriser's coverage cleared.
    const hole = rasteriseStrokes([{ points: [[30, 25]], radius: 5 }], W, H);
    const box = rasteriseBox({ kind: 'box', x: 10, y: 10, width: 40, height: 30 }, W, H);
    expect(mask).toEqual(box.map((v, i) => (hole[i] ? 0 : v)));
  });

  test('an erase box clears, and a later stroke paints back', () => {
    const mask = rasteriseDrawing(
      [
        { type: 'box', x: 0, y: 0, width: W, height: H },
        { type: 'box', x: 20, y: 20, width: 10, height: 10, erase: true },
        { type: 'stroke', points: [[25, 25], [25, 26]], radius: 1 },
      ],
      W,
      H,
    );
    expect([at(mask, 21, 21), at(mask, 25, 25), at(mask, 5, 5)]).toEqual([0, 255, 255]);
  });

  test("base 'alpha': the matte (α ≥ 0.5 = subject) is kept where nothing is drawn", async () => {
    const alpha = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) alpha[y * W + x] = x < 40 ? 0.9 : x === 40 ? 0.5 : x === 41 ? 0.49 : 0.1;
    const mask = await maskFromInput(
      drawing({ base: 'alpha', shapes: [{ type: 'stroke', points: [[10, 10], [20, 10]], radius: 3, erase: true }, { type: 'box', x: 60, y: 40, width: 10, height: 5 }] }),
      size,
      { alpha: async () => alpha },
    );
    expect([at(mask, 5, 30), at(mask, 39, 0), at(mask, 40, 0), at(mask, 41, 0), at(mask, 70, 5)]).toEqual([255, 255, 255, 0, 0]); // not drawn: the matte
    expect(at(mask, 15, 10)).toBe(0); // erased from the matte
    expect(at(mask, 65, 42)).toBe(255); // added to it
  });

  test('the base defaults to empty; an all-background result is MASK_EMPTY; base alpha needs a matte', async () => {
    expect(drawing({ shapes: [{ type: 'box', x: 0, y: 0, width: 1, height: 1 }] }).base).toBe('empty');
    const erased = drawing({ shapes: [{ type: 'box', x: 0, y: 0, width: 10, height: 10 }, { type: 'box', x: 0, y: 0, width: 10, height: 10, erase: true }] });
    expect((await rejectsWithHostError(maskFromInput(erased, size), 'MASK_EMPTY')).message).toMatch(/the drawing/);
    const onAlpha = drawing({ base: 'alpha', shapes: [{ type: 'box', x: 0, y: 0, width: 10, height: 10, erase: true }] });
    await rejectsWithHostError(maskFromInput(onAlpha, size, { alpha: async () => new Float32Array(W * H).fill(0.2) }), 'MASK_EMPTY');
    await rejectsWithHostError(maskFromInput(onAlpha, size), 'INVALID_ARGUMENT');
    expect(() => checkDrawingBase(onAlpha, 'submitMatte')).toThrow(/correctMask only/);
    expect(() => checkDrawingBase(erased, 'submitMatte')).not.toThrow();
  });

  test('the schema bounds shapes and strokes', () => {
    const ok = (shapes: unknown) => MaskInputSchema.safeParse({ kind: 'drawing', shapes }).success;
    expect(ok([])).toBe(false);
    expect(ok(Array(2001).fill({ type: 'box', x: 0, y: 0, width: 1, height: 1 }))).toBe(false);
    expect(ok([{ type: 'stroke', points: [], radius: 1 }])).toBe(false);
    expect(ok([{ type: 'stroke', points: [[0, 0]], radius: 10_001 }])).toBe(false);
    expect(ok([{ type: 'box', x: 0, y: Infinity, width: 1, height: 1 }])).toBe(false);
    expect(ok([{ type: 'box', x: -5, y: 0, width: 0, height: 1 }])).toBe(false);
    expect(MaskInputSchema.safeParse({ kind: 'drawing', shapes: [{ type: 'box', x: 0, y: 0, width: 1, height: 1 }], base: 'mask' }).success).toBe(false);
  });
});
