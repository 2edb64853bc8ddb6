import Database from 'better-sqlite3';
import type { ErrorPayload } from '../../bridge/errors';
import type { JobState, OutputFileInfo } from '../../bridge/jobs';
import { HostError } from '../errors';
import { migrate } from './job-schema';

/** What the database knows of one job (the request itself is `request.json` in the job folder). */
export interface JobRecord {
  id: string;
  clientId: string;
  /** submission order; the queue runs queued jobs by it */
  seq: number;
  state: JobState;
  /** matte: alphas still to compute; render: every alpha is on disk, the outputs are (re)written */
  phase: 'matte' | 'render';
  media: string;
  createdAt: string;
  /** source frame number of the range's start */
  firstFrame: number;
  /** frames committed: their alphas and the engine snapshot after them are on disk */
  framesDone: number;
  /** frames in the range, once known */
  frameTotal?: number;
  width?: number;
  height?: number;
  /** which render of the outputs is next or was last: 1, then +1 per correction accepted after a finished render */
  version: number;
  /** the version of the last finished render, if any */
  renderedVersion?: number;
  outputs?: OutputFileInfo[];
  error?: ErrorPayload;
}

/** A corrected mask: `maskFile` (relative to the job folder) is the grey mask at the source frame size. */
export interface CorrectionRecord {
  frame: number;
  target: number;
  maskFile: string;
}

/** One engine pass over a job. */
export interface RunRecord {
  run: number;
  snapshotFrame?: number;
  firstFrame: number;
  framesRestepped: number;
  framesComputed: number;
}

interface JobRow {
  seq: number;
  id: string;
  client_id: string;
  state: JobState;
  phase: 'matte' | 'render';
  media: string;
  created_at: string;
  first_frame: number;
  frames_done: number;
  frame_total: number | null;
  width: number | null;
  height: number | null;
  output_version: number;
  rendered_version: number | null;
  outputs: string | null;
  error_code: string | null;
  error_message: string | null;
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    seq: r.seq,
    state: r.state,
    phase: r.phase,
    media: r.media,
    createdAt: r.created_at,
    firstFrame: r.first_frame,
    framesDone: r.frames_done,
    ...(r.frame_total !== null ? { frameTotal: r.frame_total } : {}),
    ...(r.width !== null && r.height !== null ? { width: r.width, height: r.height } : {}),
    version: r.output_version,
    ...(r.rendered_version !== null ? { renderedVersion: r.rendered_version } : {}),
    ...(r.outputs !== null ? { outputs: JSON.parse(r.outputs) as OutputFileInfo[] } : {}),
    ...(r.error_code !== null ? { error: { code: r.error_code, message: r.error_message ?? '' } as ErrorPayload } : {}),
  };
}

const now = () => new Date().toISOString();

