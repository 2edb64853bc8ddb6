import { spawn, type ChildProcess } from 'child_process';
import { promises as fs } from 'fs';
import { performance } from 'perf_hooks';
import { ffmpegBinary } from '../video/ffmpeg-binaries';
import { summariseStderr } from '../video/ffmpeg-process';
import { describeSource, liveDecodeArgs, outputSizeFromLog, type FrameSize, type LiveInputSource } from './live-input-args';

export type { FrameSize, LiveInputSource } from './live-input-args';

/** One captured frame: RGB24, row-major. */
export interface CapturedFrame {
  /** 0, 1, 2… in capture order over the input's whole life (frames dropped leave gaps) */
  index: number;
  width: number;
  height: number;
  /** width·height·3 bytes, owned by the reader from now on */
  rgb: Uint8Array;
  /** `performance.now()` when its last byte was read from ffmpeg */
  capturedAt: number;
}

export type LiveInputStatus =
  | { state: 'starting' }
  | { state: 'running'; width: number; height: number }
  /** gone (file deleted or renamed, camera unplugged, ffmpeg ended): retrying until it is back */
  | { state: 'lost'; reason: string };

export interface LiveInputStats {
  /** frames read from ffmpeg */
  framesRead: number;
  /** frames replaced by a newer one before the reader took them */
  dropped: number;
  /** times the input was lost and ffmpeg started again */
  restarts: number;
}

export interface LiveInputOptions {
  /** no frame for this long while running: the input counts as lost (default 3000 ms) */
  stallMs?: number;
  /** how long a fresh ffmpeg may take to give its first frame (a camera opening; default 10000 ms) */
  openMs?: number;
  /** wait between attempts while lost (default 500 ms) */
  retryMs?: number;
  /** how often a file input checks that its path still holds the same file (default 250 ms) */
  watchMs?: number;
}

/** Log bytes kept: the header (with the output size) and the last messages. */
const LOG_KEEP = 16 * 1024;

/** The one line for a status, e.g. `lost: clip.mp4 is gone; retrying`. */
export function describeInputStatus(s: LiveInputStatus): string {
  switch (s.state) {
    case 'starting':
      return 'starting';
    case 'running':
      return `running (${s.width}×${s.height})`;
    case 'lost':
      return `lost: ${s.reason}; retrying`;
  }
}

/**
 * Live frames from a looped file or a camera through `ffmpeg … -f rawvideo -pix_fmt rgb24 pipe:1`.
 *
 * The pipe is read as fast as ffmpeg writes, so a camera never backs up; frames are dropped, never queued:
 * at most one frame waits for the reader, and a newer one replaces it (counted in `stats.dropped`).
 * When the input disappears it reports `lost` with the reason and starts ffmpeg again every `retryMs` until
 * frames come back, then reports `running` again; nothing here throws after construction.
 *
 * @example
 * ```ts
 * const input = new LiveInput({ kind: 'camera', device: '/dev/video0' });
 * input.onStatus((s) => console.log(describeInputStatus(s)));
 * for (let f = await input.next(); f; f = await input.next()) process(f);
 * ```
 */
export class LiveInput {
  private readonly listeners: ((s: LiveInputStatus) => void)[] = [];
  private current: LiveInputStatus = { state: 'starting' };
  private pending?: CapturedFrame;
  private reader?: (f: CapturedFrame | undefined) => void;
  private child?: ChildProcess;
  private closed = false;
  private nextIndex = 0;
  /** the first size seen; later ffmpeg runs scale to it */
  private pinned?: FrameSize;
  private wake?: () => void;
  private spare?: Uint8Array;
  private readonly supervisor: Promise<void>;
  private readonly counts: LiveInputStats = { framesRead: 0, dropped: 0, restarts: 0 };
  private readonly options: Required<LiveInputOptions>;

  constructor(
    readonly source: LiveInputSource,
    options: LiveInputOptions = {},
  ) {
    this.options = { stallMs: 3000, openMs: 10000, retryMs: 500, watchMs: 250, ...options };
    this.supervisor = this.supervise();
  }

  get status(): LiveInputStatus {
    return this.current;
  }

  /** A copy of the counters. */
  get stats(): LiveInputStats {
    return { ...this.counts };
  }

