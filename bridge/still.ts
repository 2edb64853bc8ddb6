import { z } from 'zod';
import { MatteSettings } from './jobs';
import { HostPath } from './media';

const Side = z.number().int().min(1).max(16384);

/**
 * refineStill: MatAnyone's first-frame procedure on one image (Photoshop), files in and out as raw 8-bit
 * samples, row-major, no header, so that the panel writes and reads them without an image codec.
 */
export const RefineStillParams = z.object({
  image: z.object({
    path: HostPath.describe('raw interleaved RGB or RGBA, width·height·channels bytes'),
    width: Side,
    height: Side,
    channels: z.union([z.literal(3), z.literal(4)]).describe('4: the fourth byte is ignored'),
  }),
  mask: z.object({
    path: HostPath.describe('raw grey, width·height bytes; ≥ 128 = subject'),
    width: Side,
    height: Side,
  }),
  out: HostPath.describe('where the alpha goes: raw grey, width·height bytes, round(α·255)'),
  model: z.string().min(1).max(4096).optional().describe('model folder, checkpoint or registry name'),
  settings: MatteSettings.optional(),
});
export type RefineStillParams = z.infer<typeof RefineStillParams>;

export const RefineStillResult = z.object({
  path: z.string().describe('the alpha file written'),
  width: z.number().int(),
  height: z.number().int(),
  ms: z.number().min(0).describe('time spent, queueing included'),
});
export type RefineStillResult = z.infer<typeof RefineStillResult>;
