import type { EngineClient } from '../engine/worker/engine-client';
import { ProcessingSize } from '../matte/processing-size';

/** A still and its mask at the same size: RGB24 and 0/255 grey. */
export interface StillInput {
  width: number;
  height: number;
  rgb: Uint8Array;
  mask: Uint8Array;
}

/**
 * MatAnyone's first-frame procedure on one image, exactly as a job's first frame: the mask dilated and
 * eroded at the source size then resized to the working size (ProcessingSize, `maxSize`), the frame
 * area-resized, then the engine's `start` (the mask encoded into memory, warm-up + 1 first-frame
 * predictions; the warm-up count is the engine's CoreOptions), and the alpha brought back to the source
 * size. So the result equals frame 0's alpha of a job on the same frame and mask with the same settings.
 *
 * @param engine - open, with the warm-up wanted; its state is replaced (start resets it)
 * @returns width·height values in [0, 1]
 */
export async function refineStillAlpha(
  engine: EngineClient,
  input: StillInput,
  settings: { dilate: number; erode: number; maxSize?: number },
): Promise<Float32Array> {
  const { width, height } = input;
  const size = new ProcessingSize({ width, height }, settings.maxSize);
  const mask = size.prepareMask(input.mask, { dilate: settings.dilate, erode: settings.erode });
  const [alpha] = await engine.start(size.toEngine({ index: 0, width, height, data: input.rgb }), [mask]);
  return size.toSource(alpha);
}
