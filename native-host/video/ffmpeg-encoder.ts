import { endianness } from 'os';
import { describeExit, spawnFfmpeg, type ExitStatus } from './ffmpeg-process';
import { formatRational } from './rational';
import type { OutputFormat } from './output-writer';
import { VideoErrors } from './video-errors';

/** `le` or `be`: raw 16-bit samples go to ffmpeg in the host's byte order (pixel formats `…le`/`…be`). */
export const NATIVE_ENDIAN = endianness() === 'LE' ? 'le' : 'be';

/** An ffmpeg child encoding raw frames written to its stdin into one file. */
export interface FfmpegEncoder {
  readonly path: string;
  /**
   * Hands one raw frame to ffmpeg, waiting while its pipe is full (back-pressure).
   * @throws HostError OUTPUT_FAILED (or FFMPEG_NOT_FOUND) if ffmpeg has exited
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg to write the trailer. @throws HostError OUTPUT_FAILED */
  finish(): Promise<void>;
  /** Kills ffmpeg (the file is left incomplete) and waits for it. */
  kill(): Promise<void>;
}

/**
 * Starts `ffmpeg -f rawvideo -pix_fmt <pixFmt> -s WxH -framerate num/den -i pipe:0 <outputArgs> -y <path>`.
 *
 * @param path - the file to write (overwritten)
 * @param pixFmt - the raw input layout, e.g. `rgb24`, `rgba64le`, `gray16le`
 * @param format - frame size and exact rate of the input
 * @param outputArgs - codec and muxer options
 */
export function startEncoder(path: string, pixFmt: string, format: OutputFormat, outputArgs: readonly string[]): FfmpegEncoder {
  const args = [
    ...['-hide_banner', '-loglevel', 'error'],
    ...['-f', 'rawvideo', '-pix_fmt', pixFmt, '-s', `${format.width}x${format.height}`],
    ...['-framerate', formatRational(format.fps), '-i', 'pipe:0'],
    ...outputArgs,
    ...['-y', path],
  ];
  const ffmpeg = spawnFfmpeg('ffmpeg', args, { stdin: true });
  const stdin = ffmpeg.stdin!;
  // Writers waiting for 'drain' are also woken when ffmpeg exits, or they would wait forever.
  const waiters = new Set<() => void>();
  void ffmpeg.exited.then(() => waiters.forEach((wake) => wake()));
  let finishing: Promise<void> | undefined;

  const failure = (status: ExitStatus) => {
    if (status.spawnError) return VideoErrors.ffmpegNotFound(ffmpeg.binary);
    const reason = ffmpeg.reason(path);
    return VideoErrors.outputFailed(path, reason === 'no message' ? `ffmpeg stopped (${describeExit(status)})` : reason);
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      if (ffmpeg.hasExited()) return resolve();
      const wake = () => {
        stdin.off('drain', wake);
        waiters.delete(wake);
        resolve();
      };
      stdin.on('drain', wake);
      waiters.add(wake);
    });

  return {
    path,
    async write(bytes) {
      if (finishing) throw new Error(`write after finish on ${path}`);
      if (ffmpeg.hasExited()) throw failure(await ffmpeg.exited);
      if (!stdin.write(bytes)) await drained();
      if (ffmpeg.hasExited()) throw failure(await ffmpeg.exited);
    },
    finish() {
      finishing ??= (async () => {
        stdin.end();
        const status = await ffmpeg.exited;
        if (status.spawnError || status.code !== 0) throw failure(status);
      })();
      return finishing;
    },
    async kill() {
      await ffmpeg.kill();
    },
  };
}
