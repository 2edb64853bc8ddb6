import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type { MaskInput } from '../../bridge/media';
import { HostError } from '../errors';
import { maskFromInput, type FrameSize } from '../jobs/mask-input';
import type { LiveMask } from '../live/live-session';

/** A first mask as the session takes it, and what to remove once the session has read it. */
export interface FirstLiveMask {
  mask: LiveMask;
  cleanup(): Promise<void>;
}

/**
 * startLive's mask as the live session takes it. The first frame is not read yet, so a mask that is pixels
 * (a PNG sent inline, strokes, a box, a drawing) goes through a PNG file, which the session maps onto the
 * frame's real size as `matte --mask` maps a file (a camera may deliver another size than it was asked for).
 *
 * @param size - the size the panel drew at: the file's probed size, or the camera's requested one
 * @throws HostError INVALID_ARGUMENT for a drawn mask without a known size; MASK_EMPTY for a drawing that
 *   selects nothing
 */
export async function firstLiveMask(input: MaskInput, size: FrameSize | undefined): Promise<FirstLiveMask> {
  const none = { cleanup: async () => undefined };
  if (input.kind === 'auto') return { mask: { auto: true, ...(input.box ? { box: input.box } : {}) }, ...none };
  if (input.kind === 'path') return { mask: input.path, ...none };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matanyone-live-mask-'));
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, 'mask.png');
    if (input.kind === 'png') await fs.writeFile(file, Buffer.from(input.data, 'base64'));
    else {
      if (!size)
        throw new HostError('INVALID_ARGUMENT', "a drawn first mask needs the camera's frame size: give the camera's width and height, or start with auto and re-mask on the live frame");
      const grey = await maskFromInput(input, size, { label: 'the drawn mask' });
      await sharp(grey, { raw: { width: size.width, height: size.height, channels: 1 } }).png().toFile(file);
    }
    return { mask: file, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * remaskLive's mask on the latest frame (`frame`: its size and its live matte): `auto` is left to the session,
 * which finds the people on the frame it applies the mask to; a file is read there too; anything else is
 * turned into pixels at the frame's size here (a drawing on base `alpha` starts from the live matte).
 *
 * @throws HostError MASK_* for a mask that is unreadable, of another aspect ratio, or selects nothing
 */
export async function remaskLiveMask(input: MaskInput, frame: FrameSize & { alpha: () => Float32Array }): Promise<LiveMask> {
  if (input.kind === 'auto') return { auto: true, ...(input.box ? { box: input.box } : {}) };
  if (input.kind === 'path') return input.path;
  return maskFromInput(input, frame, { label: input.kind === 'png' ? 'the mask PNG' : 'the drawn mask', alpha: async () => frame.alpha() });
}
