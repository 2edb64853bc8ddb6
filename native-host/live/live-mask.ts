import { HostError } from '../errors';
import { loadMask } from '../mask/load-mask';
import type { ProcessingSize } from '../matte/processing-size';
import { personMask, type PersonMaskBox } from '../person-mask/person-mask';
import type { CapturedFrame } from './live-input';

/** The value of `--mask` that finds the people on the frame instead of reading a file. */
export const LIVE_AUTO_MASK = 'auto';

/**
 * A live session's mask: a PNG file (as `matanyone matte --mask`), `'auto'` (the people on the frame it is
 * applied to), or grey pixels at the frame's size (non-zero = subject; a panel's drawing).
 */
export type LiveMask = string | Uint8Array | { auto: true; box?: PersonMaskBox };

/** The official closing of a first-frame mask (`--dilate 10 --erode 10`). */
export interface MaskMorphology {
  dilate: number;
  erode: number;
}

/**
 * A live mask as the engine takes it, for one captured frame: read (a file, at the frame's size, mapped as
 * loadMask maps it), or found on the frame's own pixels (auto), then closed and brought to the working size
 * as `matanyone matte` prepares its first mask.
 *
 * @throws HostError MASK_NOT_FOUND / MASK_UNREADABLE / MASK_ASPECT_MISMATCH / MASK_EMPTY for a file,
 *   NO_PERSON for auto, INVALID_ARGUMENT or MASK_EMPTY for pixels of the wrong size or all zero
 */
export async function prepareLiveMask(mask: LiveMask, frame: CapturedFrame, size: ProcessingSize, morphology: MaskMorphology, onNotice?: (line: string) => void): Promise<Uint8Array> {
  const { width, height } = frame;
  let grey: Uint8Array;
  if (mask instanceof Uint8Array) {
    if (mask.length !== width * height) throw new HostError('INVALID_ARGUMENT', `the mask has ${mask.length} pixels but the frame is ${width}×${height} (${width * height})`);
    if (!mask.some((v) => v !== 0)) throw new HostError('MASK_EMPTY', 'the mask is empty: nothing is selected; paint the subject');
    grey = mask;
  } else if (mask === LIVE_AUTO_MASK || typeof mask === 'object') {
    const box = typeof mask === 'object' ? mask.box : undefined;
    grey = (await personMask({ data: frame.rgb, width, height }, { box, frameIndex: frame.index })).mask;
  } else {
    grey = await loadMask(mask, width, height, { onNotice });
  }
  return size.prepareMask(grey, morphology);
}
