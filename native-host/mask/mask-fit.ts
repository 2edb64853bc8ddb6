import { resizeNearestLegacy } from './nearest-resize';

/** A size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/**
 * How a mask maps onto the frame:
 * - `exact`: same size;
 * - `pad`: the frame is the mask plus codec padding (or the reverse): the mask is placed at the top-left,
 *   frame pixels beyond it are background, mask pixels beyond the frame are dropped. `right`/`bottom` are
 *   frame − mask in columns/rows (negative: the mask is the larger);
 * - `scale`: the same picture at another size (the official script's legacy-nearest resize).
 */
export type MaskFit = { kind: 'exact' } | { kind: 'pad'; right: number; bottom: number } | { kind: 'scale' };

/** Encoders code whole 16×16 macroblocks: a 1080-line picture is stored as 1088 lines, 540 as 544, 720 sometimes as 736. */
const PAD_BLOCK = 16;

/**
 * The rule for a first-frame mask of another size than the frame (one rule for `matanyone matte` and the
 * jobs): padding when each side is equal or differs by at most 16 with the larger one a multiple of 16; else
 * a scale when the aspect ratios agree (see {@link sameAspect}); else none (the caller refuses it).
 * When both would do and both sides differ, the scale wins: padding on both sides at once is rare, and a
 * mask at the same aspect that differs on both sides is most likely resized.
 *
 * @returns how to map the mask, or undefined when it is not a picture of this frame
 * @example
 * fitMask({ width: 1920, height: 1080 }, { width: 1920, height: 1088 }); // { kind: 'pad', right: 0, bottom: 8 }
 * fitMask({ width: 960, height: 540 }, { width: 1920, height: 1080 });   // { kind: 'scale' }
 */
export function fitMask(mask: Size, frame: Size): MaskFit | undefined {
  if (mask.width === frame.width && mask.height === frame.height) return { kind: 'exact' };
  const right = padding(mask.width, frame.width);
  const bottom = padding(mask.height, frame.height);
  const scaled = sameAspect(mask, frame);
  if (right !== undefined && bottom !== undefined && !(scaled && right !== 0 && bottom !== 0)) return { kind: 'pad', right, bottom };
  return scaled ? { kind: 'scale' } : undefined;
}

/** frame − mask along one side when that is codec padding (or none), else undefined. */
function padding(mask: number, frame: number): number | undefined {
  const d = frame - mask;
  if (d === 0) return 0;
  return Math.abs(d) <= PAD_BLOCK && Math.max(mask, frame) % PAD_BLOCK === 0 ? d : undefined;
}

/**
 * Whether the mask could be the frame scaled: its height is within one pixel of width·(frame h/w), or its
 * width within one pixel of height·(frame w/h) (rounding at the mask's own scale).
 */
export function sameAspect(mask: Size, frame: Size): boolean {
  return (
    Math.abs(mask.height - (mask.width * frame.height) / frame.width) <= 1 ||
    Math.abs(mask.width - (mask.height * frame.width) / frame.height) <= 1
  );
}

/**
 * Maps grey mask pixels onto the frame as `fit` says.
 *
 * @param grey - mask.width·mask.height values, row-major
 * @returns frame.width·frame.height values (`grey` itself when exact)
 */
export function applyMaskFit(grey: Uint8Array, mask: Size, frame: Size, fit: MaskFit): Uint8Array {
  if (fit.kind === 'exact') return grey;
  if (fit.kind === 'scale') return resizeNearestLegacy(grey, mask.width, mask.height, frame.width, frame.height);
  const out = new Uint8Array(frame.width * frame.height);
  const columns = Math.min(mask.width, frame.width);
  for (let y = 0; y < Math.min(mask.height, frame.height); y++)
    out.set(grey.subarray(y * mask.width, y * mask.width + columns), y * frame.width);
  return out;
}

/**
 * The one line telling the user how a mask of another size was mapped, and why; undefined when exact.
 *
 * @param label - how to name the mask (its path)
 */
export function describeMaskFit(label: string, mask: Size, frame: Size, fit: MaskFit): string | undefined {
  const sizes = `mask ${label} is ${mask.width}×${mask.height}, the video ${frame.width}×${frame.height}`;
  switch (fit.kind) {
    case 'exact':
      return undefined;
    case 'scale':
      return `${sizes}: scaled to the video size (same aspect ratio)`;
    case 'pad': {
      const parts = [edge(fit.bottom, 'row', 'below it'), edge(fit.right, 'column', 'right of it')].filter(Boolean);
      return `${sizes}: placed at the top-left, ${parts.join(' and ')} (codec padding: encoders round the picture up to a multiple of 16 at the bottom and right)`;
    }
  }
}

/** "the 8 rows below it are background", or for a larger mask "its 8 rows below the frame are dropped". */
function edge(d: number, unit: string, where: string): string | undefined {
  if (d === 0) return undefined;
  const n = Math.abs(d);
  const units = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return d > 0 ? `the ${units} ${where} ${n === 1 ? 'is' : 'are'} background` : `its ${units} beyond the video ${n === 1 ? 'is' : 'are'} dropped`;
}
