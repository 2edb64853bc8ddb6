import type { JobStore } from './job-store';

/** Why a running job is asked to stop. */
export type StopReason = 'cancel' | 'correct' | 'close';

/** Runs one job to its end; never rejects (outcomes and failures are recorded by the callee). */
export type JobExecutor = (jobId: string, signal: AbortSignal, stopReason: () => StopReason | undefined) => Promise<void>;

interface RunningJob {
  readonly controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

/**
 * The queue: at most `concurrency` jobs run at once, the others wait in submission order (the database's
 * `seq`, so the order survives a restart). The database holds the queue; this class holds the running jobs.
 */
export class JobQueue {
  private readonly running = new Map<string, RunningJob>();
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly concurrency: number,
    private readonly execute: JobExecutor,
  ) {}

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** How many jobs must end before a queued job starts: those queued ahead, plus the running ones that hold every slot. */
  positionOf(jobId: string): number {
    const ahead = this.store.queuedIds().indexOf(jobId);
    return Math.max(0, ahead + this.running.size - this.concurrency + 1);
  }

  /** Starts queued jobs while there are free slots. */
  pump(): void {
    if (this.closed) return;
    for (const jobId of this.store.queuedIds()) {
      if (this.running.size >= this.concurrency) break;
      this.start(jobId);
    }
  }

  /** Asks a running job to stop at its next frame boundary; resolves once it has. No-op if it is not running. */
  async stop(jobId: string, reason: StopReason): Promise<void> {
    const job = this.running.get(jobId);
    if (!job) return;
    job.reason ??= reason;
    job.controller.abort();
    await job.done;
  }

  /** Starts nothing more and stops every running job. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.keys()].map((id) => this.stop(id, 'close')));
  }

  private start(jobId: string): void {
    this.store.markRunning(jobId);
    const job: RunningJob = { controller: new AbortController(), done: Promise.resolve() };
    this.running.set(jobId, job);
    job.done = this.execute(jobId, job.controller.signal, () => job.reason).finally(() => {
      this.running.delete(jobId);
      this.pump();
    });
  }
}
