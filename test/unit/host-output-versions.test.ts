import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../native-host/jobs/job-schema';
import { JobStore } from '../../native-host/jobs/job-store';
import { versionedName } from '../../native-host/video/output-writer';
import { makeVideoTempDir } from '../support/video-fixtures';

describe('versioned outputs', () => {
  const tmp = makeVideoTempDir('output-versions-');
  afterAll(() => tmp.cleanup());

  test('names: version 1 as before, -v<n> before the extension from 2 on', () => {
    expect(['matte.mov', 'matte-luma.mov', 'composite.mp4', 'alpha'].map((n) => versionedName(n))).toEqual(['matte.mov', 'matte-luma.mov', 'composite.mp4', 'alpha']);
    expect(['matte.mov', 'matte-luma.mov', 'composite.mp4', 'alpha'].map((n) => versionedName(n, 3))).toEqual(['matte-v3.mov', 'matte-luma-v3.mov', 'composite-v3.mp4', 'alpha-v3']);
    expect(() => versionedName('matte.mov', 0)).toThrow(RangeError);
  });

  test('a correction after a finished render starts a new version, once per render, kept across reopening', () => {
    const file = tmp.file('jobs.sqlite');
    let store = JobStore.open(file);
    store.insert({ id: 'a', clientId: 'one', media: '/m/a.mp4', firstFrame: 0 });
    expect(store.get('a')).toMatchObject({ version: 1 });
    expect(store.get('a')).not.toHaveProperty('renderedVersion');
    // A correction before any render keeps version 1 (nothing was written under its names yet).
    store.addCorrection('a', { frame: 3, target: 0, maskFile: 'm0.png' });
    expect(store.get('a')!.version).toBe(1);
    store.markFinished('a', [{ target: 'mask', kind: 'prores4444', path: '/o/matte.mov' }], 1);
    expect(store.get('a')).toMatchObject({ version: 1, renderedVersion: 1 });
    store.addCorrection('a', { frame: 5, target: 0, maskFile: 'm1.png' });
    expect(store.get('a')!.version).toBe(2);
    // More corrections before version 2 is rendered stay in version 2.
    store.addCorrection('a', { frame: 4, target: 0, maskFile: 'm2.png' });
    store.close(); // as after kill -9
    store = JobStore.open(file);
    expect(store.get('a')).toMatchObject({ version: 2, renderedVersion: 1 });
    store.markFinished('a', [{ target: 'mask', kind: 'prores4444', path: '/o/matte-v2.mov' }]);
    expect(store.get('a')).toMatchObject({ version: 2, renderedVersion: 2 });
    store.addCorrection('a', { frame: 1, target: 0, maskFile: 'm3.png' });
    expect(store.get('a')!.version).toBe(3);
    store.close();
  });

  test('migrating a protocol-1 database: finished jobs count as rendered version 1', () => {
    const file = tmp.file('old.sqlite');
    const db = new Database(file);
    db.exec(MIGRATIONS[0]);
    db.pragma('user_version = 1');
    const at = new Date().toISOString();
    db.prepare(`INSERT INTO jobs (id, client_id, state, media, created_at, updated_at, first_frame, outputs) VALUES (?, 'c', ?, '/m', ?, ?, 0, ?)`).run('done', 'finished', at, at, '[]');
    db.prepare(`INSERT INTO jobs (id, client_id, state, media, created_at, updated_at, first_frame) VALUES (?, 'c', ?, '/m', ?, ?, 0)`).run('waiting', 'queued', at, at);
    db.close();
    const store = JobStore.open(file);
    expect(store.get('done')).toMatchObject({ version: 1, renderedVersion: 1 });
    expect(store.get('waiting')).toMatchObject({ version: 1 });
    store.addCorrection('done', { frame: 0, target: 0, maskFile: 'm.png' });
    expect(store.get('done')!.version).toBe(2); // matte.mov of the old host stays as it is
    store.close();
  });
});
