import * as fs from 'fs';
import * as path from 'path';
import { JobStore } from '../../native-host/jobs/job-store';
import { runCli } from '../support/cli';
import { FIXTURE_MASK, fixtureJob, fixtureWorkspace, jobAlphas, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';
import { PARITY_A, probeStream } from '../support/video-fixtures';

describe('job service: a job from submit to outputs', () => {
  const { tmp, model } = fixtureWorkspace('jobs-submit-');

  test('events in order, ProRes and alpha outputs next to the media, alphas equal `matanyone matte --alpha png16`', async () => {
    // The fixture frames copied into a folder of our own, so that the default output folder lands beside it.
    const media = tmp.file('clip');
    fs.mkdirSync(media);
    for (let i = 0; i < 12; i++) fs.copyFileSync(path.join(PARITY_A, `frame_${String(i).padStart(4, '0')}.png`), path.join(media, `frame_${String(i).padStart(4, '0')}.png`));
    const dataDir = tmp.file('data');
    const host = startJobHost({ dataDir });
    const { jobId, position } = await host.submit('panel-a', fixtureJob(model().dir, { media, outputs: [{ kind: 'alpha', depth: 16 }, { kind: 'prores4444' }] }));
    expect(position).toBe(0);
    const end = await host.next(jobEnded(jobId));
    expect(end.data).not.toHaveProperty('error');
    expect(end.event).toBe('jobFinished');

    const events = host.of(jobId);
    expect(events.every((e) => e.clientId === 'panel-a')).toBe(true);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('jobQueued');
    expect(names[1]).toBe('jobStarted');
    expect(names[names.length - 1]).toBe('jobFinished');
    expect(names.slice(2, -1).every((n) => n === 'jobProgress')).toBe(true);
    expect(events[1].data).toEqual({ jobId }); // a first run: no resumedFrom
    const progress = events.filter((e) => e.event === 'jobProgress').map((e) => e.data as { phase: string; frame: number; total?: number });
    expect(progress.find((p) => p.phase === 'matte' && p.frame === 12)).toMatchObject({ total: 12 });
    expect(progress.find((p) => p.phase === 'render' && p.frame === 12)).toMatchObject({ total: 12 });

    const outDir = tmp.file('clip.matanyone');
    const outputs = (end.data as { outputs: { target: string; kind: string; path: string }[] }).outputs;
    expect(outputs).toEqual([
      { target: 'mask', kind: 'alpha', path: path.join(outDir, 'alpha') },
      { target: 'mask', kind: 'prores4444', path: path.join(outDir, 'matte.mov') },
    ]);
    expect(probeStream(path.join(outDir, 'matte.mov'))).toMatchObject({ codec_tag_string: 'ap4h', width: 426, height: 240, nb_read_frames: '12' });
    const info = await host.get('panel-a', jobId);
    expect(info).toMatchObject({ jobId, state: 'finished', media, outputs, progress: { phase: 'render', frame: 12, total: 12 } });
    await host.close();

    const cli = runCli(['matte', PARITY_A, '--mask', FIXTURE_MASK, '--model', model().dir, '--out', tmp.file('cli'), '--alpha', 'png16', '--warmup', '1', '--ep', 'cpu'], {
      timeoutMs: 120_000,
    });
    expect(cli.code).toBe(0);
    const reference = fs.readdirSync(tmp.file('cli/alpha')).sort();
    expect(reference).toHaveLength(12);
    const canonical = jobAlphas(dataDir, jobId);
    expect([...canonical.keys()]).toEqual(reference);
    for (const name of reference) {
      const expected = fs.readFileSync(path.join(tmp.file('cli/alpha'), name));
      expect(canonical.get(name)!.equals(expected)).toBe(true); // the job's own alphas
      expect(fs.readFileSync(path.join(outDir, 'alpha', name)).equals(expected)).toBe(true); // the rendered output
    }

    const store = JobStore.open(path.join(dataDir, 'jobs.sqlite'));
    expect(store.runs(jobId)).toEqual([{ run: 1, firstFrame: 0, framesRestepped: 0, framesComputed: 12 }]);
    store.close();
  });
});
