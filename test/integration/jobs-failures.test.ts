import * as fs from 'fs';
import * as path from 'path';
import { createJobService } from '../../native-host/jobs/matte-job-service';
import { fixtureJob, fixtureWorkspace, jobEnded, quietLog, recordEvents } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { PARITY_A } from '../support/video-fixtures';

describe('job service: failing jobs', () => {
  const { tmp, model } = fixtureWorkspace('jobs-failures-');

  test('a failing job ends failed with its code; the next job still runs', async () => {
    const notVideo = tmp.file('notes.mp4');
    fs.writeFileSync(notVideo, 'these are not video frames\n');
    // Frames 0…3 of the fixture, then an image that does not decode: fails mid-way, after 4 frames.
    const broken = tmp.file('broken');
    fs.mkdirSync(broken);
    for (let i = 0; i < 4; i++) fs.copyFileSync(path.join(PARITY_A, `frame_000${i}.png`), path.join(broken, `frame_000${i}.png`));
    fs.writeFileSync(path.join(broken, 'frame_0004.png'), 'not a png');

    const host = startJobHost({ dataDir: tmp.file('data') });
    const cases = [
      { params: fixtureJob(model().dir, { media: notVideo }), code: 'VIDEO_UNREADABLE' },
      { params: fixtureJob(model().dir, { media: broken }), code: 'VIDEO_UNREADABLE' },
      { params: fixtureJob(model().dir, { targets: [{ mask: { kind: 'strokes', strokes: [{ points: [[-50, -50]], radius: 10 }] } }] }), code: 'MASK_EMPTY' },
      { params: fixtureJob(tmp.dir), code: 'MODEL_NOT_FOUND' },
    ];
    const jobs = [];
    for (const c of cases) jobs.push((await host.submit('panel', c.params)).jobId);
    const next = await host.submit('panel', fixtureJob(model().dir, { range: { to: 1 }, outDir: tmp.file('next') }));

    for (const [i, jobId] of jobs.entries()) {
      const end = await host.next(jobEnded(jobId));
      expect(end.event).toBe('jobFailed');
      expect((end.data as { error: { code: string } }).error.code).toBe(cases[i].code);
      const info = await host.get('panel', jobId);
      expect(info.state).toBe('failed');
      expect(info.error).toEqual((end.data as { error: unknown }).error);
    }
    const midway = await host.get('panel', jobs[1]);
    expect(midway.error!.message).toMatch(/frame 4/);
    expect(midway.progress).toMatchObject({ phase: 'matte', frame: 4 }); // the frames before it are kept
    expect((await host.get('panel', jobs[0])).error!.message).toContain(notVideo);

    expect((await host.next(jobEnded(next.jobId))).event).toBe('jobFinished');
    await host.close();
  });

  test('listeners that throw or never settle hold up neither the job nor the other listeners', async () => {
    const log = quietLog();
    const service = createJobService({ dataDir: tmp.file('listeners'), providers: ['cpu'], log });
    service.subscribe(() => {
      throw new Error('a broken client');
    });
    service.subscribe(() => new Promise<void>(() => undefined) as unknown as void);
    const seen = recordEvents(service);
    const { jobId } = await service.submit('panel', fixtureJob(model().dir, { range: { to: 0 }, outDir: tmp.file('one') }));
    expect((await seen.next(jobEnded(jobId))).event).toBe('jobFinished');
    await service.close();
    expect(log.bugs.length).toBe(seen.events.length);
    expect((log.bugs[0] as Error).message).toBe('a broken client');
  });
});
