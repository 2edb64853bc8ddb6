import { fixtureJob, fixtureWorkspace, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { ffmpeg, rejectsWithHostError } from '../support/video-fixtures';

describe('job service: auto masks', () => {
  const { tmp, model } = fixtureWorkspace('jobs-auto-mask-');

  test('an auto mask mattes the people of the first frame; a frame without one fails with NO_PERSON', async () => {
    const flat = tmp.file('flat.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=24', '-frames:v', '3', '-pix_fmt', 'yuv420p', flat]);
    const host = startJobHost({ dataDir: tmp.file('data') });
    const ok = await host.submit('panel', fixtureJob(model().dir, { targets: [{ mask: { kind: 'auto' } }], range: { from: 1, to: 2 }, outDir: tmp.file('ok') }));
    const none = await host.submit('panel', fixtureJob(model().dir, { media: flat, targets: [{ mask: { kind: 'auto', box: { x: 10, y: 10, width: 50, height: 50 } } }], outDir: tmp.file('none') }));
    expect((await host.next(jobEnded(ok.jobId))).event).toBe('jobFinished');
    const end = await host.next(jobEnded(none.jobId));
    expect(end.event).toBe('jobFailed');
    expect((end.data as { error: { code: string; message: string } }).error).toMatchObject({ code: 'NO_PERSON', message: expect.stringMatching(/^no person found in frame 0/) });

    // correctMask: the people on the corrected frame; a box on nobody is refused at once.
    await rejectsWithHostError(host.correct('panel', { jobId: ok.jobId, frame: 2, target: 0, mask: { kind: 'auto', box: { x: 415, y: 0, width: 10, height: 10 } } }), 'NO_PERSON');
    const seen = host.events.length;
    expect(await host.correct('panel', { jobId: ok.jobId, frame: 2, target: 0, mask: { kind: 'auto' } })).toEqual({ jobId: ok.jobId, fromFrame: 2 });
    expect((await host.next(jobEnded(ok.jobId), seen)).event).toBe('jobFinished');
    await host.close();
  });
});
