import sharp from 'sharp';
import type { Result } from '../../bridge/protocol';
import type { FrameRate } from '../../bridge/media';
import { HostError } from '../errors';
import { openFrameSource, RgbFrame } from '../video/frame-source';
import type { VideoInfo } from '../video/probe';

/** What `getPreview` asks for; `media` is already checked against the allowed roots. */
export interface PreviewRequest {
  media: string;
  frame: number;
  /** the PNG's longer side at most (default {@link DEFAULT_PREVIEW_SIZE}); never enlarged */
  maxSize?: number;
  /** rate of a frame folder */
  frameRate?: FrameRate;
}

export type PreviewResult = Result<'getPreview'>;
export type PreviewRenderer = (request: PreviewRequest) => Promise<PreviewResult>;

/** Without `maxSize`, previews are at most 1920 pixels wide or high: a 4K PNG would make a 20 MB message. */
export const DEFAULT_PREVIEW_SIZE = 1920;

/**
 * Decodes one frame of a video or frame folder (through ffmpeg or sharp, as jobs read it).
 *
 * @throws HostError INVALID_ARGUMENT for a frame past the end, and openFrameSource's VIDEO_UNREADABLE,
 *   FFMPEG_NOT_FOUND
 */
export async function decodeFrame(media: string, index: number, frameRate?: FrameRate): Promise<{ frame: RgbFrame; info: VideoInfo }> {
  const source = await openFrameSource(media, { from: index, to: index, folderFps: frameRate });
  try {
    let frame: RgbFrame | undefined;
    for await (const f of source.frames()) {
      frame = f;
      break;
    }
    const { info } = source;
    if (!frame) {
      const count = info.frameCount !== undefined ? ` (${info.frameCount} frames)` : '';
      throw new HostError('INVALID_ARGUMENT', `frame ${index} is past the end of ${media}${count}`);
    }
    return { frame, info };
  } finally {
    await source.close();
  }
}

/** RGB24 as a base64 PNG whose longer side is at most `maxSize` (never enlarged). */
export async function encodePreviewPng(rgb: Uint8Array, width: number, height: number, maxSize = DEFAULT_PREVIEW_SIZE): Promise<{ png: string; width: number; height: number }> {
  let image = sharp(rgb, { raw: { width, height, channels: 3 } });
  if (Math.max(width, height) > maxSize) image = image.resize({ width: maxSize, height: maxSize, fit: 'inside' });
  const png = await image.png().toBuffer({ resolveWithObject: true });
  return { png: png.data.toString('base64'), width: png.info.width, height: png.info.height };
}

/**
 * Decodes one frame of a video or frame folder and returns it as a base64 PNG, scaled to fit `maxSize`.
 *
 * @throws HostError as {@link decodeFrame}
 */
export async function renderPreview(request: PreviewRequest): Promise<PreviewResult> {
  const { frame, info } = await decodeFrame(request.media, request.frame, request.frameRate);
  return {
    ...(await encodePreviewPng(frame.data, frame.width, frame.height, request.maxSize)),
    sourceWidth: frame.width,
    sourceHeight: frame.height,
    ...(info.frameCount !== undefined ? { frameCount: info.frameCount } : {}),
    frameRate: { num: info.fps.num, den: info.fps.den },
  };
}
