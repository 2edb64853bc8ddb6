import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { ErrorCode } from '../../../bridge/errors';
import { HostError } from '../../errors';
import type { EngineFrame } from '../frame-tensors';
import { CoreOptions, OFFICIAL_OPTIONS } from '../inference-core';
import type { ExecutionProviderName, ProviderAttempt } from '../providers';
import type { EngineRequests, EngineRequestType, ReplyMessage, WireError } from './messages';

/**
 * The compiled worker script. From dist/ it sits next to this file; when this file runs from TypeScript
 * sources (jest) the worker still needs JavaScript, so it is taken from dist/ (built by `npm test`).
 */
function workerScript(): string {
  const here = path.join(__dirname, 'engine-worker.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '../../..');
  const built = path.join(root, 'dist', path.relative(root, __dirname), 'engine-worker.js');
  if (!fs.existsSync(built)) throw new Error(`engine worker not built: ${built} (run \`npm run build\`)`);
  return built;
}

function fromWire(e: WireError): Error {
  if (e.code) return new HostError(e.code as ErrorCode, e.message);
  const err = new Error(e.message);
  err.stack = e.stack;
  return err;
}

export interface EngineOpenOptions {
  providers: ExecutionProviderName[];
  threads?: number;
  options?: CoreOptions;
}

/**
 * The engine in its own thread (onnxruntime's `run` blocks): the same calls as InferenceCore, as promises.
 * Frames are copied to the worker (the caller keeps its buffers for the outputs); alphas come back
 * transferred. `terminate()` stops it at once, even mid-frame.
 *
 * @example
 * ```ts
 * const engine = await EngineClient.open('models/matanyone', { providers: ['cuda', 'cpu'] });
 * const [alpha] = await engine.start(frame0, [mask]);
 * ```
 */
export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited?: Error;
  /** the execution provider the model runs on, and those tried before it */
  provider: ExecutionProviderName = 'cpu';
  skipped: ProviderAttempt[] = [];

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: ReplyMessage) => this.settle(m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`engine worker exited (code ${code})`)));
  }

  static async open(modelDir: string, opts: EngineOpenOptions): Promise<EngineClient> {
    const client = new EngineClient(new Worker(workerScript()));
    try {
      const opened = await client.call('open', { modelDir, providers: opts.providers, threads: opts.threads, options: opts.options ?? OFFICIAL_OPTIONS });
      client.provider = opened.provider;
      client.skipped = opened.skipped;
      return client;
    } catch (e) {
      await client.worker.terminate();
      throw e;
    }
  }

  start(frame: EngineFrame, masks: Uint8Array[]): Promise<Float32Array[]> {
    return this.call('start', { frame, masks }).then((r) => r.alphas);
  }

  /** The next frame; `corrections` (target index → corrected mask) as InferenceCore.step. */
  step(frame: EngineFrame, corrections?: ReadonlyMap<number, Uint8Array>): Promise<Float32Array[]> {
    return this.call('step', { frame, ...(corrections ? { corrections: new Map(corrections) } : {}) }).then((r) => r.alphas);
  }

  /** The engine state after the last frame, serialised (see snapshot.ts). */
  snapshot(): Promise<Uint8Array> {
    return this.call('snapshot', {}).then((r) => r.bytes);
  }

  /** Continues from a snapshot; returns the frame index it was taken at. */
  restore(bytes: Uint8Array): Promise<number> {
    return this.call('restore', { bytes }).then((r) => r.frameIndex);
  }

  /** Releases the sessions and ends the thread. */
  async close(): Promise<void> {
    if (!this.exited) await this.call('close', {}).catch(() => undefined);
    await this.worker.terminate();
  }

  /** Stops the thread at once (a frame in progress is abandoned). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private call<T extends EngineRequestType>(type: T, data: EngineRequests[T]['request']): Promise<EngineRequests[T]['reply']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, data });
    });
  }

  private settle(m: ReplyMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.data);
    else p.reject(fromWire(m.error));
  }

  private fail(e: Error): void {
    this.exited ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
