import { performance } from 'perf_hooks';
import { HostError } from '../errors';
import type { EngineFrame } from '../engine/frame-tensors';
import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import type { ExecutionProviderName } from '../engine/providers';
import { EngineClient } from '../engine/worker/engine-client';
import { DriftGuard } from '../person-mask/drift-guard';
import { ProcessingSize } from '../matte/processing-size';
import { composeRgba } from './compose-rgba';
import { edgeAwareUpsample, type EdgeUpsampleOptions } from './edge-upsample';
import { describeInputStatus, LiveInput, type CapturedFrame, type LiveInputOptions, type LiveInputSource } from './live-input';
import { prepareLiveMask, type LiveMask, type MaskMorphology } from './live-mask';
import type { LiveOutput, LiveOutputState } from './live-output';
import { LiveStatsCollector, type LiveStats } from './live-stats';

export type { LiveStats } from './live-stats';
export type { LiveMask } from './live-mask';
export type { LiveInputSource } from './live-input';

export interface LiveSessionOptions {
  input: LiveInputSource;
  /** the first mask: a PNG, `'auto'` (the people on the first frame) or grey pixels at the frame's size */
  mask: LiveMask;
  /** a converted model folder (resolve names and checkpoints first: models/resolve-model.ts) */
  modelDir: string;
  /** execution providers in order of preference (engine/providers.ts providerOrder) */
  providers: ExecutionProviderName[];
  /** the engine works with the shorter side at this many pixels (1920×1080 → 512×288); default 288 */
  workSize?: number;
  /** long-term memory (default on): memory stays bounded however long the session runs */
  longTerm?: boolean;
  /** first-frame passes (official 10) */
  warmup?: number;
  /** mask closing (official dilate 10, erode 10) */
  morphology?: MaskMorphology;
  threads?: number;
  upsample?: EdgeUpsampleOptions;
  inputOptions?: LiveInputOptions;
  /** how often stats are sent; default 1000 ms */
  statsIntervalMs?: number;
  /**
   * Re-masks kept in memory as corrections (each is a permanent memory frame); the next one starts the
   * memory afresh from its mask instead, so that memory stays bounded. Default 8.
   */
  maxCorrections?: number;
  /**
   * The drift guard: every `everySeconds`, the matte is compared with the person under it (the automatic
   * person mask of that frame) and, below `minIou` (default 0.7), re-seeded from it (person-mask/drift-guard.ts).
   */
  reseed?: { everySeconds: number; minIou?: number };
}

/** One drift-guard check: the frame, the agreement found (none: no person under the matte), re-seeded or not. */
export interface LiveReseedCheck {
  frameIndex: number;
  iou?: number;
  reseeded: boolean;
}

export type LiveSessionStatus =
  | { state: 'starting'; step: 'model' | 'input' | 'mask' }
  | { state: 'running'; provider: ExecutionProviderName }
  /** the camera or file is gone; the session resumes by itself when it is back */
  | { state: 'input-lost'; reason: string }
  | { state: 'output'; output: LiveOutputState }
  /** the session ended on an error (one sentence) */
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

/** How a session ended. */
export type LiveSessionEnd = { reason: 'stopped' } | { reason: 'failed'; error: Error };

/** One line for a status, for the CLI's status line and logs. */
export function describeLiveStatus(s: LiveSessionStatus): string {
  switch (s.state) {
    case 'starting':
      return { model: 'starting: loading the model', input: 'starting: waiting for the first frame', mask: 'starting: preparing the mask' }[s.step];
    case 'running':
      return `running on ${s.provider}`;
    case 'input-lost':
      return `input ${describeInputStatus({ state: 'lost', reason: s.reason })}`;
    case 'output':
      return `output ${s.output.state}${'reason' in s.output ? `: ${s.output.reason}` : ''}`;
    case 'failed':
      return `failed: ${s.reason}`;
    case 'stopped':
      return 'stopped';
  }
}

/** A frame the engine has matted, waiting to be upsampled and sent. */
interface Matted {
  frame: CapturedFrame;
  work: EngineFrame;
  alpha: Float32Array;
  engineMs: number;
  /** its alpha is a remask's mask: `request` resolves once it is sent */
  corrected: boolean;
  request?: RemaskRequest;
}

