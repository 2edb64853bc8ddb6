import { promises as fs } from 'fs';
import { z } from 'zod';
import { describeExit, spawnFfmpeg } from './ffmpeg-process';
import { parseRational, rationalValue, type Rational } from './rational';
import { VideoErrors } from './video-errors';

export type { Rational } from './rational';

/** What the rest of the host needs to know about an input before decoding it. */
export interface VideoInfo {
  /** Width of the decoded (upright) frames: ffmpeg applies rotation metadata when decoding. */
  readonly width: number;
  /** Height of the decoded (upright) frames. */
  readonly height: number;
  /** Frame rate as an exact rational (30000/1001 stays 30000/1001). */
  readonly fps: Rational;
  /** Number of frames when the container says so (or when counted); undefined if unknown. */
  readonly frameCount?: number;
  /** ffmpeg's codec name (`h264`, `prores`, `png`…). */
  readonly codec: string;
  /** ffmpeg's pixel format name of the coded stream (`yuv420p`, `yuv422p10le`…). */
  readonly pixFmt: string;
  /** Display rotation in degrees from the container (0, 90, 180 or 270); already applied to width/height. */
  readonly rotation: number;
}

/** The part of `ffprobe -show_streams -print_format json` that is read; everything else is ignored. */
const ProbeStream = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  nb_frames: z.string().optional(),
  nb_read_packets: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
});
type ProbeStream = z.infer<typeof ProbeStream>;
const ProbeOutput = z.object({ streams: z.array(ProbeStream).optional() });

/** Used when a stream has no usable rate (a still image); the official script's default for folders. */
const FALLBACK_FPS: Rational = { num: 24, den: 1 };

/**
 * Reads a video's size, frame rate, frame count and codec with ffprobe (first video stream).
 *
 * @param path - a video file
 * @param options - `countFrames`: when the container has no frame count (Matroska, MPEG-TS), count the
 *   packets (demuxes the whole file, no decoding; fast but not free)
 * @returns the stream's {@link VideoInfo}
 * @throws HostError VIDEO_UNREADABLE naming the file and ffprobe's reason (missing, not a video, corrupt);
 *   FFMPEG_NOT_FOUND when ffprobe is missing
 * @example
 * const info = await probeVideo('clip.mp4'); // { width: 1920, height: 1080, fps: { num: 30000, den: 1001 }, … }
 */
export async function probeVideo(path: string, options: { countFrames?: boolean } = {}): Promise<VideoInfo> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) throw VideoErrors.unreadable(path, 'no such file');
  if (!stat.isFile()) throw VideoErrors.unreadable(path, 'not a file');
  const stream = await runFfprobe(path, options.countFrames === true);
  if (!stream) throw VideoErrors.unreadable(path, 'it has no video stream');
  if (!stream.width || !stream.height) throw VideoErrors.unreadable(path, 'the video stream has no frame size');
  const rotation = displayRotation(stream);
  const quarterTurn = rotation % 180 === 90;
  return {
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
    fps: chooseFrameRate(stream),
    frameCount: frameCountOf(stream),
    codec: stream.codec_name ?? 'unknown',
    pixFmt: stream.pix_fmt ?? 'unknown',
    rotation,
  };
}

async function runFfprobe(path: string, countPackets: boolean): Promise<ProbeStream | undefined> {
  const args = ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_streams', '-select_streams', 'v:0'];
  if (countPackets) args.push('-count_packets');
  const probe = spawnFfmpeg('ffprobe', [...args, '-i', path], { stdout: true });
  let json = '';
  probe.stdout!.setEncoding('utf8');
  probe.stdout!.on('data', (text: string) => (json += text));
  const status = await probe.exited;
  if (status.spawnError) throw VideoErrors.ffmpegNotFound(probe.binary);
  if (status.code !== 0) {
    const reason = probe.reason(path);
    throw VideoErrors.unreadable(path, reason === 'no message' ? describeExit(status) : reason);
  }
  let parsed: z.infer<typeof ProbeOutput>;
  try {
    parsed = ProbeOutput.parse(JSON.parse(json));
  } catch {
    throw VideoErrors.unreadable(path, 'ffprobe gave unexpected output');
  }
  return parsed.streams?.find((s) => s.codec_type === undefined || s.codec_type === 'video');
}

/** Degrees clockwise in [0, 360): display-matrix side data (ffmpeg ≥ 5), else the legacy `rotate` tag. */
function displayRotation(stream: ProbeStream): number {
  const fromSideData = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const degrees = fromSideData ?? Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  return ((Math.round(degrees / 90) * 90) % 360 + 360) % 360;
}

/**
 * `r_frame_rate` is the exact base rate of constant-rate video; for variable-rate video it can be a
 * timebase-like multiple (e.g. 120/1 for mixed 24/30 material), so trust it only when it agrees with
 * `avg_frame_rate` within 5 %, else take the average (what the official script's torchvision reports).
 */
function chooseFrameRate(stream: ProbeStream): Rational {
  const real = parseRational(stream.r_frame_rate);
  const average = parseRational(stream.avg_frame_rate);
  if (real && average) {
    const ratio = rationalValue(real) / rationalValue(average);
    return Math.abs(ratio - 1) <= 0.05 ? real : average;
  }
  return real ?? average ?? FALLBACK_FPS;
}

function frameCountOf(stream: ProbeStream): number | undefined {
  const tags = stream.tags ?? {};
  // Matroska files written by mkvmerge carry NUMBER_OF_FRAMES statistics tags (sometimes language-suffixed).
  const tagged = Object.entries(tags).find(([k]) => /^NUMBER_OF_FRAMES(-\w+)?$/i.test(k))?.[1];
  for (const text of [stream.nb_frames, tagged, stream.nb_read_packets]) {
    const n = Number(text);
    if (text !== undefined && Number.isSafeInteger(n) && n > 0) return n;
  }
  return undefined;
}
