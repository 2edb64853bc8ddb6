import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MaskInput } from '../../bridge/media';
import { HostError, isHostError } from '../errors';
import { loadMask } from '../mask/load-mask';
import { personMask } from '../person-mask/person-mask';
import type { RgbFrame } from '../video/frame-source';
import type { StoredMask } from './job-request';
import { rasteriseBox, rasteriseDrawing, rasteriseStrokes } from './stroke-raster';

/** A frame size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Turns a mask as a panel sends it into width·height grey bytes at the frame size (0 = background), the
 * input of the official mask preparation (`prepareMask`, then the nearest resize):
 * - `png` (base64) and `path`: exactly as `matanyone matte --mask` loads a file (`loadMask`: PIL's grey
 *   conversion, the aspect rule, legacy-nearest resize to the frame size);
 * - `strokes`: round brushes painted in order, erase strokes clearing (see `rasteriseStrokes`);
 * - `box`: the pixels whose centres lie inside it;
 * - `drawing`: boxes and strokes painted in order (see `rasteriseDrawing`) onto all background, or for
 *   base `alpha` onto the frame's current matte (`options.alpha`), α ≥ 0.5 taken as subject;
 * - `auto`: the people found on the frame (`options.frame`, decoded only then), see `personMask`.
 *
 * @param input - a bridge mask, or one a job stored (its `file` relative to `options.dir`)
 * @param options - `label` names the mask in error messages (default: the path, or "the mask PNG");
 *   `dir` is the job folder that stored masks are in; `alpha` gives the frame's matte (width·height in
 *   [0, 1]) for a drawing on base `alpha`, and may throw why there is none; `onNotice` gets loadMask's line
 *   about an image of another size than the frame (scaled, or placed over codec padding), for the job log;
 *   `frame` decodes the frame the mask is for (needed by `auto`)
 * @throws HostError MASK_NOT_FOUND, MASK_UNREADABLE, MASK_ASPECT_MISMATCH, MASK_EMPTY (nothing selected),
 *   NO_PERSON (`auto` found nobody), INVALID_ARGUMENT for base `alpha` without `options.alpha` or `auto`
 *   without `options.frame`
 */
export async function maskFromInput(
  input: MaskInput | StoredMask,
  size: FrameSize,
  options: {
    label?: string;
    dir?: string;
    alpha?: () => Promise<Float32Array>;
    onNotice?: (line: string) => void;
    frame?: () => Promise<RgbFrame>;
  } = {},
): Promise<Uint8Array> {
  const { label, onNotice } = options;
  switch (input.kind) {
    case 'png':
      return withTempFile(Buffer.from(input.data, 'base64'), (file) => loadLabelled(file, label ?? 'the mask PNG', size, onNotice));
    case 'path':
      return loadLabelled(input.path, label ?? input.path, size, onNotice);
    case 'file':
      return loadLabelled(path.resolve(options.dir ?? '.', input.file), label ?? input.label, size, onNotice);
    case 'strokes':
      return nonEmpty(rasteriseStrokes(input.strokes, size.width, size.height), label ?? 'the strokes', size);
    case 'box':
      return nonEmpty(rasteriseBox(input, size.width, size.height), label ?? 'the box', size);
    case 'drawing': {
      const base = input.base === 'alpha' ? subjectOf(await baseAlpha(options.alpha), size) : undefined;
      return nonEmpty(rasteriseDrawing(input.shapes, size.width, size.height, base), label ?? 'the drawing', size);
    }
    case 'auto': {
      if (!options.frame) throw new HostError('INVALID_ARGUMENT', 'an auto mask needs the frame it is for');
      const frame = await options.frame();
      if (frame.width !== size.width || frame.height !== size.height)
        throw new Error(`frame ${frame.index} is ${frame.width}×${frame.height}, the job's frames ${size.width}×${size.height}`);
      return (await personMask(frame, { box: input.box, frameIndex: frame.index })).mask;
    }
  }
}

/** A drawing's base `alpha` exists only where a job has a matte: correctMask. */
export function checkDrawingBase(input: MaskInput, where: string): void {
  if (input.kind === 'drawing' && input.base === 'alpha')
    throw new HostError('INVALID_ARGUMENT', `${where}: a drawing on base "alpha" edits a job's matte, so it is for correctMask only; use base "empty"`);
}

function baseAlpha(alpha: (() => Promise<Float32Array>) | undefined): Promise<Float32Array> {
  if (!alpha) throw new HostError('INVALID_ARGUMENT', 'a drawing on base "alpha" needs a job\'s matte: send it with correctMask, or use base "empty"');
  return alpha();
}

/** The matte as a mask to draw on: α ≥ 0.5 is subject (255), the rest background. */
export function subjectOf(alpha: Float32Array, size: FrameSize): Uint8Array {
  if (alpha.length !== size.width * size.height) throw new Error(`matte has ${alpha.length} values, the frame is ${size.width}×${size.height}`);
  return Uint8Array.from(alpha, (a) => (a >= 0.5 ? 255 : 0));
}

/**
 * Keeps a target's mask in the job folder: PNG data and mask files become `file` (copied, so that the job
 * can resume without the original); strokes and boxes are kept as they are.
 *
 * @param dir - the job folder
 * @param file - where to keep an image, relative to `dir` (what the stored mask records)
 * @param label - how error messages name PNG data
 * @throws HostError MASK_NOT_FOUND when a mask path does not exist
 */
export async function storeMaskInput(input: MaskInput, dir: string, file: string, label: string): Promise<StoredMask> {
  switch (input.kind) {
    case 'png':
      await fs.writeFile(path.join(dir, file), Buffer.from(input.data, 'base64'));
      return { kind: 'file', file, label };
    case 'path':
      await fs.copyFile(input.path, path.join(dir, file)).catch(() => {
        throw new HostError('MASK_NOT_FOUND', `mask ${input.path} cannot be read; check the path`);
      });
      return { kind: 'file', file, label: input.path };
    default:
      return input;
  }
}

/** loadMask, with the file named by `label` in its errors and notice. */
async function loadLabelled(file: string, label: string, size: FrameSize, onNotice?: (line: string) => void): Promise<Uint8Array> {
  try {
    return await loadMask(file, size.width, size.height, { onNotice: onNotice && ((line) => onNotice(line.split(file).join(label))) });
  } catch (e) {
    if (isHostError(e) && label !== file) throw new HostError(e.code, e.message.split(file).join(label));
    throw e;
  }
}

function nonEmpty(mask: Uint8Array, label: string, size: FrameSize): Uint8Array {
  if (!mask.some((v) => v !== 0))
    throw new HostError('MASK_EMPTY', `the mask is empty: nothing of ${label} falls inside the ${size.width}×${size.height} frame; draw on the subject`);
  return mask;
}

async function withTempFile<T>(bytes: Uint8Array, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matanyone-mask-'));
  try {
    const file = path.join(dir, 'mask.png');
    await fs.writeFile(file, bytes);
    return await use(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
