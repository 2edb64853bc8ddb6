import { promises as fs } from 'fs';
import { openFolderSource } from './folder-frame-source';
import { frameRange } from './frame-range';
import type { VideoInfo, Rational } from './probe';
import { openVideoSource } from './video-frame-source';
import { VideoErrors } from './video-errors';

/** One decoded frame. */
export interface RgbFrame {
  /** Source frame number (0-based, counted from the start of the input, not of the range). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** RGB24, row-major, width·height·3 bytes; a fresh buffer the consumer owns. */
  readonly data: Uint8Array;
}

/**
 * Frames of a video file or an image folder, decoded one at a time (constant memory).
 * `frames()` may be iterated once; breaking out of the loop stops the decoder.
 */
export interface FrameSource {
  readonly info: VideoInfo;
  frames(): AsyncIterable<RgbFrame>;
  /** Stops decoding (kills ffmpeg and waits for it); safe at any time and more than once. */
  close(): Promise<void>;
}

/** Which frames to read, and the rate of an image folder. */
export interface FrameSourceOptions {
  /** First source frame to deliver (0-based, inclusive); earlier frames are skipped exactly. */
  readonly from?: number;
  /** Last source frame to deliver (inclusive); decoding stops after it. */
  readonly to?: number;
  /** Frame rate of an image folder (default 24/1, as the official script); ignored for video files. */
  readonly folderFps?: Rational;
}

/**
 * Opens a video file (decoded by ffmpeg) or a folder of numbered images (decoded by sharp).
 *
 * @param input - a video file, or a folder of numbered png/jpg/tif/bmp/webp images (see listFrameFiles)
 * @param options - frame range and folder frame rate
 * @returns a source whose `info` is known before the first frame is decoded
 * @throws HostError VIDEO_UNREADABLE (missing, not a video, no images, a gap or a duplicate in the frame
 *   numbers), INVALID_ARGUMENT (bad range),
 *   FFMPEG_NOT_FOUND; decode failures part-way come from the iteration, after the frames before them
 * @example
 * const source = await openFrameSource('clip.mp4', { from: 10, to: 99 });
 * try {
 *   for await (const frame of source.frames()) engine.push(frame);
 * } finally {
 *   await source.close();
 * }
 */
export async function openFrameSource(input: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  const range = frameRange(options.from, options.to);
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat) throw VideoErrors.unreadable(input, 'no such file or folder');
  if (stat.isDirectory()) return openFolderSource(input, range, options.folderFps);
  return openVideoSource(input, range);
}

