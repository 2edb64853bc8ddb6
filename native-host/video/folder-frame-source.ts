import sharp, { type Metadata } from 'sharp';
import { listFrameFiles, type FrameFile } from './frame-files';
import type { FrameRange } from './frame-range';
import type { FrameSource, RgbFrame } from './frame-source';
import { iterateOnce } from './iterate-once';
import type { Rational, VideoInfo } from './probe';
import { VideoErrors } from './video-errors';

/** The official script's fps for folders. */
const DEFAULT_FOLDER_FPS: Rational = { num: 24, den: 1 };

/**
 * A {@link FrameSource} over a folder of numbered images: frame i is the image numbered lowest + i (see
 * {@link listFrameFiles}: links followed, numbers without gaps or duplicates).
 * Images are decoded with sharp to RGB: EXIF orientation applied and ICC profiles ignored (as OpenCV's
 * `imread` in the official script), alpha dropped, grey expanded to RGB.
 *
 * @param dir - the folder
 * @param range - validated frame range (indices into the sorted list)
 * @param fps - the rate to report (default 24/1)
 * @throws HostError VIDEO_UNREADABLE when there are no images, or their numbers have a gap or a duplicate;
 *   during iteration when an image cannot be decoded or its size differs from the first image's
 */
export async function openFolderSource(
  dir: string,
  range: FrameRange,
  fps: Rational = DEFAULT_FOLDER_FPS,
): Promise<FrameSource> {
  const files = await listFrameFiles(dir);
  const info = await describeFolder(dir, files[0], files.length, fps);
  let closed = false;

  async function* decode(): AsyncGenerator<RgbFrame> {
    const last = Math.min(range.to, files.length - 1);
    // Decode one image ahead so that sharp's thread works while the consumer handles the current frame.
    let pending = range.from <= last ? decodeFrame(dir, files, range.from, info) : undefined;
    for (let index = range.from; pending && !closed; index++) {
      const current = pending;
      pending = index < last ? decodeFrame(dir, files, index + 1, info) : undefined;
      // A failure of the look-ahead is reported when its turn comes, not as an unhandled rejection.
      pending?.catch(() => {});
      yield await current;
    }
  }

  return {
    info,
    frames: iterateOnce(decode),
    async close() {
      closed = true;
    },
  };
}

async function describeFolder(dir: string, first: FrameFile, count: number, fps: Rational): Promise<VideoInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(first.path).metadata();
  } catch (e) {
    throw VideoErrors.decodeFailed(dir, 0, `${first.name}: ${(e as Error).message}`);
  }
  return {
    width: meta.autoOrient.width,
    height: meta.autoOrient.height,
    fps,
    frameCount: count,
    codec: meta.format,
    pixFmt: 'rgb24',
    rotation: 0,
  };
}

async function decodeFrame(dir: string, files: FrameFile[], index: number, info: VideoInfo): Promise<RgbFrame> {
  const { name, path } = files[index];
  let data: Buffer;
  let width: number;
  let height: number;
  try {
    const out = await sharp(path, { autoOrient: true, ignoreIcc: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    ({ data } = out);
    ({ width, height } = out.info);
    if (out.info.channels !== 3) throw new Error(`decoded to ${out.info.channels} channels instead of 3`);
  } catch (e) {
    throw VideoErrors.decodeFailed(dir, index, `${name}: ${(e as Error).message}`);
  }
  if (width !== info.width || height !== info.height) {
    throw VideoErrors.decodeFailed(
      dir,
      index,
      `${name} is ${width}×${height} but ${files[0].name} is ${info.width}×${info.height}; all images must have the same size`,
    );
  }
  return { index, width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