interface RemaskRequest {
  mask: LiveMask;
  resolve: (r: { frameIndex: number }) => void;
  reject: (e: Error) => void;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * Live background removal: frames from a camera or a looped file, newest only, through the engine at a
 * small working size, the alpha brought back to the frame's size along its edges, and each frame's own RGB
 * with its own alpha handed to a {@link LiveOutput}. The output is the caller's: the session never closes it.
 *
 * @example
 * ```ts
 * const session = new LiveSession({ input: { kind: 'camera', device: '/dev/video0' }, mask: 'auto', modelDir, providers: ['cuda', 'cpu'] }, output);
 * session.onStatus((s) => console.log(describeLiveStatus(s)));
 * session.onStats((s) => console.log(`${s.fps.toFixed(1)} fps`));
 * await session.start(); // the first frame is out
 * await session.remask('fixed.png');
 * await session.stop();
 * ```
 */
export class LiveSession {
  private readonly statusListeners: ((s: LiveSessionStatus) => void)[] = [];
  private readonly statsListeners: ((s: LiveStats) => void)[] = [];
  private readonly noticeListeners: ((line: string) => void)[] = [];
  private readonly options: Required<Omit<LiveSessionOptions, 'threads' | 'upsample' | 'inputOptions' | 'reseed'>> & LiveSessionOptions;
  private readonly reseedListeners: ((c: LiveReseedCheck) => void)[] = [];
  private readonly guard?: DriftGuard;
  /** the last matte sent, at the frame's size: what the drift guard compares the next check's people with */
  private lastMatte?: Float32Array;
  private nextReseedCheck = Infinity;
  private current: Exclude<LiveSessionStatus, { state: 'output' }> = { state: 'starting', step: 'model' };
  private engine?: EngineClient;
  private input?: LiveInput;
  private size?: ProcessingSize;
  private remaskRequest?: RemaskRequest;
  private corrections = 0;
  private stopped = false;
  private started = false;
  private lifecycle?: Promise<void>;
  private readonly startup = deferred<void>();
  private readonly end = deferred<LiveSessionEnd>();
  private readonly collector = new LiveStatsCollector();
  private latest?: LiveStats;

  /** Settles when the session has ended: stopped, or failed (the engine died, the first mask was bad). */
  readonly ended: Promise<LiveSessionEnd> = this.end.promise;

  constructor(
    options: LiveSessionOptions,
    private readonly output: LiveOutput,
  ) {
    this.options = {
      workSize: 288,
      longTerm: true,
      warmup: OFFICIAL_OPTIONS.warmup,
      morphology: { dilate: 10, erode: 10 },
      statsIntervalMs: 1000,
      maxCorrections: 8,
      ...options,
    };
    if (options.reseed) {
      // Checked by wall-clock time, frames being dropped at will; every frame is "due" for the guard itself.
      this.guard = new DriftGuard({ everyFrames: 1, minIou: options.reseed.minIou });
      this.nextReseedCheck = performance.now() + options.reseed.everySeconds * 1000;
    }
    output.onState((s) => this.setStatus({ state: 'output', output: s }));
    // An unobserved startup failure is reported through `ended` and the status, not as an unhandled rejection.
    this.startup.promise.catch(() => undefined);
  }

  /** The session's own state (output states come only as events). */
  get status(): Exclude<LiveSessionStatus, { state: 'output' }> {
    return this.current;
  }

  /** The figures of the last stats interval (undefined before the first). */
  get stats(): LiveStats | undefined {
    return this.latest;
  }

  /** Counts since start, at this moment (stats come once per interval). */
  counts(): { frames: number; droppedAtInput: number; droppedAtOutput: number; inputRestarts: number } {
    const input = this.input?.stats ?? { dropped: 0, restarts: 0 };
    return { ...this.collector.totals(), droppedAtInput: input.dropped, inputRestarts: input.restarts };
  }

  onStatus(listener: (s: LiveSessionStatus) => void): void {
    this.statusListeners.push(listener);
  }

  onStats(listener: (s: LiveStats) => void): void {
    this.statsListeners.push(listener);
  }

  /** Each drift-guard check (with `reseed`). */
  onReseed(listener: (c: LiveReseedCheck) => void): void {
    this.reseedListeners.push(listener);
  }

  /** Lines for the user that are not states (how a mask of another size was mapped). */
  onNotice(listener: (line: string) => void): void {
    this.noticeListeners.push(listener);
  }

