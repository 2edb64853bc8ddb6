import { fork } from 'child_process';
import * as path from 'path';
import type { ErrorCode } from '../../bridge/errors';
import type { CorrectMaskParams, JobInfo, SubmitMatteParams } from '../../bridge/jobs';
import { HostError } from '../../native-host/errors';
import type { JobServiceOptions } from '../../native-host/jobs/matte-job-service';
import { PROJECT_ROOT } from './cli';
import type { HostMessage, HostRequest } from './job-host-child';
import type { SeenEvent } from './job-fixtures';

const CHILD = path.join(PROJECT_ROOT, 'dist/test/support/job-host-child.js');

/** The JobService of a child process (job-host-child.ts), as promises, with the events it sent. */
export interface JobHost {
  submit(clientId: string, params: SubmitMatteParams): Promise<{ jobId: string; position: number }>;
  cancel(clientId: string, jobId: string): Promise<{ state: string }>;
  correct(clientId: string, params: CorrectMaskParams): Promise<{ jobId: string; fromFrame: number }>;
  get(clientId: string, jobId: string): Promise<JobInfo>;
  list(clientId: string): Promise<JobInfo[]>;
  readonly events: SeenEvent[];
  /** Calls `f` with each event as it arrives. */
  onEvent(f: (e: SeenEvent) => void): void;
  /** The first event (from index `from` on) that matches. */
  next(match: (e: SeenEvent) => boolean, from?: number): Promise<SeenEvent>;
  of(jobId: string): SeenEvent[];
  /** Closes the service (a running job stops at a frame boundary) and waits for the process to end. */
  close(): Promise<void>;
  /** `kill -9`, and waits for the process to be gone. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Starts the job service on `options.dataDir` in a child process (CPU provider). */
export function startJobHost(options: JobServiceOptions): JobHost {
  const child = fork(CHILD, [JSON.stringify(options)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const events: SeenEvent[] = [];
  const listeners: ((e: SeenEvent) => void)[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error('the job host exited'));
    pending.clear();
  });
  child.on('message', (m: HostMessage) => {
    if ('event' in m) {
      const e = m.event as SeenEvent;
      events.push(e);
      for (const f of [...listeners]) f(e);
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.result);
    else p?.reject(m.error.code ? new HostError(m.error.code as ErrorCode, m.error.message) : new Error(m.error.message));
  });
  const call = <T>(method: HostRequest['method'], ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args } satisfies HostRequest);
    });
  const host: JobHost = {
    submit: (clientId, params) => call('submit', clientId, params),
    cancel: (clientId, jobId) => call('cancel', clientId, jobId),
    correct: (clientId, params) => call('correct', clientId, params),
    get: (clientId, jobId) => call('get', clientId, jobId),
    list: (clientId) => call('list', clientId),
    events,
    onEvent: (f) => listeners.push(f),
    next(match, from = 0) {
      const already = events.slice(from).find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const listener = (e: SeenEvent) => {
          if (!match(e)) return;
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(e);
        };
        listeners.push(listener);
        void exited.then(() => reject(new Error('the job host exited before the event came')));
      });
    },
    of: (jobId) => events.filter((e) => e.data.jobId === jobId),
    async close() {
      await call('close');
      await exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
  return host;
}
