import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HostError } from '../../native-host/errors';
import { openFrameSource, type RgbFrame } from '../../native-host/video/frame-source';
import type { ErrorCode } from '../../bridge/errors';

/** ../shared/fixtures/parity-a next to the project root (read-only). */
export const PARITY_A = path.resolve(__dirname, '../../../shared/fixtures/parity-a');

/** A fresh folder under os.tmpdir(); call `cleanup` in afterAll. */
export function makeVideoTempDir(prefix = 'video-test-'): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file: (name) => path.join(dir, name),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs ffmpeg quietly; throws with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${result.stderr}`);
}

/** Whether this ffmpeg build has an encoder (libx265 is optional in many builds). */
export function hasEncoder(name: string): boolean {
  const list = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(list);
}

/** `testsrc2` clip: the moving pattern makes every frame different, so frame numbers can be checked. */
export function makeTestClip(file: string, options: { size?: string; rate?: string; frames?: number; codec: string[] }): string {
  const { size = '160x90', rate = '25', frames = 30 } = options;
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-frames:v', String(frames), ...options.codec, file]);
  return file;
}

/** Decodes a video (or one of its streams) to raw bytes with ffmpeg, independently of the code under test. */
export function decodeRaw(file: string, pixFmt: string, extra: string[] = []): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, ...extra, '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'],
    { maxBuffer: 1 << 30 },
  );
}

/** The first video stream as ffprobe reports it (with `-count_frames`). */
export function probeStream(file: string): Record<string, unknown> {
  const json = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_streams', '-print_format', 'json', file],
    { encoding: 'utf8' },
  );
  return (JSON.parse(json) as { streams: Record<string, unknown>[] }).streams[0];
}

/** Awaits a promise expected to reject with a HostError of `code`, and returns that error. */
export async function rejectsWithHostError(promise: Promise<unknown>, code: ErrorCode): Promise<HostError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HostError);
  expect((caught as HostError).code).toBe(code);
  return caught as HostError;
}

/** Child processes of this process still running or not reaped (`ps` state Z), by command name. */
export function childProcesses(): { pid: number; state: string; command: string }[] {
  const out = spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3)
    .map(([pid, state, command]) => ({ pid: Number(pid), state, command }))
    .filter((p) => p.command !== 'ps');
}

/** Every frame a frame source gives, in order (closing it after). */
export async function readAllFrames(input: string, options: Parameters<typeof openFrameSource>[1] = {}): Promise<RgbFrame[]> {
  const source = await openFrameSource(input, options);
  const frames: RgbFrame[] = [];
  try {
    for await (const frame of source.frames()) frames.push(frame);
  } finally {
    await source.close();
  }
  return frames;
}
