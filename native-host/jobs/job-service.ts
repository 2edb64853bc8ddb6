import type { CorrectMaskParams, JobInfo, SubmitMatteParams } from '../../bridge/jobs';
import type { FrameRate } from '../../bridge/media';
import type { EventData, EventName } from '../../bridge/protocol';

/** An event for one client (the owner of the job), as the server forwards it. */
export type JobEventListener = <E extends EventName>(clientId: string, event: E, data: EventData<E>) => void;

/** What getJobFrame needs of one frame of a job: where to decode it and, once computed, its matte. */
export interface JobFrameSource {
  /** the job's media (a checked path) and the rate of a frame folder */
  media: string;
  frameRate?: FrameRate;
  /** width·height values in [0, 1] at the source size; absent while the job has not computed the frame */
  alpha?: { width: number; height: number; alpha: Float32Array };
}

/**
 * What the server asks of the jobs layer. Parameters arrive validated by the bridge schemas and with every
 * path already checked against the allowed roots (absolute, real paths). Each client sees only its own jobs:
 * a job of another client is JOB_NOT_FOUND. Errors are HostErrors with stable codes.
 */
export interface JobService {
  submit(clientId: string, params: SubmitMatteParams): Promise<{ jobId: string; position: number }>;
  cancel(clientId: string, jobId: string): Promise<{ state: string }>;
  /** Re-runs from `params.frame` with the corrected mask, from the nearest engine snapshot before it. */
  correct(clientId: string, params: CorrectMaskParams): Promise<{ jobId: string; fromFrame: number }>;
  get(clientId: string, jobId: string): JobInfo;
  /**
   * One source frame of a job, with the target's matte once computed.
   * @throws HostError JOB_NOT_FOUND (also another client's job), INVALID_ARGUMENT for a frame outside the
   *   job's range (the message names it) or an unknown target
   */
  frame(clientId: string, params: { jobId: string; frame: number; target: number | string }): Promise<JobFrameSource>;
  list(clientId: string): JobInfo[];
  /** Job events, for the server to route to the owner's connections; returns the unsubscribe function. */
  subscribe(listener: JobEventListener): () => void;
  /** Stops taking work; a running job stops at a frame boundary and resumes on the next start. */
  close(): Promise<void>;
}
