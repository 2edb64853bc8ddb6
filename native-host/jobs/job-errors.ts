import { HostError } from '../errors';

/** Factories for the jobs layer's user-facing errors, built per throw so that each has its own stack. */
export const JobErrors = {
  /** Also for a job of another client: the caller must not learn that it exists. */
  notFound(jobId: string): HostError {
    return new HostError('JOB_NOT_FOUND', `no job ${jobId}; listJobs shows your jobs`);
  },
  queueFull(max: number): HostError {
    return new HostError('QUEUE_FULL', `the queue is full (${max} jobs waiting); wait for a job to finish or cancel one`);
  },
  state(jobId: string, what: string): HostError {
    return new HostError('JOB_STATE', `job ${jobId}: ${what}`);
  },
  closed(): HostError {
    return new HostError('JOB_STATE', 'the host is shutting down; try again after it restarts');
  },
  badTarget(jobId: string, target: number | string, count: number): HostError {
    return new HostError('INVALID_ARGUMENT', `job ${jobId} has no target ${JSON.stringify(target)}; use an index 0…${count - 1} or a target name`);
  },
};
