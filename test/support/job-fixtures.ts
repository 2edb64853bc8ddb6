import * as fs from 'fs';
import * as path from 'path';
import type { JobInfo, SubmitMatteParams } from '../../bridge/jobs';
import type { EventData, EventName } from '../../bridge/protocol';
import type { JobsLog } from '../../native-host/jobs/job-events';
import type { JobService } from '../../native-host/jobs/job-service';
import { fixtureModel } from './engine-fixture';
import { makeVideoTempDir, PARITY_A } from './video-fixtures';

export const FIXTURE_MASK = path.join(PARITY_A, 'mask.png');

/** One event as a listener saw it. */
export interface SeenEvent {
  clientId: string;
  event: EventName;
  data: EventData<EventName> & { jobId: string };
}

/** Records every event of a service; `next` waits for the first event (from `from` on) that matches. */
export function recordEvents(service: JobService): {
  events: SeenEvent[];
  of(jobId: string): SeenEvent[];
  next(match: (e: SeenEvent) => boolean, from?: number, timeoutMs?: number): Promise<SeenEvent>;
} {
  const events: SeenEvent[] = [];
  const waiters: { match: (e: SeenEvent) => boolean; resolve: (e: SeenEvent) => void }[] = [];
  service.subscribe((clientId, event, data) => {
    const seen = { clientId, event, data: data as SeenEvent['data'] };
    events.push(seen);
    for (const w of [...waiters]) if (w.match(seen)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(seen));
  });
  return {
    events,
    of: (jobId) => events.filter((e) => e.data.jobId === jobId),
    next(match, from = 0, timeoutMs = 120_000) {
      const already = events.slice(from).find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a job event')), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

/** Matches the event that ends a job (finished, failed or cancelled). */
export const jobEnded = (jobId: string) => (e: SeenEvent) =>
  e.data.jobId === jobId && (e.event === 'jobFinished' || e.event === 'jobFailed' || e.event === 'jobCancelled');

/** A job over the fixture frames (or `media`), fast settings, CPU. */
export function fixtureJob(modelDir: string, overrides: Partial<SubmitMatteParams> = {}): SubmitMatteParams {
  return {
    media: PARITY_A,
    targets: [{ mask: { kind: 'path', path: FIXTURE_MASK } }],
    outputs: [{ kind: 'alpha', depth: 16 }],
    model: modelDir,
    settings: { warmup: 1 },
    ...overrides,
  };
}

/** A log that keeps bugs for the test to assert on instead of printing them. */
export function quietLog(): JobsLog & { bugs: unknown[] } {
  const bugs: unknown[] = [];
  return { bugs, info: () => undefined, bug: (e) => (bugs.push(e), 'test') };
}

/** A job's canonical alpha PNGs (`jobs/<id>/alpha/<target>/`), by name. */
export function jobAlphas(dataDir: string, jobId: string, target = 0): Map<string, Buffer> {
  const dir = path.join(dataDir, 'jobs', jobId, 'alpha', String(target));
  return new Map(fs.readdirSync(dir).filter((n) => n.endsWith('.png')).sort().map((n) => [n, fs.readFileSync(path.join(dir, n))]));
}

export function jobAlphaFile(dataDir: string, jobId: string, frame: number, target = 0): string {
  return path.join(dataDir, 'jobs', jobId, 'alpha', String(target), `${String(frame).padStart(6, '0')}.png`);
}

export function state(service: JobService, clientId: string, jobId: string): JobInfo['state'] {
  return service.get(clientId, jobId).state;
}

/**
 * Per test file: a temporary folder and the fixture model converted into a temporary model folder, both
 * removed after the file's tests. `model()` is valid from the first test on.
 */
export function fixtureWorkspace(prefix: string): { tmp: ReturnType<typeof makeVideoTempDir>; model: () => Awaited<ReturnType<typeof fixtureModel>> } {
  const tmp = makeVideoTempDir(prefix);
  let model: Awaited<ReturnType<typeof fixtureModel>> | undefined;
  beforeAll(async () => {
    model = await fixtureModel();
  });
  afterAll(() => {
    model?.cleanup();
    tmp.cleanup();
  });
  return {
    tmp,
    model: () => {
      if (!model) throw new Error('the fixture model is ready from the first test on');
      return model;
    },
  };
}
