import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type { BridgeClient } from '../../bridge/client';
import type { EventName } from '../../bridge/protocol';
import { FakeJobService, RawClient, startTestHost, TestHost } from '../support/bridge-host';
import { makeTestClip } from '../support/video-fixtures';

const PNG_MASK = { kind: 'box', x: 1, y: 1, width: 10, height: 10 } as const;

/** Collects a client's events in order. */
function record(client: BridgeClient): { event: EventName; data: { jobId: string } }[] {
  const seen: { event: EventName; data: { jobId: string } }[] = [];
  for (const event of ['jobQueued', 'jobStarted', 'jobProgress', 'jobFinished', 'jobFailed', 'jobCancelled'] as const) client.on(event, (data) => seen.push({ event, data }));
  return seen;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bridge methods', () => {
  let base: string;
  let root: string;
  let clip: string;
  let jobs: FakeJobService;
  let host: TestHost;
  beforeAll(async () => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-methods-')));
    root = path.join(base, 'footage');
    fs.mkdirSync(path.join(base, 'outside'), { recursive: true });
    fs.mkdirSync(root);
    clip = makeTestClip(path.join(root, 'clip.mp4'), { size: '320x180', frames: 5, codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
    fs.writeFileSync(path.join(root, 'mask.png'), await sharp({ create: { width: 32, height: 18, channels: 3, background: "#ffffff" } }).png().toBuffer());
    fs.writeFileSync(path.join(base, 'outside', 'mask.png'), '');
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'out-link'));
    jobs = new FakeJobService({ frames: 4 });
    host = await startTestHost({ roots: [root], jobs });
  });
  afterAll(async () => {
    await host.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test("a job's events go to its owner's connections only", async () => {
    const panel = await host.client({ name: 'premiere', instance: 'panel-instance-1' });
    const sameInstance = await host.client({ name: 'premiere', instance: 'panel-instance-1' });
    const stranger = await host.client({ name: 'photoshop' });
    const [mine, twin, theirs] = [record(panel), record(sameInstance), record(stranger)];
    const { jobId } = await panel.call('submitMatte', { media: clip, targets: [{ mask: PNG_MASK }], outputs: [{ kind: 'prores4444' }] });
    await until(() => mine.some((e) => e.event === 'jobFinished'));
    expect(mine.map((e) => e.event)).toEqual(['jobQueued', 'jobStarted', 'jobProgress', 'jobProgress', 'jobProgress', 'jobProgress', 'jobFinished']);
    expect(mine.every((e) => e.data.jobId === jobId)).toBe(true);
    await until(() => twin.length === mine.length);
    expect(theirs).toEqual([]);
    await expect(stranger.call('getJob', { jobId })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(await panel.call('getJob', { jobId })).toMatchObject({ jobId, state: 'finished' });
    for (const c of [panel, sameInstance, stranger]) c.close();
  });

  test('a frame folder under a root whose frame links outside the roots is PATH_NOT_ALLOWED (frame sources follow links)', async () => {
    const frames = path.join(root, 'frames');
    fs.mkdirSync(frames);
    const png = await sharp({ create: { width: 32, height: 18, channels: 3, background: '#808080' } }).png().toBuffer();
    fs.writeFileSync(path.join(frames, 'frame_0000.png'), png);
    fs.writeFileSync(path.join(base, 'outside', 'secret_0001.png'), png);
    const client = await host.client();
    const before = jobs.submitted.length;
    const submit = () => client.call('submitMatte', { media: frames, targets: [{ mask: PNG_MASK }], outputs: [{ kind: 'prores4444' }] });
    // A link that stays inside the roots is fine.
    fs.symlinkSync(path.join(frames, 'frame_0000.png'), path.join(frames, 'frame_0001.png'));
    await submit();
    expect(jobs.submitted.length).toBe(before + 1);
    fs.rmSync(path.join(frames, 'frame_0001.png'));
    fs.symlinkSync(path.join(base, 'outside', 'secret_0001.png'), path.join(frames, 'frame_0001.png'));
    await expect(submit()).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(client.call('getPreview', { media: frames, frame: 1 })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(jobs.submitted.length).toBe(before + 1);
    client.close();
  });

  test('paths reach the jobs layer checked and real; any path outside is PATH_NOT_ALLOWED and nothing is submitted', async () => {
    const client = await host.client();
    const before = jobs.submitted.length;
    await client.call('submitMatte', {
      media: `${root}//clip.mp4`,
      outDir: path.join(root, 'new', 'out'),
      model: 'matanyone2',
      targets: [{ mask: { kind: 'path', path: path.join(root, 'mask.png') } }, { mask: PNG_MASK }],
      outputs: [{ kind: 'alpha', depth: 16 }],
    });
    expect(jobs.submitted[before].params).toMatchObject({ media: clip, outDir: path.join(root, 'new', 'out'), model: 'matanyone2', targets: [{ mask: { kind: 'path', path: path.join(root, 'mask.png') } }, { mask: PNG_MASK }] });
    const submit = (params: Record<string, unknown>) =>
      client.call('submitMatte', { media: clip, targets: [{ mask: PNG_MASK }], outputs: [{ kind: 'prores4444' }], ...params } as never);
    const attempts = [
      { media: path.join(base, 'outside', 'mask.png') },
      { media: `${root}/../outside/mask.png` },
      { outDir: path.join(root, 'out-link', 'x') },
      { outDir: '/etc' },
      { model: path.join(base, 'outside', 'weights.pth') },
      { model: 'weights.pth' },
      { targets: [{ mask: { kind: 'path', path: path.join(root, 'out-link', 'mask.png') } }] },
      // no outDir: the default, next to the media, would be beside the root folder itself
      { media: root },
    ];
    for (const params of attempts) await expect(submit(params)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED', message: expect.stringMatching(/outside the folders|"\.\."|absolute/) });
    expect(jobs.submitted.length).toBe(before + 1);
    const { jobId } = await submit({});
    expect(jobs.submitted[before + 1].params).toMatchObject({ outDir: path.join(root, 'clip.matanyone') });
    await expect(client.call('correctMask', { jobId, frame: 2, mask: { kind: 'path', path: '/etc/passwd' } })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(await client.call('correctMask', { jobId, frame: 2, mask: { kind: 'path', path: path.join(root, 'mask.png') } })).toEqual({ jobId, fromFrame: 2 });
    client.close();
  });

  test('getPreview: one frame as a PNG scaled to maxSize, with the source size and rate', async () => {
    const client = await host.client();
    const preview = await client.call('getPreview', { media: clip, frame: 3, maxSize: 160 });
    expect(preview).toMatchObject({ width: 160, height: 90, sourceWidth: 320, sourceHeight: 180, frameRate: { num: 25, den: 1 } });
    const meta = await sharp(Buffer.from(preview.png, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 160, 90]);
    expect((await client.call('getPreview', { media: clip })).width).toBe(320);
    await expect(client.call('getPreview', { media: clip, frame: 99 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/frame 99 is past the end/) });
    await expect(client.call('getPreview', { media: '/etc/hostname' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(client.call('getPreview', { media: path.join(root, 'mask.png', 'x') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    client.close();
  });

  test('a bug in the jobs layer is INTERNAL with a log id; the host goes on', async () => {
    const client = await host.client();
    const original = jobs.list;
    jobs.list = () => {
      throw new TypeError('boom');
    };
    try {
      const error = await client.call('listJobs', {}).catch((e: { code: string; message: string }) => e);
      expect(error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/internal error in the MatAnyone host \(log id bug\d+\)/) });
      const id = /log id (\w+)/.exec((error as { message: string }).message)![1];
      expect(host.log.bugs.find((b) => b.startsWith(`[${id}]`))).toMatch(/listJobs: TypeError: boom\n\s+at /);
    } finally {
      jobs.list = original;
    }
    expect(await client.call('listJobs', {})).toEqual({ jobs: expect.any(Array) });
    client.close();
  });

  test('a flood is answered RATE_LIMITED beyond the burst, each with its request id', async () => {
    const c = await RawClient.paired(host.server.bridgeUrl, host.token);
    for (let i = 0; i < 400; i++) c.request('listJobs', {}, i);
    await c.waitFor(400);
    const limited = c.responses.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED');
    expect(c.responses).toHaveLength(400);
    // beyond the burst of 200 the bucket refuses; within it, more than 64 at once are refused as busy
    expect(limited.length).toBeGreaterThanOrEqual(200);
    expect(c.responses.filter((r) => r.ok).length).toBeGreaterThanOrEqual(64);
    expect(limited.length + c.responses.filter((r) => r.ok).length).toBe(400);
    expect(new Set(c.responses.map((r) => r.id)).size).toBe(400);
    c.close();
  });
});
