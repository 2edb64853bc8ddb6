import { HostError } from '../errors';

/** A size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Where live frames come from:
 * - `file`: a video played in a loop forever at its own rate (tests, demos, a prerecorded stream);
 * - `camera`: a capture device, named as the platform names it: `/dev/video0` (or `0`) on Linux,
 *   the DirectShow name on Windows (`Integrated Camera`, or `video=Integrated Camera`), the AVFoundation
 *   name or index on macOS (`FaceTime HD Camera`, `0`).
 */
export type LiveInputSource =
  | { kind: 'file'; path: string }
  | { kind: 'camera'; device: string; videoSize?: FrameSize; framerate?: number };

/** How a source is named in status lines. */
export function describeSource(source: LiveInputSource): string {
  return source.kind === 'file' ? source.path : `camera ${source.device}`;
}

/** The demuxer options and `-i` for a source on `platform`. */
export function inputArgs(source: LiveInputSource, platform: NodeJS.Platform = process.platform): string[] {
  if (source.kind === 'file') return ['-stream_loop', '-1', '-re', '-i', source.path];
  const size = source.videoSize ? ['-video_size', `${source.videoSize.width}x${source.videoSize.height}`] : [];
  const rate = source.framerate ? ['-framerate', String(source.framerate)] : [];
  switch (platform) {
    case 'linux':
      return ['-f', 'v4l2', ...size, ...rate, '-i', /^\d+$/.test(source.device) ? `/dev/video${source.device}` : source.device];
    case 'win32':
      // A small real-time buffer: frames the reader has not taken yet are stale anyway.
      return ['-f', 'dshow', '-rtbufsize', '64M', ...size, ...rate, '-i', source.device.startsWith('video=') ? source.device : `video=${source.device}`];
    case 'darwin':
      // AVFoundation refuses the default 29.97 on many cameras: ask for 30 unless told otherwise.
      return ['-f', 'avfoundation', ...size, '-framerate', String(source.framerate ?? 30), '-i', `${source.device}:none`];
    default:
      throw new HostError('INVALID_ARGUMENT', `cameras are not supported on ${platform}; use a video file (looped) or Linux, Windows or macOS`);
  }
}

/**
 * The whole ffmpeg command line after the executable: the source decoded to raw RGB24 frames on stdout.
 * `-loglevel level+info` because the output stream's size is read from stderr (a camera's size is not known
 * before it opens); `pinned` scales to a fixed size, so that a source that comes back at another size
 * (a replaced file, a camera reopened) cannot change the frame size under a running session.
 * Passthrough sync: one output frame per captured frame, no duplicates.
 */
export function liveDecodeArgs(source: LiveInputSource, pinned?: FrameSize, platform: NodeJS.Platform = process.platform): string[] {
  return [
    ...['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'level+info'],
    ...inputArgs(source, platform),
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...(pinned ? ['-vf', `scale=${pinned.width}:${pinned.height}`] : []),
    ...['-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}

/**
 * The size of the raw output stream from ffmpeg's stderr (`Output #0, rawvideo, to 'pipe:1':` then
 * `Stream #0:0: Video: rawvideo (…), rgb24(…), 160x90 [SAR …]`); undefined until that line is complete.
 */
export function outputSizeFromLog(log: string): FrameSize | undefined {
  const output = log.indexOf('Output #0');
  if (output < 0) return undefined;
  const line = /Stream #\d+:\d+[^\n]*?: Video: rawvideo[^\n]*?, (\d+)x(\d+)[^\n]*\n/.exec(log.slice(output));
  return line ? { width: Number(line[1]), height: Number(line[2]) } : undefined;
}
