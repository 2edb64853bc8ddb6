import type { Rational } from '../video/probe';
import { openFrameSource, type RgbFrame } from '../video/frame-source';
import { VideoErrors } from '../video/video-errors';
import { personMask, type PersonMask, type PersonMaskBox } from './person-mask';

/**
 * Decodes one frame of a video or frame folder (as jobs and `matanyone matte` read it).
 * @throws HostError VIDEO_UNREADABLE / INVALID_ARGUMENT from openFrameSource, or when the frame is past the end
 */
export async function decodeFrame(input: string, index: number, folderFps?: Rational): Promise<RgbFrame> {
  const source = await openFrameSource(input, { from: index, to: index, folderFps });
  try {
    for await (const frame of source.frames()) return frame;
  } finally {
    await source.close();
  }
  throw VideoErrors.unreadable(input, `it has no frame ${index}`);
}

/** The auto (person) mask of frame `index` of a clip: what `--mask auto` starts a job with. */
export async function personMaskOfFrame(input: string, index: number, options: { box?: PersonMaskBox; folderFps?: Rational } = {}): Promise<PersonMask & { width: number; height: number }> {
  const frame = await decodeFrame(input, index, options.folderFps);
  const result = await personMask(frame, { box: options.box, frameIndex: index });
  return { ...result, width: frame.width, height: frame.height };
}
