import type { JobProgress } from '../../bridge/jobs';
import type { EventData, EventName } from '../../bridge/protocol';
import type { JobEventListener } from './job-service';

/** Where the jobs layer reports its own bugs (the server's HostLog fits). */
export interface JobsLog {
  info(message: string): void;
  /** Logs a bug with its stack; returns a short id to show the user. */
  bug(error: unknown, context: string): string;
}

/**
 * Fans job events out to the subscribers. Each delivery is its own task on the event loop, after the
 * emitter has moved on: a listener that throws, or a client that reads slowly, never holds up a job.
 */
export class JobEvents {
  private readonly listeners = new Set<JobEventListener>();

  constructor(private readonly log: JobsLog) {}

  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(clientId: string, event: E, data: EventData<E>): void {
    for (const listener of this.listeners) {
      setImmediate(() => {
        try {
          const result: unknown = listener(clientId, event, data);
          if (result instanceof Promise) result.catch((e) => this.log.bug(e, `job event listener (${event})`));
        } catch (e) {
          this.log.bug(e, `job event listener (${event})`);
        }
      });
    }
  }
}

/** Most progress events per job and second (the last frame of a phase is always reported). */
const PROGRESS_PER_SECOND = 4;

/**
 * Progress of one job phase: frames done, rate and ETA, reported at most {@link PROGRESS_PER_SECOND}
 * times a second. The rate counts from the phase's first frame (the engine's first frame carries the
 * model warm-up).
 */
export class ProgressMeter {
  private firstAt = 0;
  private counted = 0;
  private lastSentAt = -Infinity;
  latest: JobProgress;

  constructor(
    private readonly jobId: string,
    private readonly phase: JobProgress['phase'],
    private readonly total: number | undefined,
    private readonly send: (p: JobProgress) => void,
    done = 0,
  ) {
    this.latest = this.progress(done, 0);
  }

  /** `done` frames of the phase are done (one more than before). */
  frame(done: number): void {
    const now = Date.now();
    if (this.counted++ === 0) this.firstAt = now;
    const fps = this.counted > 1 ? (this.counted - 1) / Math.max((now - this.firstAt) / 1000, 1e-3) : 0;
    this.latest = this.progress(done, fps);
    const last = this.total !== undefined && done >= this.total;
    if (last || now - this.lastSentAt >= 1000 / PROGRESS_PER_SECOND) {
      this.lastSentAt = now;
      this.send(this.latest);
    }
  }

  private progress(done: number, fps: number): JobProgress {
    const remaining = this.total !== undefined ? Math.max(0, this.total - done) : undefined;
    return {
      jobId: this.jobId,
      phase: this.phase,
      frame: done,
      ...(this.total !== undefined ? { total: this.total } : {}),
      fps,
      ...(remaining !== undefined && fps > 0 ? { etaSeconds: remaining / fps } : {}),
    };
  }
}
