import { HostError } from '../errors';

/**
 * Factories for the user-facing video errors (one line each: what failed, ffmpeg's reason, what to do).
 * Built per throw so that each has its own stack.
 */
export const VideoErrors = {
  ffmpegNotFound(binary: string): HostError {
    return new HostError(
      'FFMPEG_NOT_FOUND',
      `${binary} was not found; install ffmpeg (e.g. apt install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH`,
    );
  },
  unreadable(input: string, reason: string): HostError {
    return new HostError('VIDEO_UNREADABLE', `cannot read video ${input}: ${reason}`);
  },
  /** Decoding stopped part-way; the frames before `frame` were delivered. */
  decodeFailed(input: string, frame: number, reason: string): HostError {
    return new HostError('VIDEO_UNREADABLE', `cannot read video ${input}: decoding failed at frame ${frame}: ${reason}`);
  },
  outputFailed(output: string, reason: string): HostError {
    return new HostError('OUTPUT_FAILED', `cannot write ${output}: ${reason}`);
  },
};
