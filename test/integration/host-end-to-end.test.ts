import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type { BridgeClient } from '../../bridge/client';
import type { EventData, EventName } from '../../bridge/protocol';
import { readAlpha16 } from '../support/alpha-png';
import { fixtureModel } from '../support/engine-fixture';
import { errorStats, PARITY_DIR, readF32Safetensors } from '../support/parity-fixture';
import { connect, serve, Served } from '../support/serve-host';
import { ffmpeg } from '../support/video-fixtures';

/**
 * Issue #4's proofs against the real thing: `matanyone serve` in its own process on loopback, its SQLite
 * file, real ffmpeg and the engine, driven by the panels' BridgeClient.
 */
describe('the host end to end (serve + bridge client)', () => {
  let tmp: string;
  let env: Record<string, string>;
  let footage: string;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  const args = () => ['--port', '0', '--ep', 'cpu', '--data', path.join(tmp, 'data'), '--allow', footage, '--allow', PARITY_DIR, '--allow', path.dirname(model.dir)];

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-e2e-')));
    footage = path.join(tmp, 'footage');
    fs.mkdirSync(footage);
    fs.mkdirSync(path.join(tmp, 'home'));
    env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
    model = await fixtureModel();
  });
  afterAll(() => {
    model.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Resolves with the first event of `name` for `jobId`; rejects on jobFailed. */
  function when<E extends EventName>(panel: BridgeClient, name: E, jobId: () => string, test: (d: EventData<E>) => boolean = () => true): Promise<EventData<E>> {
    return new Promise((resolve, reject) => {
      panel.on(name, (d) => {
        if ((d as { jobId: string }).jobId === jobId() && test(d)) resolve(d);
      });
      panel.on('jobFailed', (f) => f.jobId === jobId() && reject(new Error(`${f.error.code}: ${f.error.message}`)));
    });
  }

  /** The job's canonical 16-bit alphas (`<data>/jobs/<id>/alpha/<target>/`), by frame. */
  function jobAlphaDir(jobId: string): string {
    const dir = path.join(tmp, 'data', 'jobs', jobId, 'alpha');
    return path.join(dir, fs.readdirSync(dir)[0]);
  }
  const frameFiles = (dir: string) => fs.readdirSync(dir).sort();

  test('submit → progress → result on the fixture clip matches the official alphas; a correction at k re-runs from k only', async () => {
    const host = await serve(args(), env);
    try {
      const panel = await connect(host.url, host.token);
      let jobId = '';
      const progress: EventData<'jobProgress'>[] = [];
      panel.on('jobProgress', (p) => p.jobId === jobId && progress.push(p));
      const finished = when(panel, 'jobFinished', () => jobId);
      ({ jobId } = await panel.call('submitMatte', {
        media: PARITY_DIR,
        targets: [{ mask: { kind: 'path', path: path.join(PARITY_DIR, 'mask.png') } }],
        outputs: [{ kind: 'alpha', depth: 16 }, { kind: 'prores4444' }],
        outDir: path.join(footage, 'fixture-out'),
        model: model.dir,
        settings: { warmup: 3 },
      }));
      const done = await finished;
      expect(progress.some((p) => p.phase === 'matte' && p.frame > 0 && p.total === 12)).toBe(true);
      expect(done.outputs.map((o) => o.kind).sort()).toEqual(['alpha', 'prores4444']);

      // The same official procedure as `matanyone matte`: the alphas match the official fp32 ones.
      const expected = readF32Safetensors(path.join(PARITY_DIR, 'outputs.safetensors')).get('alpha')!;
      const n = 240 * 426;
      let worst = 0;
      for (let f = 0; f < 12; f++) worst = Math.max(worst, errorStats((await readAlpha16(path.join(footage, 'fixture-out'), f)).alpha, expected.data.subarray(f * n, (f + 1) * n)).max);
      console.log(`host job vs official alphas: max ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(1e-3);

      // Correction at k = 7: a box around the subject's upper half.
      const alphas = jobAlphaDir(jobId);
      const before = frameFiles(alphas).map((f) => ({ f, bytes: fs.readFileSync(path.join(alphas, f)), mtime: fs.statSync(path.join(alphas, f)).mtimeMs }));
      const refinished = when(panel, 'jobFinished', () => jobId);
      const restarted = when(panel, 'jobStarted', () => jobId);
      expect(await panel.call('correctMask', { jobId, frame: 7, mask: { kind: 'box', x: 120, y: 20, width: 200, height: 120 } })).toEqual({ jobId, fromFrame: 7 });
      const started = await restarted;
      await refinished;
      expect(started.resumedFrom).toBe(7);
      for (const { f, bytes, mtime } of before) {
        const now = path.join(alphas, f);
        const frame = Number(path.parse(f).name);
        if (frame < 7) {
          expect(fs.readFileSync(now).equals(bytes)).toBe(true);
          expect(fs.statSync(now).mtimeMs).toBe(mtime);
        } else expect(fs.readFileSync(now).equals(bytes)).toBe(false);
      }
      // Frame 7 is the corrected mask itself (the box, dilated and eroded: a box stays a box).
      const k = await sharp(path.join(alphas, '000007.png')).extractChannel(0).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
      const at = (x: number, y: number) => k.readUInt16LE(2 * (y * 426 + x));
      expect([at(220, 80), at(10, 10), at(400, 200)]).toEqual([65535, 0, 0]);
      expect((await panel.call('getJob', { jobId })).corrections).toEqual([7]);
      panel.close();
    } finally {
      host.child.kill('SIGTERM');
      await host.exited;
    }
  }, 240_000);

  test('kill -9 mid-job: the restarted host resumes from its last snapshot, recomputes nothing finished, and ends equal to an uninterrupted run', async () => {
    const clip = path.join(footage, 'long.mp4');
    ffmpeg(['-stream_loop', '2', '-framerate', '25', '-i', path.join(PARITY_DIR, 'frame_%04d.png'), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv444p', clip]);
    const request = (outDir: string) => ({
      media: clip,
      targets: [{ mask: { kind: 'path' as const, path: path.join(PARITY_DIR, 'mask.png') } }],
      outputs: [{ kind: 'alpha' as const, depth: 16 as const }],
      outDir: path.join(footage, outDir),
      model: model.dir,
      settings: { warmup: 1 },
    });
    const instance = 'e2e-panel-0001';

    let host: Served = await serve(args(), env);
    let jobId = '';
    let doneBeforeKill = 0;
    try {
      const panel = await connect(host.url, host.token, instance);
      const progressed = when(panel, 'jobProgress', () => jobId, (p) => p.phase === 'matte' && p.frame >= 12);
      ({ jobId } = await panel.call('submitMatte', request('killed')));
      await progressed;
    } finally {
      host.child.kill('SIGKILL');
      await host.exited;
    }
    const alphas = jobAlphaDir(jobId);
    const survived = frameFiles(alphas).map((f) => ({ f, mtime: fs.statSync(path.join(alphas, f)).mtimeMs }));
    doneBeforeKill = survived.length;
    expect(doneBeforeKill).toBeGreaterThanOrEqual(12);

    host = await serve(args(), env);
    try {
      // The same panel reconnects (same instance id) and sees its job finish.
      const panel = await connect(host.url, host.token, instance);
      const finished = when(panel, 'jobFinished', () => jobId);
      const state = (await panel.call('getJob', { jobId })).state;
      expect(['queued', 'running', 'finished']).toContain(state);
      if (state !== 'finished') await finished;
      expect(frameFiles(alphas)).toHaveLength(36);
      // Frames finished before the kill were neither recomputed nor rewritten (at most the one in flight).
      const rewritten = survived.filter(({ f, mtime }) => fs.statSync(path.join(alphas, f)).mtimeMs !== mtime);
      expect(rewritten.length).toBeLessThanOrEqual(1);

      // The same job, uninterrupted, on the same host.
      const reference = when(panel, 'jobFinished', () => referenceId);
      let referenceId = '';
      ({ jobId: referenceId } = await panel.call('submitMatte', request('reference')));
      await reference;
      const referenceAlphas = jobAlphaDir(referenceId);
      for (const f of frameFiles(referenceAlphas)) expect(fs.readFileSync(path.join(alphas, f)).equals(fs.readFileSync(path.join(referenceAlphas, f)))).toBe(true);
      panel.close();
    } finally {
      host.child.kill('SIGTERM');
      await host.exited;
    }
  }, 300_000);
});
