import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../native-host/jobs/job-schema';
import { JobStore } from '../../native-host/jobs/job-store';
import { makeVideoTempDir, rejectsWithHostError } from '../support/video-fixtures';

describe('job store (SQLite)', () => {
  const tmp = makeVideoTempDir('job-store-');
  afterAll(() => tmp.cleanup());

  test('migrates a new file to the newest schema, in WAL mode', () => {
    const file = tmp.file('new.sqlite');
    JobStore.open(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all()).toEqual(['corrections', 'jobs', 'runs']);
    db.close();
    JobStore.open(file).close(); // opening again migrates nothing
  });

  test('refuses a second host on the same file, and a schema newer than this host', async () => {
    const file = tmp.file('locked.sqlite');
    const first = JobStore.open(file);
    const error = await rejectsWithHostError(Promise.resolve().then(() => JobStore.open(file)), 'INVALID_ARGUMENT');
    expect(error.message).toMatch(/in use by another host/);
    first.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => JobStore.open(file)).toThrow(/newer than this host/);
  });

  test('jobs, queue order, recovery of running jobs, corrections that rewind, run counters', () => {
    const file = tmp.file('jobs.sqlite');
    let store = JobStore.open(file);
    store.insert({ id: 'a', clientId: 'one', media: '/m/a.mp4', firstFrame: 10 });
    store.insert({ id: 'b', clientId: 'two', media: '/m/b.mp4', firstFrame: 0 });
    store.insert({ id: 'c', clientId: 'one', media: '/m/c.mp4', firstFrame: 0 });
    expect(store.queuedIds()).toEqual(['a', 'b', 'c']);
    expect(store.listByClient('one').map((j) => j.id)).toEqual(['a', 'c']);
    store.markRunning('a');
    store.setFrameInfo('a', { width: 640, height: 360, frameTotal: 30 });
    const run = store.beginRun('a', { firstFrame: 10 });
    for (let done = 1; done <= 12; done++) store.commitFrame('a', run, done);
    store.setState('c', 'cancelled');
    store.close(); // as if killed: 'a' is still running

    store = JobStore.open(file);
    expect(store.requeueInterrupted()).toBe(1);
    expect(store.get('a')).toMatchObject({ state: 'queued', phase: 'matte', firstFrame: 10, framesDone: 12, frameTotal: 30, width: 640, height: 360 });
    expect(store.queuedIds()).toEqual(['a', 'b']);
    expect(store.count('queued')).toBe(2);
    expect(store.runs('a')).toEqual([{ run: 1, firstFrame: 10, framesRestepped: 0, framesComputed: 12 }]);

    store.endMatte('a', 30);
    expect(store.get('a')).toMatchObject({ phase: 'render', frameTotal: 30 });
    store.addCorrection('a', { frame: 17, target: 0, maskFile: 'masks/correction-000017-0.png' });
    expect(store.get('a')).toMatchObject({ phase: 'matte', framesDone: 7 }); // frames 10…16 stay done
    store.addCorrection('a', { frame: 25, target: 0, maskFile: 'masks/correction-000025-0.png' });
    expect(store.get('a')!.framesDone).toBe(7); // never moves forward
    store.addCorrection('a', { frame: 17, target: 0, maskFile: 'masks/again.png' });
    expect(store.corrections('a')).toEqual([
      { frame: 17, target: 0, maskFile: 'masks/again.png' },
      { frame: 25, target: 0, maskFile: 'masks/correction-000025-0.png' },
    ]);
    const second = store.beginRun('a', { snapshotFrame: 15, firstFrame: 17 });
    store.setRestepped('a', second, 1);
    expect(store.runs('a')[1]).toEqual({ run: 2, snapshotFrame: 15, firstFrame: 17, framesRestepped: 1, framesComputed: 0 });

    store.markFailed('b', { code: 'VIDEO_UNREADABLE', message: 'cannot read video /m/b.mp4' });
    expect(store.get('b')).toMatchObject({ state: 'failed', error: { code: 'VIDEO_UNREADABLE', message: 'cannot read video /m/b.mp4' } });
    store.markRunning('b');
    expect(store.get('b')).not.toHaveProperty('error');
    store.markFinished('b', [{ target: 'mask', kind: 'alpha', path: '/out/alpha' }]);
    expect(store.get('b')).toMatchObject({ state: 'finished', outputs: [{ target: 'mask', kind: 'alpha', path: '/out/alpha' }] });
    store.close();
  });
});