  /**
   * Opens the model and the input and mattes the first frame; resolves once that frame was handed to the
   * output (or when stopped first).
   *
   * @throws HostError for a model that does not open, a bad first mask, NO_PERSON for `auto` (the session
   *   has then ended, with status `failed`)
   */
  start(): Promise<void> {
    this.lifecycle ??= this.run();
    return this.startup.promise;
  }

  /**
   * A new mask for the subject, without a restart: it is prepared on the next frame (a PNG or pixels at the
   * frame's size, or `auto` on that frame's pixels) and enters the engine's memory with it as a correction.
   * Resolves with the index of that frame, whose alpha is the new mask.
   *
   * @throws HostError for a bad mask (the session goes on with the old one); LIVE_STATE when the session has
   *   ended or a newer remask replaced this one
   */
  remask(mask: LiveMask): Promise<{ frameIndex: number }> {
    if (this.stopped || this.current.state === 'failed') return Promise.reject(new HostError('LIVE_STATE', 'the live session has ended; start a new one'));
    this.remaskRequest?.reject(new HostError('LIVE_STATE', 'a newer mask replaced this one before it was applied'));
    return new Promise((resolve, reject) => (this.remaskRequest = { mask, resolve, reject }));
  }

  /** Stops after the frame in progress, closes the input and the engine. The output stays open. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.input?.close();
    if (this.lifecycle) await this.lifecycle;
    else this.finish({ reason: 'stopped' });
  }

  private async run(): Promise<void> {
    const statsTimer = setInterval(() => this.emitStats(), this.options.statsIntervalMs);
    let ending: LiveSessionEnd = { reason: 'stopped' };
    try {
      await this.open();
      this.started = true;
      this.startup.resolve();
      if (this.input) await this.pump(this.input);
    } catch (e) {
      if (!this.stopped) ending = { reason: 'failed', error: e as Error };
      if (!this.started) this.startup.reject(e as Error);
    } finally {
      clearInterval(statsTimer);
      await this.input?.close();
      await this.engine?.close();
      this.remaskRequest?.reject(new HostError('LIVE_STATE', 'the live session ended before the mask was applied'));
      this.remaskRequest = undefined;
      this.finish(ending);
    }
  }

  private finish(ending: LiveSessionEnd): void {
    this.startup.resolve();
    this.setStatus(ending.reason === 'failed' ? { state: 'failed', reason: ending.error.message } : { state: 'stopped' });
    this.end.resolve(ending);
  }

  /** Model, input, first frame, first mask, engine start, first frame out. */
  private async open(): Promise<void> {
    const { options } = this;
    // The status a session is created with, told to the listeners too.
    for (const l of this.statusListeners) l(this.current);
    const engine = await EngineClient.open(options.modelDir, {
      providers: options.providers,
      threads: options.threads,
      options: { ...OFFICIAL_OPTIONS, warmup: options.warmup, longTerm: options.longTerm },
    });
    this.engine = engine;
    if (this.stopped) return;
    this.setStatus({ state: 'starting', step: 'input' });
    const input = new LiveInput(options.input, options.inputOptions);
    this.input = input;
    input.onStatus((s) => {
      if (s.state === 'lost') this.setStatus({ state: 'input-lost', reason: s.reason });
      else if (s.state === 'running' && this.current.state === 'input-lost') this.setStatus(this.started ? { state: 'running', provider: engine.provider } : { state: 'starting', step: 'input' });
    });
    const first = await input.next();
    if (!first || this.stopped) return;
    this.setStatus({ state: 'starting', step: 'mask' });
    const size = new ProcessingSize({ width: first.width, height: first.height }, options.workSize);
    size.checkEngineCanRun('use a larger work size or input');
    this.size = size;
    const request = this.remaskRequest;
    this.remaskRequest = undefined;
    try {
      const mask = await prepareLiveMask(request?.mask ?? options.mask, first, size, options.morphology, (line) => this.notice(line));
      const work = size.toEngine({ ...first, data: first.rgb });
      const started = performance.now();
      const [alpha] = await engine.start(work, [mask]);
      this.send(first, work, alpha, performance.now() - started);
      request?.resolve({ frameIndex: first.index });
    } catch (e) {
      request?.reject(e as Error);
      throw e;
    }
    this.setStatus({ state: 'running', provider: engine.provider });
  }

