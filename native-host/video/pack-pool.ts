import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { PackBand } from './pack-worker';
import { rgbAlphaToYuva444p10 } from './ycbcr';

/** Below this many pixels a frame is packed inline: handing it to threads costs more than it saves. */
const MIN_POOLED_PIXELS = 640 * 360;

/** The compiled worker beside this file, or in dist/ when this file runs from sources (jest). */
function workerScript(): string {
  const here = path.join(__dirname, 'pack-worker.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '../..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'pack-worker.js');
}

/**
 * Packs ProRes 4444 frames (RGB + α → yuva444p10) on several threads, each a band of rows of the same frame.
 * On the main thread this costs ~18 ms a 720p frame and ~40 ms at 1080p, which caps a GPU engine's output
 * near 25–55 fps; split over the cores it stops being the bottleneck. The result is identical to the inline
 * conversion (the same function on each band). Workers are unref'd: an idle pool never keeps Node alive.
 */
export class PackPool {
  private readonly workers: Worker[];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private failed?: Error;
  /** shared buffers of the last frame size, reused while no other frame is being packed */
  private scratch?: { pixels: number; rgb: SharedArrayBuffer; alpha: SharedArrayBuffer; out: SharedArrayBuffer; busy: boolean };

  constructor(readonly threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(workerScript());
      w.on('message', (id: number) => {
        this.pending.get(id)?.resolve();
        this.pending.delete(id);
      });
      w.on('error', (e) => this.fail(e));
      // Idle workers must not keep Node alive (unref after the listeners: adding one refs the worker again);
      // while a frame is with them they are ref'd, or a process with nothing else to wait on would exit.
      w.unref();
      return w;
    });
  }

  private static instance?: PackPool | null;
  /**
   * The process's pool, sized to the cores (at most 8); null on a machine with 2 cores or fewer, where the
   * engine and ffmpeg already take them. `MATANYONE_PACK_THREADS` overrides the size (0 = inline).
   */
  static shared(): PackPool | null {
    if (PackPool.instance === undefined) {
      const fromEnv = process.env.MATANYONE_PACK_THREADS;
      const threads = fromEnv !== undefined ? Number(fromEnv) : os.cpus().length > 2 ? Math.min(8, os.cpus().length - 2) : 0;
      PackPool.instance = Number.isInteger(threads) && threads > 0 ? new PackPool(threads) : null;
    }
    return PackPool.instance;
  }

  /** rgbAlphaToYuva444p10 of one frame, spread over the pool's threads. */
  async yuva444p10(rgb: Uint8Array, alpha: Float32Array): Promise<Uint16Array> {
    const n = alpha.length;
    if (n < MIN_POOLED_PIXELS || this.failed) return rgbAlphaToYuva444p10(rgb, alpha);
    // Shared buffers are reused frame after frame: fresh ones per frame (30 MB at 1080p) are reclaimed so
    // lazily that RSS climbed to 2.9 GB in a 1080p bench.
    let scratch = this.scratch;
    if (!scratch || scratch.pixels !== n || scratch.busy) {
      scratch = { pixels: n, rgb: new SharedArrayBuffer(3 * n), alpha: new SharedArrayBuffer(4 * n), out: new SharedArrayBuffer(8 * n), busy: false };
      if (!this.scratch?.busy) this.scratch = scratch;
    }
    scratch.busy = true;
    const { rgb: rgbShared, alpha: alphaShared, out } = scratch;
    new Uint8Array(rgbShared).set(rgb);
    new Float32Array(alphaShared).set(alpha);
    const band = Math.ceil(n / this.workers.length);
    for (const w of this.workers) w.ref();
    try {
      await Promise.all(
        this.workers.map((w, i) => {
          const id = this.nextId++;
          const message: PackBand = { id, rgb: rgbShared, alpha: alphaShared, out, from: Math.min(n, i * band), to: Math.min(n, (i + 1) * band) };
          return new Promise<void>((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            w.postMessage(message);
          });
        }),
      );
    } finally {
      if (this.pending.size === 0) for (const w of this.workers) w.unref();
    }
    // A copy out of the shared buffer: the encoder keeps its bytes until ffmpeg has read them.
    const result = new Uint16Array(out).slice();
    scratch.busy = false;
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (PackPool.instance === this) PackPool.instance = undefined;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
