import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { runCli } from '../support/cli';
import { FIXTURE_MASK, fixtureJob, fixtureWorkspace, jobEnded } from '../support/job-fixtures';
import { startJobHost } from '../support/job-host';

/**
 * The fixture clip is 426×240 (240 = 15·16): a mask of 426×232 is that mask without the 8 "padding" rows an
 * encoder would add, as the official sample 2's 1920×1080 mask is for its 1920×1088 video.
 */
describe('a mask that differs from the frame by codec padding, end to end', () => {
  const { tmp, model } = fixtureWorkspace('inputs-mask-notice-');
  const FAST = ['--warmup', '1', '--ep', 'cpu', '--to', '1', '--alpha', 'png8'];
  const NOTICE = (file: string) =>
    `mask ${file} is 426×232, the video 426×240: placed at the top-left, the 8 rows below it are background ` +
    '(codec padding: encoders round the picture up to a multiple of 16 at the bottom and right)';
  let cropped: string;
  beforeAll(async () => {
    cropped = tmp.file('cropped.png');
    await sharp(FIXTURE_MASK).extract({ left: 0, top: 0, width: 426, height: 232 }).png().toFile(cropped);
  });

  test('matanyone matte: one notice on stderr, and the matte of the mask with background below', async () => {
    const r = runCli(['matte', path.join(FIXTURE_MASK, '..'), '--mask', cropped, '--model', model().dir, '--out', tmp.file('cli'), ...FAST], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('mask '))).toEqual([NOTICE(cropped)]);

    // The same run with the full-size mask whose last 8 rows are background gives the same alphas.
    const { data, info } = await sharp(FIXTURE_MASK).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    data.fill(0, info.width * 232);
    const blanked = tmp.file('blanked.png');
    await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(blanked);
    const reference = runCli(['matte', path.join(FIXTURE_MASK, '..'), '--mask', blanked, '--model', model().dir, '--out', tmp.file('ref'), ...FAST], { timeoutMs: 300_000 });
    expect(reference.code).toBe(0);
    expect(reference.stderr).not.toMatch(/^mask /m);
    for (const name of ['000000.png', '000001.png'])
      expect(fs.readFileSync(tmp.file(`cli/alpha/${name}`)).equals(fs.readFileSync(tmp.file(`ref/alpha/${name}`)))).toBe(true);
  });

  test("a job: the same notice in the job's log", async () => {
    const dataDir = tmp.file('data');
    const host = startJobHost({ dataDir });
    try {
      const { jobId } = await host.submit('panel-a', fixtureJob(model().dir, { targets: [{ mask: { kind: 'path', path: cropped } }], range: { to: 1 }, outDir: tmp.file('job-out') }));
      const end = await host.next(jobEnded(jobId));
      expect(end.event).toBe('jobFinished');
      const log = fs.readFileSync(path.join(dataDir, 'jobs', jobId, 'log'), 'utf8');
      expect(log.split('\n').filter((l) => l.includes(NOTICE(cropped)))).toHaveLength(1);
    } finally {
      await host.close();
    }
  });
});
