import type { JobProgress } from '../../bridge/jobs';
import type { ExecutionProviderName } from '../engine/providers';
import type { VideoInfo } from '../video/probe';
import type { JobFolder } from './job-folder';
import type { StoredRequest } from './job-request';
import type { JobStore } from './job-store';
import type { SnapshotStore } from './snapshot-store';

/** What a job's phases work with: its records, its folder, its media and how to report. */
export interface JobContext {
  readonly jobId: string;
  readonly request: StoredRequest;
  readonly store: JobStore;
  readonly folder: JobFolder;
  readonly snapshots: SnapshotStore;
  /** the media as probed for this run */
  readonly info: VideoInfo;
  /** source frame numbers, inclusive; `to` undefined: up to the end */
  readonly range: { readonly from: number; readonly to?: number };
  readonly engine: { readonly providers: ExecutionProviderName[]; readonly threads?: number };
  /** aborted: stop at the next frame boundary */
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
}
