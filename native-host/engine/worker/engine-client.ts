import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { ErrorCode } from '../../../bridge/errors';
import { HostError } from '../../errors';
import type { EngineFrame } from '../frame-tensors';
import { CoreOptions, OFFICIAL_OPTIONS } from '../inference-core';
import type { ExecutionProviderName, ProviderAttempt } from '../providers';
import type { ProviderFallback } from '../fallback-runner';
import type { EngineEvent, EngineRequests, EngineRequestType, ReplyMessage, WireError } from './messages';

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
  /** told when the provider fails during a run and the model moves to the next one of `providers` */
  onProviderFallback?: (f: ProviderFallback) => void;
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
  private onProviderFallback?: (f: ProviderFallback) => void;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: ReplyMessage | EngineEvent) => ('event' in m ? this.fellBack(m.fallback) : this.settle(m)));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`engine worker exited (code ${code})`)));
  }

  static async open(modelDir: string, opts: EngineOpenOptions): Promise<EngineClient> {
    // The caller's environment, as it sees it (under jest, the test's own), e.g. MATANYONE_INJECT_RUN_FAULT.
    const client = new EngineClient(new Worker(workerScript(), { env: process.env }));
    client.onProviderFallback = opts.onProviderFallback;
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

  /** The next frame; `corrections` (target index → corrected mask) and `refine` as InferenceCore.step. */
  step(frame: EngineFrame, corrections?: ReadonlyMap<number, Uint8Array>, options: { refine?: boolean } = {}): Promise<Float32Array[]> {
    return this.call('step', { frame, ...(corrections ? { corrections: new Map(corrections), refine: options.refine } : {}) }).then((r) => r.alphas);
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

  /** The worker moved to the next provider mid-run: later frames run there. */
  private fellBack(f: ProviderFallback): void {
    this.skipped = [...this.skipped, { provider: f.from, error: f.error }];
    this.provider = f.to;
    this.onProviderFallback?.(f);
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
