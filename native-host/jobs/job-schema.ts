import type Database from 'better-sqlite3';
import { HostError } from '../errors';

/**
 * The job database's schema as a list of migrations: migration i brings `PRAGMA user_version` from i to
 * i + 1. Append new steps; never edit one that has shipped (databases in the field already ran it).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,  -- submission order: the queue's order
    id            TEXT NOT NULL UNIQUE,
    client_id     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
    phase         TEXT NOT NULL DEFAULT 'matte' CHECK (phase IN ('matte', 'render')),
    media         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    first_frame   INTEGER NOT NULL,                    -- source frame number of the range's start
    frames_done   INTEGER NOT NULL DEFAULT 0,          -- committed frames: alphas and snapshot on disk
    frame_total   INTEGER,                             -- frames in the range, once known
    width         INTEGER,                             -- source frame size, once the media was opened
    height        INTEGER,
    outputs       TEXT,                                -- JSON OutputFileInfo[] of the last render
    error_code    TEXT,
    error_message TEXT
  );
  CREATE INDEX jobs_by_client ON jobs (client_id, seq);
  CREATE INDEX jobs_by_state ON jobs (state, seq);

  -- A corrected mask for one target at one source frame; the image is a file in the job folder.
  CREATE TABLE corrections (
    job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    frame      INTEGER NOT NULL,
    target     INTEGER NOT NULL,
    mask_file  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (job_id, frame, target)
  );

  -- One engine pass over a job: where it started and what it computed (the resume and correction facts).
  CREATE TABLE runs (
    job_id           TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    run              INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    snapshot_frame   INTEGER,                          -- the snapshot restored; NULL: from the first frame
    first_frame      INTEGER NOT NULL,                 -- first frame whose alphas this run (re)writes
    frames_restepped INTEGER NOT NULL DEFAULT 0,       -- frames stepped only to rebuild the memory
    frames_computed  INTEGER NOT NULL DEFAULT 0,       -- frames stepped and committed
    PRIMARY KEY (job_id, run)
  );
  `,
  // Versioned outputs: a render after a correction writes new file names (editors cache media by path).
  `
  ALTER TABLE jobs ADD COLUMN output_version INTEGER NOT NULL DEFAULT 1;  -- the render the outputs are (for)
  ALTER TABLE jobs ADD COLUMN rendered_version INTEGER;                    -- the last finished render; NULL: none
  UPDATE jobs SET rendered_version = 1 WHERE outputs IS NOT NULL;
  `,
];

/** Brings a database to the newest schema, one transaction per step. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new HostError('INVALID_ARGUMENT', `the job database has schema version ${version}, newer than this host's ${MIGRATIONS.length}; update the host`);
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
