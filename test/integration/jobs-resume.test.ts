import * as path from 'path';
import { JobStore } from '../../native-host/jobs/job-store';
import { fixtureModel } from '../support/engine-fixture';
import { fixtureJob, jobAlphas, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { ffmpeg, makeVideoTempDir, PARITY_A, probeStream } from '../support/video-fixtures';

const FRAMES = 36;

describe('job service: resume after kill -9', () => {
  const tmp = makeVideoTempDir('jobs-resume-');
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let clip: string;
  beforeAll(async () => {
    model = await fixtureModel();
    // The 12 fixture frames played three times: 36 frames, losslessly coded.
    clip = tmp.file('loop.mp4');
    ffmpeg(['-framerate', '24', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-vf', 'loop=loop=2:size=12:start=0', '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', clip]);
    expect(probeStream(clip).nb_read_frames).toBe(String(FRAMES));
  });
  afterAll(() => {
    model.cleanup();
    tmp.cleanup();
  });

  test('the job resumes from its last snapshot: no frame computed twice, alphas equal an uninterrupted run', async () => {
    const job = fixtureJob(model.dir, { media: clip });
    const dataDir = tmp.file('killed');

    // First host: killed once about 15 frames are committed.
    const first = startJobHost({ dataDir });
    const { jobId } = await first.submit('panel', job);
    await first.next((e) => e.event === 'jobProgress' && (e.data as { frame: number }).frame >= 15);
    await first.kill();
    let store = JobStore.open(path.join(dataDir, 'jobs.sqlite'));
    const before = store.get(jobId)!;
    expect(before.state).toBe('running');
    const done = before.framesDone;
    expect(done).toBeGreaterThanOrEqual(15);
    expect(done).toBeLessThan(FRAMES);
    expect(store.runs(jobId)).toEqual([{ run: 1, firstFrame: 0, framesRestepped: 0, framesComputed: done }]);
    store.close();

    // Second host on the same data: resumes the job by itself.
    const second = startJobHost({ dataDir });
    expect((await second.next(jobEnded(jobId))).event).toBe('jobFinished');
    await second.close();
    expect(second.events.map((e) => e.event).filter((e) => e !== 'jobProgress')).toEqual(['jobStarted', 'jobFinished']);
    expect(second.events[0].data).toEqual({ jobId, resumedFrom: done });
    store = JobStore.open(path.join(dataDir, 'jobs.sqlite'));
    expect(store.get(jobId)).toMatchObject({ state: 'finished', framesDone: FRAMES, frameTotal: FRAMES });
    // The second run restored the snapshot of the last committed frame and computed exactly the rest.
    expect(store.runs(jobId)[1]).toEqual({ run: 2, snapshotFrame: done - 1, firstFrame: done, framesRestepped: 0, framesComputed: FRAMES - done });
    store.close();

    // The same job without interruption, in this process.
    const referenceDir = tmp.file('reference');
    const third = startJobHost({ dataDir: referenceDir });
    const reference = await third.submit('panel', job);
    expect((await third.next(jobEnded(reference.jobId))).event).toBe('jobFinished');
    await third.close();

    const resumed = jobAlphas(dataDir, jobId);
    const uninterrupted = jobAlphas(referenceDir, reference.jobId);
    expect(resumed.size).toBe(FRAMES);
    expect([...resumed.keys()]).toEqual([...uninterrupted.keys()]);
    const differing = [...resumed].filter(([name, png]) => !png.equals(uninterrupted.get(name)!)).map(([name]) => name);
    expect(differing).toEqual([]);
  });
});
