import { randomBytes } from 'crypto';
import { mkdirSync, promises as fs } from 'fs';
import * as path from 'path';
import type { ErrorPayload } from '../../bridge/errors';
import type { CorrectMaskParams, JobInfo, JobProgress, SubmitMatteParams } from '../../bridge/jobs';
import { providerOrder, type ExecutionProviderChoice, type ExecutionProviderName } from '../engine/providers';
import { HostError, isHostError } from '../errors';
import { frameRange } from '../video/frame-range';
import { encodeGreyPng } from '../video/png';
import { JobErrors } from './job-errors';
import { JobEvents, type JobsLog } from './job-events';
import { JobFolder, writeFileAtomic } from './job-folder';
import { JobQueue, type StopReason } from './job-queue';
import { targetNames, type StoredRequest } from './job-request';
import { runJob } from './job-runner';
import type { JobEventListener, JobFrameSource, JobService } from './job-service';
import { JobStore, type JobRecord } from './job-store';
import { decodeFrame } from '../person-mask/frame-person-mask';
import { checkDrawingBase, maskFromInput, storeMaskInput } from './mask-input';
import { SnapshotStore } from './snapshot-store';

export interface JobServiceOptions {
  /** holds `jobs.sqlite` and `jobs/<jobId>/` (created if needed) */
  dataDir: string;
  /** jobs running at once (default 1: one GPU) */
  concurrency?: number;
  /** most jobs waiting; a submit beyond gets QUEUE_FULL (default 32) */
  maxQueued?: number;
  /** keep the engine snapshot of every this many frames, for corrections (default 10) */
  snapshotEvery?: number;
  /** execution providers to try, in order, or a `--ep` choice (default `auto`: this platform's GPUs, then the CPU) */
  providers?: ExecutionProviderName[] | ExecutionProviderChoice;
  /** onnxruntime intra-op threads per engine */
  threads?: number;
  /** where bugs and notable events go (default: bugs to stderr) */
  log?: JobsLog;
}

