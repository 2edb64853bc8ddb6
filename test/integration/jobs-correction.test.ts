import * as fs from 'fs';
import * as path from 'path';
import type { MaskInput } from '../../bridge/media';
import { JobFolder } from '../../native-host/jobs/job-folder';
import { JobStore } from '../../native-host/jobs/job-store';
import { maskFromInput } from '../../native-host/jobs/mask-input';
import { prepareMask } from '../../native-host/mask/morphology';
import { fixtureJob, fixtureWorkspace, jobAlphaFile, jobAlphas, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { rejectsWithHostError } from '../support/video-fixtures';

const FRAMES = 12;
const K = 7;
/** The subject's upper body only: clearly unlike the tracked matte at frame 7. */
const BOX: MaskInput = { kind: 'box', x: 150, y: 20, width: 120, height: 100 };

describe('job service: mask correction at frame k', () => {
  const { tmp, model } = fixtureWorkspace('jobs-correction-');

  test('keeps frames before k, recomputes k… from the snapshot before k, and a crash after it still applies it', async () => {
    const dataDir = tmp.file('data');
    const outDir = tmp.file('out');
    let host = startJobHost({ dataDir, snapshotEvery: 5 });
    const { jobId } = await host.submit('panel', fixtureJob(model().dir, { outDir }));
    expect((await host.next(jobEnded(jobId))).event).toBe('jobFinished');
    const snapshots = path.join(dataDir, 'jobs', jobId, 'snapshots');
    expect(fs.readdirSync(snapshots).sort()).toEqual(['frame-000000.snap', 'frame-000005.snap', 'frame-000010.snap', 'frame-000011.snap']);
    const before = jobAlphas(dataDir, jobId);
    const mtimes = Array.from({ length: FRAMES }, (_, f) => fs.statSync(jobAlphaFile(dataDir, jobId, f)).mtimeMs);

    // Refused corrections change nothing.
    await rejectsWithHostError(host.correct('panel', { jobId, frame: FRAMES, target: 0, mask: BOX }), 'JOB_STATE');
    await rejectsWithHostError(host.correct('other-panel', { jobId, frame: K, target: 0, mask: BOX }), 'JOB_NOT_FOUND');
    await rejectsWithHostError(host.correct('panel', { jobId, frame: K, target: 1, mask: BOX }), 'INVALID_ARGUMENT');
    await rejectsWithHostError(host.correct('panel', { jobId, frame: K, target: 0, mask: { kind: 'box', x: 500, y: 0, width: 10, height: 10 } }), 'MASK_EMPTY');

    const from = host.events.length;
    expect(await host.correct('panel', { jobId, frame: K, target: 'mask', mask: BOX })).toEqual({ jobId, fromFrame: K });
    expect((await host.next(jobEnded(jobId), from)).event).toBe('jobFinished');
    const rerun = host.events.slice(from).map((e) => e.event).filter((e) => e !== 'jobProgress');
    expect(rerun).toEqual(['jobQueued', 'jobStarted', 'jobFinished']);
    expect(host.events.slice(from).find((e) => e.event === 'jobStarted')!.data).toEqual({ jobId, resumedFrom: K });
    expect(await host.get('panel', jobId)).toMatchObject({ state: 'finished', corrections: [K], version: 2 });
    await host.close();

    const after = jobAlphas(dataDir, jobId);
    for (let f = 0; f < K; f++) {
      const name = `${String(f).padStart(6, '0')}.png`;
      expect(after.get(name)!.equals(before.get(name)!)).toBe(true);
      expect(fs.statSync(jobAlphaFile(dataDir, jobId, f)).mtimeMs).toBe(mtimes[f]); // not even rewritten
    }
    for (let f = K; f < FRAMES; f++) {
      const name = `${String(f).padStart(6, '0')}.png`;
      expect(after.get(name)!.equals(before.get(name)!)).toBe(false);
    }
    // Frame k's alpha is the corrected mask, prepared as the first one (dilate 10, erode 10).
    const prepared = prepareMask(await maskFromInput(BOX, { width: 426, height: 240 }), 426, 240, { dilate: 10, erode: 10 });
    const { alpha } = await new JobFolder(dataDir, jobId).readAlpha(0, K);
    expect(alpha.every((a, i) => a === prepared[i] / 255)).toBe(true);
    // Rendered again as version 2, beside version 1 (versioned outputs).
    expect(fs.readFileSync(path.join(outDir, 'alpha-v2', `00000${K}.png`)).equals(after.get(`00000${K}.png`)!)).toBe(true);
    expect(fs.readFileSync(path.join(outDir, 'alpha', `00000${K}.png`)).equals(before.get(`00000${K}.png`)!)).toBe(true);

    // The correction run restored the snapshot of frame 5 (kept every 5 frames), stepped frame 6 again
    // without writing it, then computed frames 7…11: 6 engine steps instead of 12.
    let store = JobStore.open(path.join(dataDir, 'jobs.sqlite'));
    expect(store.runs(jobId)).toEqual([
      { run: 1, firstFrame: 0, framesRestepped: 0, framesComputed: FRAMES },
      { run: 2, snapshotFrame: 5, firstFrame: K, framesRestepped: 1, framesComputed: FRAMES - K },
    ]);
    store.close();

    // The same correction again, accepted by a host that starts no job (concurrency 0: its queue holds the
    // job before its engine starts), then that host killed: the next host applies the recorded correction
    // when frame k comes, from the snapshot before k again. Holding the job makes this outcome certain; a
    // kill in the middle of a run is jobs-resume's subject.
    host = startJobHost({ dataDir, snapshotEvery: 5, concurrency: 0 });
    expect(await host.correct('panel', { jobId, frame: K, target: 0, mask: BOX })).toEqual({ jobId, fromFrame: K });
    expect(await host.get('panel', jobId)).toMatchObject({ state: 'queued', corrections: [K] });
    expect(host.of(jobId).map((e) => e.event)).toEqual(['jobQueued']);
    await host.kill();
    host = startJobHost({ dataDir, snapshotEvery: 5 });
    expect((await host.next(jobEnded(jobId))).event).toBe('jobFinished');
    expect(host.of(jobId).find((e) => e.event === 'jobStarted')!.data).toEqual({ jobId, resumedFrom: K });
    await host.close();
    const resumed = jobAlphas(dataDir, jobId);
    for (const [name, png] of after) expect(resumed.get(name)!.equals(png)).toBe(true);
    store = JobStore.open(path.join(dataDir, 'jobs.sqlite'));
    expect(store.runs(jobId).slice(2)).toEqual([{ run: 3, snapshotFrame: 5, firstFrame: K, framesRestepped: 1, framesComputed: FRAMES - K }]);
    store.close();
  });
});
