import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EventData } from '../../bridge/protocol';
import { PROJECT_ROOT } from '../support/cli';
import { connect, serve } from '../support/serve-host';
import { fixtureModel } from '../support/engine-fixture';
import { ffmpeg, PARITY_A } from '../support/video-fixtures';

describe('matanyone serve', () => {
  let tmp: string;
  let env: Record<string, string>;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-serve-')));
    for (const d of ['home', 'footage']) fs.mkdirSync(path.join(tmp, d));
    env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
    model = await fixtureModel();
    ffmpeg(['-framerate', '25', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-frames:v', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv444p', '-crf', '12', path.join(tmp, 'footage', 'clip.mp4')]);
    fs.copyFileSync(path.join(PARITY_A, 'mask.png'), path.join(tmp, 'footage', 'mask.png'));
  });
  afterAll(() => {
    model.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('prints the URL and how to pair; /health answers; a paired panel runs a real job; SIGTERM exits 0', async () => {
    const footage = path.join(tmp, 'footage');
    const host = await serve(['--port', '0', '--ep', 'cpu', '--allow', footage, '--allow', path.dirname(model.dir)], env);
    try {
      expect(host.created).toBe(true);
      expect(host.tokenFile).toBe(path.join(tmp, 'config', 'token'));
      expect(fs.statSync(host.tokenFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(host.tokenFile, 'utf8').trim()).toBe(host.token);
      expect(host.stdout()).toContain(`Folders the host may use: ${path.join(tmp, 'home')}, ${footage}, ${path.dirname(model.dir)}`);
      expect(JSON.parse(fs.readFileSync(path.join(tmp, 'config', 'config.json'), 'utf8')).allowedRoots).toEqual([footage, path.dirname(model.dir)]);
      expect(await (await fetch(`${host.url}/health`)).json()).toEqual({ ok: true, version: expect.any(String) });

      const panel = await connect(host.url, host.token);
      const finished = new Promise<EventData<'jobFinished'>>((resolve, reject) => {
        panel.on('jobFinished', resolve);
        panel.on('jobFailed', (f) => reject(new Error(`${f.error.code}: ${f.error.message}`)));
      });
      const { jobId } = await panel.call('submitMatte', {
        media: path.join(footage, 'clip.mp4'),
        range: { to: 2 },
        targets: [{ mask: { kind: 'path', path: path.join(footage, 'mask.png') } }],
        outputs: [{ kind: 'alpha', depth: 8 }],
        outDir: path.join(footage, 'out'),
        model: model.dir,
        settings: { warmup: 1 },
      });
      const done = await finished;
      expect(done.jobId).toBe(jobId);
      expect(fs.readdirSync(path.join(footage, 'out', 'alpha'))).toEqual(['000000.png', '000001.png', '000002.png']);
      await expect(panel.call('getPreview', { media: '/etc/hostname' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      panel.close();
    } finally {
      host.child.kill('SIGTERM');
    }
    expect(await host.exited).toBe(0);
    expect(host.stdout()).toContain('MatAnyone host stopped');
  }, 120_000);

  test('the second start reuses the token; a wrong token gets nothing; Ctrl-C exits 0', async () => {
    const first = fs.readFileSync(path.join(tmp, 'config', 'token'), 'utf8').trim();
    const host = await serve(['--port', '0', '--ep', 'cpu'], env);
    try {
      expect(host.created).toBe(false);
      expect(host.token).toBe(first);
      await expect(connect(host.url, 'x'.repeat(43))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      host.child.kill('SIGINT');
    }
    expect(await host.exited).toBe(0);
  }, 60_000);

  test('a port in use is one line with what to do', async () => {
    const host = await serve(['--port', '0'], env);
    try {
      const port = new URL(host.url).port;
      const second = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/matanyone.js'), 'serve', '--port', port, '--data', path.join(tmp, 'data-2')], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
      let stderr = '';
      second.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise((resolve) => second.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^matanyone: error: port ${port} is in use \\(another \`matanyone serve\`\\?\\); stop it, or use --port N`, 'm'));
    } finally {
      host.child.kill('SIGTERM');
    }
    expect(await host.exited).toBe(0);
  }, 60_000);
});