  /**
   * Frames through the engine, two at a time: while the worker mattes frame k+1, the main thread upsamples
   * and sends frame k. Only when k+1 is already waiting: otherwise k goes out at once rather than wait.
   */
  private async pump(input: LiveInput): Promise<void> {
    for (let frame = await input.next(); frame && !this.stopped; frame = await input.next()) {
      let job: Promise<Matted> | undefined = this.matte(frame);
      while (job) {
        const done: Matted = await job;
        const next = this.stopped ? undefined : input.takePending();
        job = next && this.matte(next);
        // Awaited on the next turn; until then a failure must not count as unhandled.
        job?.catch(() => undefined);
        this.send(done.frame, done.work, done.alpha, done.engineMs);
        if (done.corrected) done.request!.resolve({ frameIndex: done.frame.index });
      }
    }
  }

  /** One frame after the first through the engine; a pending remask enters memory with it. */
  private async matte(frame: CapturedFrame): Promise<Matted> {
    const engine = this.engine!;
    const size = this.size!;
    const work = size.toEngine({ ...frame, data: frame.rgb });
    const request = this.remaskRequest;
    this.remaskRequest = undefined;
    let corrected: Uint8Array | undefined;
    if (request) {
      corrected = await prepareLiveMask(request.mask, frame, size, this.options.morphology, (line) => this.notice(line)).catch((e: Error) => {
        request.reject(e);
        return undefined;
      });
    }
    let refine = false;
    if (!request && this.guard && this.lastMatte && performance.now() >= this.nextReseedCheck) {
      corrected = await this.reseedMask(frame);
      refine = corrected !== undefined;
    }
    const started = performance.now();
    let alpha: Float32Array;
    if (corrected && this.corrections >= this.options.maxCorrections) {
      // Permanent memory frames are never consolidated: past the limit, memory restarts from this mask.
      [alpha] = await engine.start(work, [corrected]);
      this.corrections = 0;
    } else {
      [alpha] = await engine.step(work, corrected ? new Map([[0, corrected]]) : undefined, { refine });
      if (corrected) this.corrections++;
    }
    return { frame, work, alpha, engineMs: performance.now() - started, corrected: corrected !== undefined && request !== undefined, request };
  }

  /**
   * The drift guard's check on this frame against the last matte sent (a frame or two old): the person mask
   * to re-seed from, prepared as a first mask, or undefined when the matte still fits or no person is under it.
   */
  private async reseedMask(frame: CapturedFrame): Promise<Uint8Array | undefined> {
    this.nextReseedCheck = performance.now() + this.options.reseed!.everySeconds * 1000;
    const [check] = await this.guard!.check({ data: frame.rgb, width: frame.width, height: frame.height }, [this.lastMatte!], frame.index);
    const reseeded = check.kind === 'reseed';
    const report: LiveReseedCheck = { frameIndex: frame.index, ...(check.kind !== 'no-person' ? { iou: check.iou } : {}), reseeded };
    for (const l of this.reseedListeners) l(report);
    return check.kind === 'reseed' ? this.size!.prepareMask(check.mask, this.options.morphology) : undefined;
  }

  private send(frame: CapturedFrame, work: EngineFrame, alpha: Float32Array, engineMs: number): void {
    const started = performance.now();
    const full = edgeAwareUpsample(alpha, work, { width: frame.width, height: frame.height, rgb: frame.rgb }, this.options.upsample);
    if (this.guard) this.lastMatte = full;
    const rgba = composeRgba(frame.rgb, full);
    const upsampleMs = performance.now() - started;
    let accepted = false;
    try {
      accepted = this.output.send({ index: frame.index, width: frame.width, height: frame.height, rgba, capturedAt: frame.capturedAt });
    } catch (e) {
      // An output that throws is a bug there; the frame counts as refused and the session goes on.
      this.notice(`the output failed on frame ${frame.index}: ${(e as Error).message}`);
    }
    this.collector.frameSent({ capturedAt: frame.capturedAt, engineMs, upsampleMs, accepted });
  }

  private emitStats(): void {
    const input = this.input?.stats ?? { dropped: 0, restarts: 0 };
    this.latest = this.collector.take(input);
    for (const l of this.statsListeners) l(this.latest);
  }

  private notice(line: string): void {
    for (const l of this.noticeListeners) l(line);
  }

  /** Output states are passed on as they come; the session's own state is `status`. */
  private setStatus(s: LiveSessionStatus): void {
    if (s.state !== 'output') {
      if (JSON.stringify(s) === JSON.stringify(this.current)) return;
      this.current = s;
    }
    for (const l of this.statusListeners) l(s);
  }
}
