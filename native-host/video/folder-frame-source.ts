import { promises as fs } from 'fs';
import { join } from 'path';
import sharp, { type Metadata } from 'sharp';
import type { FrameRange } from './frame-range';
import type { FrameSource, RgbFrame } from './frame-source';
import { iterateOnce } from './iterate-once';
import type { Rational, VideoInfo } from './probe';
import { VideoErrors } from './video-errors';

/**
 * Numbered still images read as frames (formats both OpenCV's imread and sharp decode). The name must hold
 * a number, so that a mask saved beside the frames (`mask.png`) is not taken for one.
 */
const FRAME_FILE = /\d[^/\\]*\.(png|jpe?g|tiff?|bmp|webp)$/i;

/** The official script's fps for folders. */
const DEFAULT_FOLDER_FPS: Rational = { num: 24, den: 1 };

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order ("f2" before "f10"); equal numbers with different padding fall back to code units. */
export function compareFrameNames(a: string, b: string): number {
  return natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A {@link FrameSource} over a folder of numbered images: frame i is the i-th image in natural order.
 * Images are decoded with sharp to RGB: EXIF orientation applied and ICC profiles ignored (as OpenCV's
 * `imread` in the official script), alpha dropped, grey expanded to RGB.
 *
 * @param dir - the folder
 * @param range - validated frame range (indices into the sorted list)
 * @param fps - the rate to report (default 24/1)
 * @throws HostError VIDEO_UNREADABLE when there are no images; during iteration when an image cannot be
 *   decoded or its size differs from the first image's
 */
export async function openFolderSource(
  dir: string,
  range: FrameRange,
  fps: Rational = DEFAULT_FOLDER_FPS,
): Promise<FrameSource> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && FRAME_FILE.test(e.name))
    .map((e) => e.name)
    .sort(compareFrameNames);
  if (names.length === 0) throw VideoErrors.unreadable(dir, 'the folder has no numbered png, jpg, tif, bmp or webp images');
  const info = await describeFolder(dir, names[0], names.length, fps);
  let closed = false;

  async function* decode(): AsyncGenerator<RgbFrame> {
    const last = Math.min(range.to, names.length - 1);
    // Decode one image ahead so that sharp's thread works while the consumer handles the current frame.
    let pending = range.from <= last ? decodeFrame(dir, names, range.from, info) : undefined;
    for (let index = range.from; pending && !closed; index++) {
      const current = pending;
      pending = index < last ? decodeFrame(dir, names, index + 1, info) : undefined;
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

async function describeFolder(dir: string, first: string, count: number, fps: Rational): Promise<VideoInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(join(dir, first)).metadata();
  } catch (e) {
    throw VideoErrors.decodeFailed(dir, 0, `${first}: ${(e as Error).message}`);
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

async function decodeFrame(dir: string, names: string[], index: number, info: VideoInfo): Promise<RgbFrame> {
  const name = names[index];
  let data: Buffer;
  let width: number;
  let height: number;
  try {
    const out = await sharp(join(dir, name), { autoOrient: true, ignoreIcc: true })
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
      `${name} is ${width}×${height} but ${names[0]} is ${info.width}×${info.height}; all images must have the same size`,
    );
  }
  return { index, width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