/** Every statement, prepared once. */
function prepareStatements(db: Database.Database) {
  const s = (sql: string) => db.prepare(sql);
  return {
    insert: s(`INSERT INTO jobs (id, client_id, state, media, created_at, updated_at, first_frame) VALUES (?, ?, 'queued', ?, ?, ?, ?)`),
    get: s(`SELECT * FROM jobs WHERE id = ?`),
    byClient: s(`SELECT * FROM jobs WHERE client_id = ? ORDER BY seq`),
    queued: s(`SELECT id FROM jobs WHERE state = 'queued' ORDER BY seq`),
    countState: s(`SELECT count(*) AS n FROM jobs WHERE state = ?`),
    setState: s(`UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?`),
    finish: s(`UPDATE jobs SET state = 'finished', outputs = ?, rendered_version = coalesce(?, output_version), error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ?`),
    fail: s(`UPDATE jobs SET state = 'failed', error_code = ?, error_message = ?, updated_at = ? WHERE id = ?`),
    start: s(`UPDATE jobs SET state = 'running', error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ?`),
    recover: s(`UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running'`),
    frameInfo: s(`UPDATE jobs SET width = ?, height = ?, frame_total = coalesce(frame_total, ?), updated_at = ? WHERE id = ?`),
    commitFrame: s(`UPDATE jobs SET frames_done = ?, updated_at = ? WHERE id = ?`),
    endMatte: s(`UPDATE jobs SET phase = 'render', frame_total = ?, updated_at = ? WHERE id = ?`),
    rewind: s(`UPDATE jobs SET phase = 'matte', frames_done = min(frames_done, ?), updated_at = ? WHERE id = ?`),
    // A finished render's files stay as they are: the next render is a new version (new file names).
    nextVersion: s(`UPDATE jobs SET output_version = output_version + 1 WHERE id = ? AND rendered_version = output_version`),
    upsertCorrection: s(
      `INSERT INTO corrections (job_id, frame, target, mask_file, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_id, frame, target) DO UPDATE SET mask_file = excluded.mask_file, created_at = excluded.created_at`,
    ),
    corrections: s(`SELECT frame, target, mask_file AS maskFile FROM corrections WHERE job_id = ? ORDER BY frame, target`),
    lastRun: s(`SELECT coalesce(max(run), 0) AS n FROM runs WHERE job_id = ?`),
    insertRun: s(`INSERT INTO runs (job_id, run, started_at, snapshot_frame, first_frame) VALUES (?, ?, ?, ?, ?)`),
    countComputed: s(`UPDATE runs SET frames_computed = frames_computed + 1 WHERE job_id = ? AND run = ?`),
    setRestepped: s(`UPDATE runs SET frames_restepped = ? WHERE job_id = ? AND run = ?`),
    runs: s(
      `SELECT run, snapshot_frame AS snapshotFrame, first_frame AS firstFrame, frames_restepped AS framesRestepped,
              frames_computed AS framesComputed FROM runs WHERE job_id = ? ORDER BY run`,
    ),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

/**
 * The job database (SQLite through better-sqlite3): jobs, their corrections and engine runs. Every write
 * is one statement or one transaction, so a `kill -9` leaves either the old or the new state.
 *
 * @remarks WAL journal with `synchronous = NORMAL`: a commit survives a crash of the process (the case
 *   that matters here); a power cut may lose the last commits, never consistency. `locking_mode =
 *   EXCLUSIVE` holds the file lock for the connection's life, so a second host on the same data folder
 *   fails at once instead of running the same jobs twice; the OS drops the lock when the process dies.
 */
export class JobStore {
  private readonly statements: Statements;

  private constructor(private readonly db: Database.Database) {
    this.statements = prepareStatements(db);
  }

  /**
   * Opens (creating if needed) and migrates the database.
   * @throws HostError INVALID_ARGUMENT when another host holds the database
   */
  static open(file: string): JobStore {
    const db = new Database(file, { timeout: 500 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.exec('BEGIN EXCLUSIVE; COMMIT'); // takes the lock now, not at the first write
      migrate(db);
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY')
        throw new HostError('INVALID_ARGUMENT', `the job database ${file} is in use by another host; stop it or use another data folder`);
      throw e;
    }
    return new JobStore(db);
  }

  close(): void {
    this.db.close();
  }

  insert(job: { id: string; clientId: string; media: string; firstFrame: number }): void {
    const at = now();
    this.statements.insert.run(job.id, job.clientId, job.media, at, at, job.firstFrame);
  }

  get(id: string): JobRecord | undefined {
    const row = this.statements.get.get(id) as JobRow | undefined;
    return row && toRecord(row);
  }

  listByClient(clientId: string): JobRecord[] {
    return (this.statements.byClient.all(clientId) as JobRow[]).map(toRecord);
  }

  /** Queued job ids, first to run first. */
  queuedIds(): string[] {
    return (this.statements.queued.all() as { id: string }[]).map((r) => r.id);
  }

  count(state: JobState): number {
    return (this.statements.countState.get(state) as { n: number }).n;
  }

  setState(id: string, state: 'queued' | 'cancelled'): void {
    this.statements.setState.run(state, now(), id);
  }

  markRunning(id: string): void {
    this.statements.start.run(now(), id);
  }

  /** The render of `version` (default: the job's current one) is complete with `outputs`. */
  markFinished(id: string, outputs: OutputFileInfo[], version?: number): void {
    this.statements.finish.run(JSON.stringify(outputs), version ?? null, now(), id);
  }

  markFailed(id: string, error: ErrorPayload): void {
    this.statements.fail.run(error.code, error.message, now(), id);
  }

  /** After a crash: jobs left `running` go back to the queue (they resume from their snapshots). */
  requeueInterrupted(): number {
    return this.statements.recover.run(now()).changes;
  }

  setFrameInfo(id: string, info: { width: number; height: number; frameTotal?: number }): void {
    this.statements.frameInfo.run(info.width, info.height, info.frameTotal ?? null, now(), id);
  }

  /** Commits one frame of a run: the job's done count and the run's counter, together. */
  commitFrame(id: string, run: number, framesDone: number): void {
    this.db.transaction(() => {
      this.statements.commitFrame.run(framesDone, now(), id);
      this.statements.countComputed.run(id, run);
    })();
  }

  /** Every alpha is on disk: the range had `frameTotal` frames. */
  endMatte(id: string, frameTotal: number): void {
    this.statements.endMatte.run(frameTotal, now(), id);
  }

  /**
   * Records a corrected mask and rewinds the job so that frames from `frame` on are computed again:
   * `framesDone` drops to the frames before it, and when the current version was rendered the next render
   * becomes a new version, all in the same transaction (so a `kill -9` never splits them).
   */
  addCorrection(id: string, c: CorrectionRecord): void {
    const job = this.get(id);
    if (!job) throw new Error(`no job ${id}`);
    this.db.transaction(() => {
      this.statements.upsertCorrection.run(id, c.frame, c.target, c.maskFile, now());
      this.statements.rewind.run(c.frame - job.firstFrame, now(), id);
      this.statements.nextVersion.run(id);
    })();
  }

  corrections(id: string): CorrectionRecord[] {
    return this.statements.corrections.all(id) as CorrectionRecord[];
  }

  /** Starts a run record; returns its number (1, 2, …). */
  beginRun(id: string, run: { snapshotFrame?: number; firstFrame: number }): number {
    return this.db.transaction(() => {
      const n = (this.statements.lastRun.get(id) as { n: number }).n + 1;
      this.statements.insertRun.run(id, n, now(), run.snapshotFrame ?? null, run.firstFrame);
      return n;
    })();
  }

  setRestepped(id: string, run: number, frames: number): void {
    this.statements.setRestepped.run(frames, id, run);
  }

  runs(id: string): RunRecord[] {
    return (this.statements.runs.all(id) as (Omit<RunRecord, 'snapshotFrame'> & { snapshotFrame: number | null })[]).map(({ snapshotFrame, ...r }) => ({
      ...r,
      ...(snapshotFrame !== null ? { snapshotFrame } : {}),
    }));
  }
}
