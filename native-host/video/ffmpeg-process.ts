import { spawn, type ChildProcess } from 'child_process';
import type { Readable, Writable } from 'stream';
import { ffmpegBinary } from './ffmpeg-binaries';

/** How a child ended. `spawnError` is set when it never started (ENOENT: the binary is missing). */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError?: NodeJS.ErrnoException;
}

/** A running ffmpeg or ffprobe with its stderr collected for error messages. */
export interface FfmpegProcess {
  readonly binary: string;
  /** The child's stdin when spawned with `stdin: 'pipe'`. */
  readonly stdin: Writable | null;
  /** The child's stdout when spawned with `stdout: 'pipe'`. */
  readonly stdout: Readable | null;
  /** Resolves once the child has exited and its pipes are closed (it is then reaped). Never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** Whether `exited` has resolved. */
  hasExited(): boolean;
  /**
   * The end of stderr as one line: the last distinct messages, `[h264 @ 0x…]` prefixes removed, and
   * `path: ` prefixes removed when the caller's message names that file already.
   */
  reason(path?: string): string;
  /**
   * SIGKILL unless already gone, drops unread output, then waits for the exit; safe to call more than once.
   * (A paused stdout holding data would otherwise never close, and neither would the child.)
   */
  kill(): Promise<ExitStatus>;
}

/** Bytes of stderr kept: enough for the last few messages, bounded for chatty decoders. */
const STDERR_KEEP = 16 * 1024;

/**
 * Spawns ffmpeg or ffprobe with stdout/stdin as asked and stderr collected.
 *
 * @param tool - which executable ({@link ffmpegBinary} resolves the path)
 * @param args - arguments after the executable; callers add `-hide_banner -loglevel error`
 * @param pipes - which of stdin and stdout are pipes (the others are ignored)
 * @remarks On POSIX the child gets its own process group, so a Ctrl-C in the terminal reaches only the
 * CLI, which then closes its encoders cleanly; if Node dies, the pipes close and ffmpeg ends on its own.
 */
export function spawnFfmpeg(
  tool: 'ffmpeg' | 'ffprobe',
  args: readonly string[],
  pipes: { stdin?: boolean; stdout?: boolean } = {},
): FfmpegProcess {
  const binary = ffmpegBinary(tool);
  const child: ChildProcess = spawn(binary, args, {
    stdio: [pipes.stdin ? 'pipe' : 'ignore', pipes.stdout ? 'pipe' : 'ignore', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP);
  });
  // EPIPE when the child has gone: the exit status carries the real failure, so only swallow it here.
  child.stdin?.on('error', () => {});
  let spawnError: NodeJS.ErrnoException | undefined;
  let done = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) spawnError = e;
    });
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal, spawnError });
    });
  });
  return {
    binary,
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    hasExited: () => done,
    reason: (path) => summariseStderr(path === undefined ? stderr : stderr.split(`${path}: `).join('')),
    async kill() {
      if (!done) child.kill('SIGKILL');
      child.stdout?.destroy();
      return exited;
    },
  };
}

/**
 * The last two distinct stderr messages joined by '; ' (ffmpeg often prints the cause, then a generic
 * line such as "Invalid data found when processing input"); `'no message'` when stderr is empty.
 */
export function summariseStderr(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^(\[[^\]]* @ 0x[0-9a-f]+\]\s*)+/i, '').trim())
    .filter((line) => line.length > 0);
  const picked: string[] = [];
  for (let i = lines.length - 1; i >= 0 && picked.length < 2; i--) {
    if (!picked.includes(lines[i])) picked.unshift(lines[i]);
  }
  return picked.length > 0 ? picked.join('; ') : 'no message';
}

/** The exit status as a clause for messages when stderr said nothing useful. */
export function describeExit(status: ExitStatus): string {
  if (status.signal) return `killed by ${status.signal}`;
  return `exit code ${status.code}`;
}
