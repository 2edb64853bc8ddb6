import { performance } from 'perf_hooks';
import type { LiveFrameResult, LiveStatus } from '../../bridge/live';
import type { MaskInput } from '../../bridge/media';
import { providerOrder, type ExecutionProviderChoice, type ExecutionProviderName } from '../engine/providers';
import { isHostError } from '../errors';
import type { LiveOutputState } from '../live/live-output';
import { LiveSession, type LiveSessionStatus, type LiveStats } from '../live/live-session';
import { resolveModel } from '../models/resolve-model';
import { ObsLiveOutput } from '../obs/obs-live-output';
import { probeVideo } from '../video/probe';
import type { HostLog } from './host-log';
import { LiveErrors } from './live-errors';
import { LiveFrameTap } from './live-frame-tap';
import { firstLiveMask, remaskLiveMask } from './live-masks';
import { DEFAULT_SOURCE_NAME, IDLE_STATUS, type LiveRunner, type LiveStartRequest, type LiveStatusListener } from './live-runner';

/** The Outbox key of liveStatus events: no job id has a NUL, so it never replaces a job's progress. */
export const LIVE_EVENT_KEY = '\0live';

export interface LiveRunnerOptions {
  log: HostLog;
  /** providers in order, or a choice (`serve --ep`); default auto */
  providers?: ExecutionProviderChoice | ExecutionProviderName[];
  threads?: number;
  /** the model when startLive names none (`serve --model`); else the registry's default */
  defaultModel?: string;
  /** how long startLive waits for OBS to take the connection before giving up (default 10 s) */
  obsTimeoutMs?: number;
}

/** fps is counted over this long. */
const FPS_WINDOW_MS = 5000;

/** A camera that says nothing of its size and rate gets this stream into OBS until its first frame says better. */
const CAMERA_DEFAULT = { width: 1280, height: 720, fps: 30 };

/** One running session and what it is made of. */
interface Running {
  session: LiveSession;
  obs: ObsLiveOutput;
  tap: LiveFrameTap;
}

/**
 * The live session of `matanyone serve`: an {@link ObsLiveOutput} (the picture into OBS) and a
 * {@link LiveSession} (input → engine → matte) composed, with the status panels see. OBS is connected
 * first, before the model is loaded, so that an OBS that is not there fails in seconds; the engine then
 * starts on the first frame.
 */
export function createLiveRunner(options: LiveRunnerOptions): LiveRunner {
  return new SessionLiveRunner(options);
}

class SessionLiveRunner implements LiveRunner {
  private running?: Running;
  /** set while start or stop is under way: the other calls are refused meanwhile */
  private transition?: Promise<unknown>;
  private current: LiveStatus = IDLE_STATUS;
  /** (time, frames so far) of the session's stats over the last few seconds, for fps */
  private fpsSamples: { at: number; frames: number }[] = [];
  private readonly listeners = new Set<LiveStatusListener>();
  private readonly providers: ExecutionProviderName[];

  constructor(private readonly options: LiveRunnerOptions) {
    const p = options.providers ?? 'auto';
    this.providers = typeof p === 'string' ? providerOrder(p) : p;
  }

  status(): LiveStatus {
    return this.current;
  }

