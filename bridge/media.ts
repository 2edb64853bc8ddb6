import { z } from 'zod';

/** A frame number in the source media, 0-based. */
export const FrameIndex = z.number().int().min(0).max(10_000_000).describe('0-based frame number in the source');

/** An exact frame rate: 30000/1001 for 29.97. */
export const FrameRate = z
  .object({ num: z.number().int().positive().max(1_000_000), den: z.number().int().positive().max(1_000_000) })
  .describe('frame rate as a fraction');
export type FrameRate = z.infer<typeof FrameRate>;

/** An absolute path on the host's machine, inside the roots the user allowed (the host checks). */
export const HostPath = z.string().min(1).max(4096).describe('absolute path on the host, under an allowed root');

const Point = z.tuple([z.number().finite(), z.number().finite()]).describe('[x, y] in source frame pixels');

const Radius = z.number().positive().max(10_000).describe('brush radius in pixels');

/** One shape of a drawing, in source frame pixels; `erase` clears what it covers instead of adding it. */
export const DrawnShape = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('box'),
    x: z.number().finite(),
    y: z.number().finite(),
    width: z.number().positive().finite(),
    height: z.number().positive().finite(),
    erase: z.boolean().optional(),
  }),
  z.object({ type: z.literal('stroke'), points: z.array(Point).min(1).max(10_000), radius: Radius, erase: z.boolean().optional() }),
]);
export type DrawnShape = z.infer<typeof DrawnShape>;

/**
 * A mask for one frame: a PNG (base64; any size with the frame's aspect, non-zero = subject), a PNG file on
 * the host, brush strokes, a box, a drawing, or `auto`; strokes, boxes and drawings are rasterised by the
 * host at the frame's size. `auto` (host feature 'autoMask') asks the host to find the people on the frame
 * itself (all of them, or those its `box` touches); none found fails with NO_PERSON.
 */
export const MaskInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('png'), data: z.string().min(1).describe('base64 PNG') }),
  z.object({ kind: z.literal('path'), path: HostPath }),
  z.object({
    kind: z.literal('strokes'),
    strokes: z
      .array(
        z.object({
          points: z.array(Point).min(1).max(10_000),
          radius: Radius,
          erase: z.boolean().optional().describe('true: removes from the mask'),
        }),
      )
      .min(1)
      .max(1000),
  }),
  z.object({
    kind: z.literal('box'),
    x: z.number().finite(),
    y: z.number().finite(),
    width: z.number().positive(),
    height: z.number().positive(),
  }),
  z.object({
    kind: z.literal('drawing'),
    shapes: z.array(DrawnShape).min(1).max(2000).describe('painted in order onto the base'),
    base: z
      .enum(['empty', 'alpha'])
      .default('empty')
      .describe("empty: all background; alpha (correctMask only): the job's current matte of that frame, α ≥ 0.5 = subject"),
  }),
  z.object({
    kind: z.literal('auto'),
    box: z
      .object({ x: z.number().finite(), y: z.number().finite(), width: z.number().positive().finite(), height: z.number().positive().finite() })
      .optional()
      .describe('keep only the people this box (source frame pixels) touches, whole'),
  }),
]);
export type MaskInput = z.infer<typeof MaskInput>;

/** What a job writes, as `matanyone matte` does (`--alpha`, `--mov`, `--matte`, `--composite`). */
export const OutputRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alpha'), depth: z.union([z.literal(8), z.literal(16)]) }),
  z.object({ kind: z.literal('prores4444') }),
  z.object({ kind: z.literal('luma') }),
  z.object({ kind: z.literal('composite'), color: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]) }),
]);
export type OutputRequest = z.infer<typeof OutputRequest>;