const stderrLog: JobsLog = {
  info: () => undefined,
  bug(error, context) {
    const id = randomBytes(4).toString('hex');
    process.stderr.write(`${new Date().toISOString()} error: [${id}] ${context}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return id;
  },
};

/**
 * The jobs layer: a SQLite job store in `dataDir`, a queue, and the runs. On creation it recovers: jobs
 * that were running when the host died are queued again and resume from their snapshots.
 *
 * @throws HostError INVALID_ARGUMENT when another host uses `dataDir`
 * @example
 * ```ts
 * const jobs = createJobService({ dataDir: path.join(home, 'host') });
 * jobs.subscribe((clientId, event, data) => server.send(clientId, event, data));
 * const { jobId } = await jobs.submit(clientId, params);
 * ```
 */
export function createJobService(options: JobServiceOptions): JobService {
  return new MatteJobService(options);
}

class MatteJobService implements JobService {
  private readonly store: JobStore;
  private readonly events: JobEvents;
  private readonly queue: JobQueue;
  private readonly log: JobsLog;
  private readonly live = new Map<string, JobProgress>();
  /** per job: the cancel or correction under way, so that two never interleave */
  private readonly busy = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: JobServiceOptions) {
    this.log = options.log ?? stderrLog;
    this.events = new JobEvents(this.log);
    mkdirSync(path.join(options.dataDir, 'jobs'), { recursive: true });
    this.store = JobStore.open(path.join(options.dataDir, 'jobs.sqlite'));
    this.queue = new JobQueue(this.store, options.concurrency ?? 1, (id, signal, reason) => this.execute(id, signal, reason));
    const resumed = this.store.requeueInterrupted();
    if (resumed > 0) this.log.info(`jobs: ${resumed} interrupted job(s) queued again`);
    // After the caller had the chance to subscribe.
    setImmediate(() => this.queue.pump());
  }

  async submit(clientId: string, params: SubmitMatteParams): Promise<{ jobId: string; position: number }> {
    this.checkOpen();
    frameRange(params.range?.from, params.range?.to);
    const kinds = params.outputs.map((o) => o.kind);
    const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
    if (twice) throw new HostError('INVALID_ARGUMENT', `output "${twice}" requested twice`);
    for (const [i, t] of params.targets.entries()) checkDrawingBase(t.mask, `submitMatte: the mask of target ${i}`);
    this.checkRoom();

    const jobId = randomBytes(9).toString('base64url');
    const folder = new JobFolder(this.options.dataDir, jobId);
    try {
      await folder.create(params.targets.length);
      const names = targetNames(params.targets);
      const targets = [];
      for (const [i, t] of params.targets.entries())
        targets.push({ name: names[i], mask: await storeMaskInput(t.mask, folder.dir, folder.maskName(`target-${i}.png`), `the mask PNG of target "${names[i]}"`) });
      const request: StoredRequest = { ...params, targets };
      await folder.writeRequest(request);
      this.checkOpen();
      this.checkRoom();
    } catch (e) {
      await fs.rm(folder.dir, { recursive: true, force: true });
      throw e;
    }
    this.store.insert({ id: jobId, clientId, media: params.media, firstFrame: params.range?.from ?? 0 });
    await folder.log(`submitted by ${clientId}: ${params.media}`);
    return { jobId, position: this.enqueue(clientId, jobId) };
  }

  cancel(clientId: string, jobId: string): Promise<{ state: string }> {
    return this.serial(jobId, async () => {
      const job = this.owned(clientId, jobId);
      if (job.state === 'finished' || job.state === 'failed') throw JobErrors.state(jobId, `it has ${job.state}; there is nothing to cancel`);
      if (this.queue.isRunning(jobId)) {
        await this.queue.stop(jobId, 'cancel');
        return { state: this.store.get(jobId)!.state }; // 'finished' if it ended before the frame boundary
      }
      if (job.state !== 'cancelled') this.cancelled(job);
      return { state: 'cancelled' };
    });
  }

  correct(clientId: string, params: CorrectMaskParams): Promise<{ jobId: string; fromFrame: number }> {
    return this.serial(params.jobId, async () => {
      const job = this.owned(clientId, params.jobId);
      const folder = new JobFolder(this.options.dataDir, job.id);
      const request = await folder.readRequest();
      const target = resolveTarget(job.id, request, params.target);
      const k = params.frame;
      if (job.width === undefined || job.height === undefined)
        throw JobErrors.state(job.id, 'it has not started yet; correct a frame once the job has computed it');
      const last = job.frameTotal !== undefined ? job.firstFrame + job.frameTotal - 1 : undefined;
      if (k < job.firstFrame || (last !== undefined && k > last))
        throw JobErrors.state(job.id, `frame ${k} is outside its range ${job.firstFrame}…${last ?? 'end'}`);
      const next = job.firstFrame + job.framesDone;
      if (k > next) throw JobErrors.state(job.id, `frame ${k} has not been computed yet; frames up to ${next} can be corrected now`);

      // A drawing on base 'alpha' edits the matte the user sees: only a committed frame (before `next`) has one.
      const alpha = async () => {
        if (k >= next) {
          const have = next > job.firstFrame ? `frames ${job.firstFrame}…${next - 1} have one` : 'no frame has one yet';
          throw JobErrors.state(job.id, `frame ${k} has no matte yet (${have}); draw on base "empty" or wait for it`);
        }
        return (await folder.readAlpha(target, k)).alpha;
      };
      const notices: string[] = [];
      const frame = () => decodeFrame(request.media, k, request.frameRate);
      const grey = await maskFromInput(params.mask, { width: job.width, height: job.height }, { alpha, frame, onNotice: (line) => notices.push(line) });
      for (const line of notices) await folder.log(line);
      const maskFile = folder.maskName(`correction-${String(k).padStart(6, '0')}-${target}.png`);
      await writeFileAtomic(folder.file(maskFile), encodeGreyPng(job.width, job.height, grey, 8));
      await this.queue.stop(job.id, 'correct');
      this.store.addCorrection(job.id, { frame: k, target, maskFile });
      await new SnapshotStore(folder.snapshotsDir, job.firstFrame, this.snapshotEvery).prune(k);
      await folder.log(`correction of target ${target} at frame ${k}`);
      if (this.store.get(job.id)!.state !== 'queued') this.enqueue(clientId, job.id);
      else this.queue.pump();
      return { jobId: job.id, fromFrame: k };
    });
  }

  get(clientId: string, jobId: string): JobInfo {
    return this.info(this.owned(clientId, jobId));
  }

  async frame(clientId: string, params: { jobId: string; frame: number; target: number | string }): Promise<JobFrameSource> {
    const job = this.owned(clientId, params.jobId);
    const folder = new JobFolder(this.options.dataDir, job.id);
    const request = await folder.readRequest();
    const target = resolveTarget(job.id, request, params.target);
    const k = params.frame;
    const last = job.frameTotal !== undefined ? job.firstFrame + job.frameTotal - 1 : request.range?.to;
    if (k < job.firstFrame || (last !== undefined && k > last))
      throw new HostError('INVALID_ARGUMENT', `job ${job.id} covers frames ${job.firstFrame}…${last ?? 'end'}; frame ${k} is outside its range`);
    const source = { media: job.media, ...(request.frameRate ? { frameRate: request.frameRate } : {}) };
    // Committed frames only: after a correction, frames from it on are stale until computed again.
    if (k >= job.firstFrame + job.framesDone) return source;
    return { ...source, alpha: await folder.readAlpha(target, k) };
  }

  list(clientId: string): JobInfo[] {
    return this.store.listByClient(clientId).map((job) => this.info(job));
  }

  subscribe(listener: JobEventListener): () => void {
    return this.events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close();
    await Promise.allSettled(this.busy.values());
    this.store.close();
  }

  private get providers(): ExecutionProviderName[] {
    const p = this.options.providers ?? 'auto';
    return typeof p === 'string' ? providerOrder(p) : p;
  }

  private get snapshotEvery(): number {
    return this.options.snapshotEvery ?? 10;
  }

  /** Marks a job queued (it may be already), tells its owner where it stands, and starts what can start. */
  private enqueue(clientId: string, jobId: string): number {
    this.store.setState(jobId, 'queued');
    const position = this.queue.positionOf(jobId);
    this.events.emit(clientId, 'jobQueued', { jobId, position });
    this.queue.pump();
    return position;
  }

  private async execute(jobId: string, signal: AbortSignal, stopReason: () => StopReason | undefined): Promise<void> {
    const job = this.store.get(jobId)!;
    const folder = new JobFolder(this.options.dataDir, jobId);
    const emit = this.events.emit.bind(this.events);
    try {
      const outcome = await runJob(jobId, {
        store: this.store,
        folder,
        engine: { providers: this.providers, threads: this.options.threads },
        snapshotEvery: this.snapshotEvery,
        signal,
        started: (resumedFrom) => emit(job.clientId, 'jobStarted', { jobId, ...(resumedFrom !== undefined ? { resumedFrom } : {}) }),
        progress: (p) => {
          this.live.set(jobId, p);
          emit(job.clientId, 'jobProgress', p);
        },
      });
      if (outcome.kind === 'finished') {
        this.store.markFinished(jobId, outcome.outputs, outcome.version);
        await folder.log('finished');
        emit(job.clientId, 'jobFinished', { jobId, outputs: outcome.outputs });
        return;
      }
      const reason = stopReason();
      await folder.log(`stopped (${reason ?? 'unknown'})`);
      if (reason === 'cancel') this.cancelled(job);
      else if (reason !== 'correct') this.store.setState(jobId, 'queued'); // resumes on the next start
    } catch (e) {
      let error: ErrorPayload;
      if (isHostError(e)) {
        error = { code: e.code, message: e.message };
        await folder.log(`failed: ${e.code}: ${e.message}`);
      } else {
        const logId = this.log.bug(e, `job ${jobId}`);
        error = { code: 'INTERNAL', message: `internal error while running the job (host log id ${logId})` };
        await folder.log(`failed: [${logId}] ${(e as Error)?.stack ?? String(e)}`);
      }
      this.store.markFailed(jobId, error);
      emit(job.clientId, 'jobFailed', { jobId, error });
    } finally {
      this.live.delete(jobId);
    }
  }

  private cancelled(job: JobRecord): void {
    this.store.setState(job.id, 'cancelled');
    void new JobFolder(this.options.dataDir, job.id).log('cancelled');
    this.events.emit(job.clientId, 'jobCancelled', { jobId: job.id });
  }

  private info(job: JobRecord): JobInfo {
    const corrections = [...new Set(this.store.corrections(job.id).map((c) => c.frame))];
    return {
      jobId: job.id,
      state: job.state,
      media: job.media,
      createdAt: job.createdAt,
      range: { from: job.firstFrame, ...(job.frameTotal ? { to: job.firstFrame + job.frameTotal - 1 } : {}) },
      ...(job.frameTotal !== undefined ? { frameTotal: job.frameTotal } : {}),
      version: job.version,
      progress: this.live.get(job.id) ?? storedProgress(job),
      ...(job.state === 'finished' && job.outputs ? { outputs: job.outputs } : {}),
      ...(job.state === 'failed' && job.error ? { error: job.error } : {}),
      ...(corrections.length > 0 ? { corrections } : {}),
    };
  }

  /** The job if `clientId` owns it; another client's job does not exist for it. */
  private owned(clientId: string, jobId: string): JobRecord {
    this.checkOpen();
    const job = this.store.get(jobId);
    if (!job || job.clientId !== clientId) throw JobErrors.notFound(jobId);
    return job;
  }

  private serial<T>(jobId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.busy.get(jobId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    const settled = next.catch(() => undefined);
    this.busy.set(jobId, settled);
    void settled.then(() => {
      if (this.busy.get(jobId) === settled) this.busy.delete(jobId);
    });
    return next;
  }

  private checkOpen(): void {
    if (this.closed) throw JobErrors.closed();
  }

  private checkRoom(): void {
    const max = this.options.maxQueued ?? 32;
    if (this.store.count('queued') >= max) throw JobErrors.queueFull(max);
  }
}

/** A target given by index or by name. */
function resolveTarget(jobId: string, request: StoredRequest, target: number | string): number {
  const index = typeof target === 'number' ? target : request.targets.findIndex((t) => t.name === target);
  if (index < 0 || index >= request.targets.length) throw JobErrors.badTarget(jobId, target, request.targets.length);
  return index;
}

/** What the database says of a job's progress when it is not running. */
function storedProgress(job: JobRecord): JobProgress {
  const total = job.frameTotal !== undefined ? { total: job.frameTotal } : {};
  if (job.state === 'finished') return { jobId: job.id, phase: 'render', frame: job.frameTotal ?? 0, ...total, fps: 0 };
  return { jobId: job.id, phase: job.phase, frame: job.phase === 'matte' ? job.framesDone : 0, ...total, fps: 0 };
}
