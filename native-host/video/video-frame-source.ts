import { assembleFrames } from './frame-assembler';
import { rangeLength, type FrameRange } from './frame-range';
import type { FrameSource, RgbFrame } from './frame-source';
import { iterateOnce } from './iterate-once';
import { describeExit, spawnFfmpeg, type FfmpegProcess } from './ffmpeg-process';
import { probeVideo, type VideoInfo } from './probe';
import { VideoErrors } from './video-errors';

/**
 * A {@link FrameSource} over a video file: `ffmpeg … -f rawvideo -pix_fmt rgb24 pipe:1`, started on the
 * first call of `frames()`.
 *
 * @param path - the video file
 * @param range - validated source frame range
 * @throws HostError VIDEO_UNREADABLE from the probe; during iteration VIDEO_UNREADABLE with the frame
 *   number when decoding fails, FFMPEG_NOT_FOUND
 */
export async function openVideoSource(path: string, range: FrameRange): Promise<FrameSource> {
  const info = await probeVideo(path);
  let ffmpeg: FfmpegProcess | undefined;
  let closed = false;

  async function* decode(): AsyncGenerator<RgbFrame> {
    if (closed) return;
    const decoder = spawnFfmpeg('ffmpeg', decodeArgs(path, info, range), { stdout: true });
    ffmpeg = decoder;
    const { width, height } = info;
    let index = range.from;
    try {
      try {
        for await (const data of assembleFrames(decoder.stdout!, width * height * 3)) {
          yield { index, width, height, data };
          // Frames already read from the pipe must not come out after close().
          if (closed || ++index > range.to) return;
        }
      } catch (e) {
        // close() destroys stdout under a suspended loop: a premature close that is ours, not an error.
        if (closed) return;
        throw e;
      }
      const status = await decoder.exited;
      if (status.spawnError) throw VideoErrors.ffmpegNotFound(decoder.binary);
      // After close() the kill is ours, not a decode failure.
      if (status.code !== 0 && !closed) {
        const reason = decoder.reason(path);
        throw VideoErrors.decodeFailed(path, index, reason === 'no message' ? describeExit(status) : reason);
      }
    } finally {
      await decoder.kill();
    }
  }

  return {
    info,
    frames: iterateOnce(decode),
    async close() {
      closed = true;
      await ffmpeg?.kill();
    },
  };
}

/**
 * The decoder's arguments. `-xerror` turns a corrupt packet into a failure instead of concealed garbage.
 * `select=gte(n,from)` skips by decoded-frame count (exact, unlike a timestamp seek), and passthrough
 * sync keeps one output frame per decoded frame (no duplicates or drops for variable-rate input).
 * `scale` pins the size so that a mid-stream resolution change cannot misalign the raw frames.
 */
function decodeArgs(path: string, info: VideoInfo, range: FrameRange): string[] {
  const filters = [`scale=${info.width}:${info.height}`];
  if (range.from > 0) filters.unshift(`select=gte(n\\,${range.from})`);
  const count = rangeLength(range);
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-xerror'],
    ...['-i', path, '-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', filters.join(','), '-vsync', 'passthrough'],
    ...(count === undefined ? [] : ['-frames:v', String(count)]),
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}
