import type { JobFrameResult } from '../../bridge/jobs';
import type { JobFrameSource } from '../jobs/job-service';
import { decodeFrame, encodePreviewPng } from './preview';

/** What getJobFrame renders: a job's frame (from the jobs layer) and the PNG size asked for. */
export interface JobFrameRequest extends JobFrameSource {
  frame: number;
  maxSize?: number;
}
export type JobFrameRenderer = (request: JobFrameRequest) => Promise<JobFrameResult>;

/** The tint of the background: magenta, which no skin, hair or sky is. */
export const MATTE_TINT = [255, 0, 255] as const;
const KEEP = 0.25;
const TINT = 0.35;

/**
 * The matte shown over the frame, for panels that cannot composite (UXP's canvas has no drawImage): per
 * channel `out = rgb·α + (rgb·0.25 + tint·0.35)·(1 − α)`, rounded (Math.round; at most 153 where α = 0, so
 * no clipping): the subject as it is, the background darkened and tinted magenta.
 *
 * @param rgb - width·height·3 bytes
 * @param alpha - width·height values in [0, 1]
 */
export function overlayMatte(rgb: Uint8Array, alpha: Float32Array): Uint8Array {
  if (rgb.length !== alpha.length * 3) throw new RangeError(`${rgb.length / 3} pixels of colour, ${alpha.length} of alpha`);
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i];
    for (let c = 0; c < 3; c++) {
      const v = rgb[3 * i + c];
      out[3 * i + c] = Math.round(v * a + (v * KEEP + MATTE_TINT[c] * TINT) * (1 - a));
    }
  }
  return out;
}

/**
 * Decodes the job's frame (as getPreview) and draws the matte over it when there is one; the plain frame
 * with `hasAlpha: false` while the job has not computed it. The overlay is made at the source size, then
 * scaled to `maxSize`.
 *
 * @throws HostError as decodeFrame
 */
export async function renderJobFrame(request: JobFrameRequest): Promise<JobFrameResult> {
  const { frame } = await decodeFrame(request.media, request.frame, request.frameRate);
  const matte = request.alpha;
  if (matte && (matte.width !== frame.width || matte.height !== frame.height))
    throw new Error(`the stored matte of frame ${request.frame} is ${matte.width}×${matte.height}, the frame ${frame.width}×${frame.height}`);
  const rgb = matte ? overlayMatte(frame.data, matte.alpha) : frame.data;
  return {
    ...(await encodePreviewPng(rgb, frame.width, frame.height, request.maxSize)),
    sourceWidth: frame.width,
    sourceHeight: frame.height,
    frame: request.frame,
    hasAlpha: matte !== undefined,
  };
}
