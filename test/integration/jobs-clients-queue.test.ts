import * as fs from 'fs';
import { fixtureJob, fixtureWorkspace, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { rejectsWithHostError } from '../support/video-fixtures';

describe('job service: clients and the queue', () => {
  const { tmp, model } = fixtureWorkspace('jobs-queue-');

  test('each client sees its own jobs; one job at a time; QUEUE_FULL; cancel queued and running jobs', async () => {
    const host = startJobHost({ dataDir: tmp.file('data'), concurrency: 1, maxQueued: 1 });
    const short = fixtureJob(model().dir, { range: { to: 2 }, outDir: tmp.file('a1') });
    const long = fixtureJob(model().dir, { outDir: tmp.file('b1') });

    const a1 = await host.submit('panel-a', short);
    const b1 = await host.submit('panel-b', long);
    expect(a1.position).toBe(0);
    expect(b1.position).toBe(1); // waits for a1
    await rejectsWithHostError(host.submit('panel-a', short), 'QUEUE_FULL');

    expect((await host.list('panel-a')).map((j) => j.jobId)).toEqual([a1.jobId]);
    expect((await host.list('panel-b')).map((j) => [j.jobId, j.state])).toEqual([[b1.jobId, 'queued']]);
    expect(await host.list('panel-c')).toEqual([]);
    await rejectsWithHostError(host.get('panel-b', a1.jobId), 'JOB_NOT_FOUND');
    await rejectsWithHostError(host.cancel('panel-b', a1.jobId), 'JOB_NOT_FOUND');
    await rejectsWithHostError(host.correct('panel-b', { jobId: a1.jobId, frame: 0, target: 0, mask: { kind: 'box', x: 0, y: 0, width: 9, height: 9 } }), 'JOB_NOT_FOUND');
    await rejectsWithHostError(host.get('panel-a', b1.jobId), 'JOB_NOT_FOUND');
    await rejectsWithHostError(host.get('panel-a', 'no-such-job'), 'JOB_NOT_FOUND');

    // b1 starts only once a1 has finished.
    const a1End = await host.next(jobEnded(a1.jobId));
    expect(a1End.event).toBe('jobFinished');
    const b1Start = await host.next((e) => e.event === 'jobStarted' && e.data.jobId === b1.jobId);
    expect(host.events.indexOf(b1Start)).toBeGreaterThan(host.events.indexOf(a1End));
    expect(host.events.filter((e) => e.data.jobId === a1.jobId).every((e) => e.clientId === 'panel-a')).toBe(true);

    // A queued job is cancelled at once.
    const a2 = await host.submit('panel-a', short);
    expect(a2.position).toBe(1);
    expect(await host.cancel('panel-a', a2.jobId)).toEqual({ state: 'cancelled' });
    expect((await host.get('panel-a', a2.jobId)).state).toBe('cancelled');
    expect(await host.cancel('panel-a', a2.jobId)).toEqual({ state: 'cancelled' });
    await rejectsWithHostError(host.cancel('panel-a', a1.jobId), 'JOB_STATE'); // finished

    // The running one: a frame it has not reached cannot be corrected; cancel stops it at a frame boundary.
    await host.next((e) => e.event === 'jobProgress' && e.data.jobId === b1.jobId);
    await rejectsWithHostError(host.correct('panel-b', { jobId: b1.jobId, frame: 11, target: 0, mask: { kind: 'box', x: 0, y: 0, width: 99, height: 99 } }), 'JOB_STATE');
    expect(await host.cancel('panel-b', b1.jobId)).toEqual({ state: 'cancelled' });
    const b1Info = await host.get('panel-b', b1.jobId);
    expect(b1Info.state).toBe('cancelled');
    expect(b1Info.progress!.frame).toBeLessThan(12);
    expect(fs.existsSync(tmp.file('b1'))).toBe(false); // no outputs rendered
    expect(host.of(b1.jobId).map((e) => e.event).filter((e) => e !== 'jobProgress')).toEqual(['jobQueued', 'jobStarted', 'jobCancelled']);
    expect(host.of(b1.jobId).every((e) => e.clientId === 'panel-b')).toBe(true);
    expect(host.of(a2.jobId).map((e) => [e.clientId, e.event])).toEqual([
      ['panel-a', 'jobQueued'],
      ['panel-a', 'jobCancelled'],
    ]);

    // The queue is free again. Closing the host stops the running job at a frame boundary; the next host
    // resumes it where it stopped.
    const a3 = await host.submit('panel-a', fixtureJob(model().dir, { outDir: tmp.file('a3') }));
    expect(a3.position).toBe(0);
    await host.next((e) => e.event === 'jobProgress' && e.data.jobId === a3.jobId);
    await host.close();
    const again = startJobHost({ dataDir: tmp.file('data') });
    expect((await again.next(jobEnded(a3.jobId))).event).toBe('jobFinished');
    const resumedFrom = (again.events.find((e) => e.event === 'jobStarted')!.data as { resumedFrom?: number }).resumedFrom;
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(12);
    expect((await again.list('panel-b')).map((j) => j.state)).toEqual(['cancelled']);
    await again.close();
  });
});