  onStatus(listener: LiveStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(request: LiveStartRequest): Promise<LiveStatus> {
    if (this.transition || this.running) throw LiveErrors.alreadyRunning(this.current.input, this.current.state);
    const work = this.open(request);
    this.transition = settled(work).then(() => (this.transition = undefined));
    return work;
  }

  async stop(): Promise<LiveStatus> {
    const running = this.running;
    if (this.transition) throw LiveErrors.changing(this.current.state);
    if (!running) throw LiveErrors.notRunning();
    const work = this.shutDown(running, { state: 'idle' });
    this.transition = settled(work).then(() => (this.transition = undefined));
    await work;
    return this.current;
  }

  async remask(mask: MaskInput): Promise<{ frame: number }> {
    const running = this.runningNow();
    const frame = running.tap.frame;
    if (!frame) throw LiveErrors.noFrameYet();
    const liveMask = await remaskLiveMask(mask, { width: frame.width, height: frame.height, alpha: () => running.tap.pixels().alpha });
    const { frameIndex } = await running.session.remask(liveMask);
    this.update({ remasks: this.current.remasks + 1 });
    return { frame: frameIndex };
  }

  currentFrame(maxSize?: number): Promise<LiveFrameResult> {
    return this.runningNow().tap.png(maxSize);
  }

  async close(): Promise<void> {
    await this.transition;
    if (this.running) await this.shutDown(this.running, { state: 'idle' }).catch((e) => this.options.log.bug(e, 'closing the live session'));
  }

  private runningNow(): Running {
    if (!this.running || this.current.state !== 'running') throw LiveErrors.notRunning();
    return this.running;
  }

  private async open(request: LiveStartRequest): Promise<LiveStatus> {
    const input = request.input.kind === 'file' ? request.input.path : `camera ${request.input.device}`;
    this.replace({ ...IDLE_STATUS, state: 'starting', obs: { state: 'connecting' }, input });
    this.fpsSamples = [{ at: performance.now(), frames: 0 }];
    let obs: ObsLiveOutput | undefined;
    let firstMask: Awaited<ReturnType<typeof firstLiveMask>> | undefined;
    try {
      const stream = await this.streamFormat(request);
      firstMask = await firstLiveMask(request.mask, stream.size);
      obs = await ObsLiveOutput.open({
        url: request.obs.url,
        password: request.obs.password,
        sourceName: request.sourceName ?? DEFAULT_SOURCE_NAME,
        hideSource: request.hideSource,
        ...(stream.size ?? { width: CAMERA_DEFAULT.width, height: CAMERA_DEFAULT.height }),
        fps: stream.fps,
      });
      obs.onState((s) => this.obsChanged(s));
      await this.obsReady(obs, request.obs.url);
      const model = await resolveModel(request.model ?? this.options.defaultModel);
      const tap = new LiveFrameTap(obs);
      const session = new LiveSession(
        {
          input: request.input.kind === 'file' ? { kind: 'file', path: request.input.path } : { kind: 'camera', device: request.input.device, ...cameraFormat(request.input) },
          mask: firstMask.mask,
          modelDir: model.dir,
          providers: this.providers,
          threads: this.options.threads,
          ...(request.workSize !== undefined ? { workSize: request.workSize } : {}),
          ...(request.reseed ? { reseed: request.reseed } : {}),
        },
        tap,
      );
      session.onReseed((c) => {
        const iou = c.iou !== undefined ? `IoU ${c.iou.toFixed(2)}` : 'no person under the matte';
        this.options.log.info(`live: reseed check at frame ${c.frameIndex}: ${iou}${c.reseeded ? ', re-seeded from the person mask' : ', kept'}`);
        if (c.reseeded) this.update({ reseeds: (this.current.reseeds ?? 0) + 1 });
      });
      session.onStatus((s) => this.sessionChanged(s));
      session.onStats((s) => this.statsChanged(s));
      session.onNotice((line) => this.options.log.info(`live: ${line}`));
      await session.start();
      if (session.status.state === 'failed' || session.status.state === 'stopped') throw new Error(`the live session ended while starting: ${JSON.stringify(session.status)}`);
      const running: Running = { session, obs, tap };
      this.running = running;
      void session.ended.then((end) => {
        if (this.running === running && end.reason === 'failed') void this.shutDown(running, { state: 'failed', message: end.error.message });
      });
      const first = tap.frame;
      this.update({ state: 'running', ...(first ? { width: first.width, height: first.height } : {}) });
      return this.current;
    } catch (e) {
      // OBS may have hidden the camera already: show it again, as stop does.
      await obs?.close({ showHiddenSource: true }).catch(() => undefined);
      this.replace({ ...IDLE_STATUS, state: 'failed', input, message: isHostError(e) ? e.message : 'the live session could not start (the host log has why)' });
      throw e;
    } finally {
      await firstMask?.cleanup();
    }
  }

  /** Stops the session, shows the hidden camera source again, disconnects from OBS. */
  private async shutDown(running: Running, end: Pick<LiveStatus, 'state' | 'message'>): Promise<void> {
    if (this.running !== running) return;
    this.update({ state: 'stopping' });
    try {
      await running.session.stop();
    } finally {
      this.running = undefined;
      await running.obs.close({ showHiddenSource: true }).catch((e) => this.options.log.warn(`live: closing the OBS output: ${(e as Error).message}`));
      this.update({ message: undefined, ...end, fps: 0, obs: { state: 'off' } });
    }
  }

  /** The size (when known before the first frame) and rate of the stream into OBS. */
  private async streamFormat(request: LiveStartRequest): Promise<{ size?: { width: number; height: number }; fps: number }> {
    const input = request.input;
    if (input.kind === 'camera') {
      const size = input.width && input.height ? { width: input.width, height: input.height } : undefined;
      return { size, fps: input.fps ?? CAMERA_DEFAULT.fps };
    }
    const info = await probeVideo(input.path);
    return { size: { width: info.width, height: info.height }, fps: info.fps.num / info.fps.den };
  }

  /** Waits until OBS takes the connection and the source is in place; refused or silent OBS fails start. */
  private obsReady(obs: ObsLiveOutput, url: string): Promise<void> {
    const timeoutMs = this.options.obsTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => finish(LiveErrors.obsUnreachable(url, timeoutMs / 1000, 'reason' in obs.state ? obs.state.reason : undefined)), timeoutMs);
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      obs.onState((s) => {
        if (s.state === 'ready') finish();
        else if (s.state === 'failed') finish(LiveErrors.obsRefused(s.reason));
      });
    });
  }

  private obsChanged(s: LiveOutputState): void {
    if (this.current.state === 'idle' || this.current.state === 'failed') return;
    this.update({ obs: { state: s.state, ...('reason' in s ? { reason: s.reason } : {}) } });
  }

  private sessionChanged(s: LiveSessionStatus): void {
    if (s.state === 'input-lost') this.update({ message: `the input is lost (${s.reason}); retrying` });
    else if (s.state === 'running' && this.current.message) this.update({ message: undefined });
  }

  /**
   * The session's figures come per second; fps is taken over the last {@link FPS_WINDOW_MS} so that a slow
   * engine (a frame every few seconds on a CPU) does not read 0 every other second, and the times keep their
   * last value through a second without frames.
   */
  private statsChanged(s: LiveStats): void {
    const now = performance.now();
    this.fpsSamples.push({ at: now, frames: s.frames });
    while (now - this.fpsSamples[0].at > FPS_WINDOW_MS) this.fpsSamples.shift();
    const oldest = this.fpsSamples[0];
    const fps = now > oldest.at ? ((s.frames - oldest.frames) * 1000) / (now - oldest.at) : s.fps;
    this.update({
      frames: s.frames,
      fps: Math.round(fps * 10) / 10,
      droppedIn: s.droppedAtInput,
      droppedOut: s.droppedAtOutput,
      latencyMs: s.latencyMs ? Math.round(s.latencyMs.mean) : this.current.latencyMs,
      engineMs: s.engineMs !== undefined ? Math.round(s.engineMs) : this.current.engineMs,
    });
  }

  /** Changes some fields and tells the listeners (fields set to undefined are removed). */
  private update(change: Partial<LiveStatus>): void {
    this.replace({ ...this.current, ...change });
  }

  private replace(next: LiveStatus): void {
    const status = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as LiveStatus;
    this.current = status;
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (e) {
        this.options.log.bug(e, 'a liveStatus listener');
      }
    }
  }
}

/** Resolves when `p` settles, never rejects: the caller of `p` handles its error, this only waits. */
function settled(p: Promise<unknown>): Promise<void> {
  return p.then(
    () => undefined,
    () => undefined,
  );
}

function cameraFormat(camera: { width?: number; height?: number; fps?: number }): { videoSize?: { width: number; height: number }; framerate?: number } {
  return {
    ...(camera.width && camera.height ? { videoSize: { width: camera.width, height: camera.height } } : {}),
    ...(camera.fps ? { framerate: camera.fps } : {}),
  };
}