  /** Listens to status changes (called at once with nothing: read `status` for the present one). */
  onStatus(listener: (s: LiveInputStatus) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The newest frame not yet taken, waiting for one if none is there; undefined once closed.
   * One reader: a call while another is waiting is an error.
   */
  next(): Promise<CapturedFrame | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.reader) return Promise.reject(new Error('LiveInput.next called while another call is waiting'));
    const frame = this.pending;
    if (frame) {
      this.pending = undefined;
      return Promise.resolve(frame);
    }
    return new Promise((resolve) => (this.reader = resolve));
  }

  /** The newest frame if one is waiting, without waiting for one (undefined when none). */
  takePending(): CapturedFrame | undefined {
    const frame = this.pending;
    this.pending = undefined;
    return frame;
  }

  /** Stops ffmpeg and ends `next()` with undefined. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.child?.kill('SIGKILL');
      this.wake?.();
      this.takeReader()?.(undefined);
      this.pending = undefined;
    }
    await this.supervisor;
  }

  private takeReader(): ((f: CapturedFrame | undefined) => void) | undefined {
    const r = this.reader;
    this.reader = undefined;
    return r;
  }

  private setStatus(s: LiveInputStatus): void {
    if (JSON.stringify(s) === JSON.stringify(this.current)) return;
    this.current = s;
    for (const l of this.listeners) l(s);
  }

  private deliver(rgb: Uint8Array, size: FrameSize): void {
    const frame: CapturedFrame = { index: this.nextIndex++, ...size, rgb, capturedAt: performance.now() };
    this.counts.framesRead++;
    if (this.current.state !== 'running') this.setStatus({ state: 'running', ...size });
    const reader = this.takeReader();
    if (reader) return reader(frame);
    if (this.pending) {
      this.counts.dropped++;
      // Nobody saw the dropped frame: its buffer takes the next one (a 1080p camera would otherwise make
      // 180 MB of garbage a second while the engine is slower than the camera).
      this.spare = this.pending.rgb;
    }
    this.pending = frame;
  }

  /** A buffer for the next frame: the last dropped one's when it has the size. */
  private frameBuffer(bytes: number): Uint8Array {
    const spare = this.spare;
    this.spare = undefined;
    return spare?.length === bytes ? spare : new Uint8Array(bytes);
  }

  /** Runs ffmpeg again and again until closed; each run ends with the reason the input was lost. */
  private async supervise(): Promise<void> {
    let first = true;
    while (!this.closed) {
      if (!first) this.counts.restarts++;
      first = false;
      const reason = await this.runOnce().catch((e: Error) => e.message);
      if (this.closed) break;
      // A frame from before the loss would come out late and stale: what follows the loss is the return.
      if (this.pending) this.counts.dropped++;
      this.pending = undefined;
      this.setStatus({ state: 'lost', reason });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.retryMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One ffmpeg run: resolves with why it ended (never while frames keep coming). */
  private async runOnce(): Promise<string> {
    const { source } = this;
    const name = describeSource(source);
    const fileId = source.kind === 'file' ? await fileIdentity(source.path) : undefined;
    if (source.kind === 'file' && !fileId) return `${name} is gone`;
    if (this.closed) return 'closed';

    const child = spawn(ffmpegBinary('ffmpeg'), liveDecodeArgs(source, this.pinned), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    let log = '';
    let size: FrameSize | undefined;
    let frameBytes = 0;
    let frame: Uint8Array | undefined;
    let filled = 0;
    const early: Buffer[] = [];
    let lastFrameAt = performance.now();
    let gotFrame = false;

    const consume = (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        frame ??= this.frameBuffer(frameBytes);
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          lastFrameAt = performance.now();
          gotFrame = true;
          const done = frame;
          frame = undefined;
          filled = 0;
          if (!this.closed) this.deliver(done, size!);
        }
      }
    };

    return new Promise<string>((resolve) => {
      let ended = false;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        clearInterval(watch);
        child.kill('SIGKILL');
        child.stdout!.destroy();
        if (this.child === child) this.child = undefined;
        resolve(reason);
      };
      child.on('error', (e: NodeJS.ErrnoException) =>
        end(e.code === 'ENOENT' ? `${child.spawnfile} was not found; install ffmpeg or set FFMPEG_PATH` : `cannot start ffmpeg: ${e.message}`),
      );
      child.on('close', (code, signal) => {
        if (code === 0) return end(`${name} ended`);
        const said = failureReason(log, source.kind === 'file' ? source.path : source.device);
        end(`${name}: ${said ?? `ffmpeg ${signal ? `was killed by ${signal}` : `ended with exit code ${code}`}`}`);
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        log = (log + text).slice(-LOG_KEEP);
        if (size) return;
        size = outputSizeFromLog(log);
        if (!size) return;
        this.pinned ??= size;
        frameBytes = size.width * size.height * 3;
        for (const chunk of early.splice(0)) consume(chunk);
      });
      child.stdout!.on('data', (chunk: Buffer) => (size ? consume(chunk) : early.push(chunk)));
      child.stdout!.on('error', () => {});

      const watch = setInterval(() => {
        const quiet = performance.now() - lastFrameAt;
        if (quiet > (gotFrame ? this.options.stallMs : this.options.openMs)) end(`${name}: no frame for ${(quiet / 1000).toFixed(1)} s`);
        if (fileId && source.kind === 'file')
          void fileIdentity(source.path).then((id) => {
            if (!id) end(`${name} is gone`);
            else if (id !== fileId) end(`${name} was replaced`);
          });
      }, this.options.watchMs);
    });
  }
}

/**
 * The last two distinct error lines of a `-loglevel level+info` log, without level tags, `[demuxer @ 0x…]`
 * prefixes or the input's own name (the caller names it). Warnings are left out: `-vsync is deprecated`
 * is one on every run.
 */
export function failureReason(log: string, inputName: string): string | undefined {
  const level = /\[(error|fatal)\] /;
  const picked = log
    .split(/\r?\n/)
    .filter((l) => level.test(l))
    .map((l) => l.replace(level, '').split(`${inputName}: `).join(''));
  const said = summariseStderr(picked.join('\n'));
  return said === 'no message' ? undefined : said;
}

/**
 * What tells one file from another at the same path (device and inode; size and change time where inodes
 * mean nothing): a deleted file stays readable by the ffmpeg that opened it, so the path is what counts.
 */
async function fileIdentity(path: string): Promise<string | undefined> {
  const st = await fs.stat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return st.ino ? `${st.dev}:${st.ino}` : `${st.size}:${st.ctimeMs}`;
}
