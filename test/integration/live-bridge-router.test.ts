import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BridgeClient } from '../../bridge/client';
import type { LiveStatus } from '../../bridge/live';
import { HOST_FEATURES } from '../../bridge/protocol';
import { failure, RawClient, startTestHost, type TestHost } from '../support/bridge-host';
import { makeTestClip } from '../support/video-fixtures';

/**
 * The live methods through a real host (the real live runner, no OBS involved): every path is held to the
 * allowed roots before anything starts, a camera must be a capture device, calls that need a running
 * session say that none runs, and no bad request takes the host down or reaches the log as a bug.
 */
describe('live methods through the host', () => {
  let base: string;
  let root: string;
  let clip: string;
  let host: TestHost;
  let dock: BridgeClient;
  const obs = { url: 'ws://127.0.0.1:9' };

  beforeAll(async () => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-live-router-')));
    root = path.join(base, 'footage');
    fs.mkdirSync(root);
    fs.mkdirSync(path.join(base, 'outside'));
    clip = makeTestClip(path.join(root, 'clip.mp4'), { size: '160x90', frames: 5, codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
    fs.copyFileSync(clip, path.join(base, 'outside', 'clip.mp4'));
    fs.writeFileSync(path.join(base, 'outside', 'mask.png'), '');
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'out-link'));
    host = await startTestHost({ roots: [root] });
    dock = await host.client({ name: 'obs-dock' });
  });
  afterAll(async () => {
    dock?.close();
    await host?.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('hello lists live; with no session the status is idle, and stop, re-mask and the frame say that none runs', async () => {
    expect(dock.hostFeatures).toEqual([...HOST_FEATURES]);
    expect(dock.hostFeatures).toContain('live');
    const status: LiveStatus = await dock.call('getLiveStatus', {});
    expect(status).toEqual({ state: 'idle', obs: { state: 'off' }, frames: 0, fps: 0, droppedIn: 0, droppedOut: 0, remasks: 0 });
    for (const call of [dock.call('stopLive', {}), dock.call('remaskLive', { mask: { kind: 'auto' } }), dock.call('getLiveFrame', {})]) {
      const error = await failure(call);
      expect(error.code).toBe('LIVE_STATE');
      expect(error.message).toMatch(/no live session is running/);
    }
  });

  test('startLive holds the input and mask files to the allowed roots before anything starts', async () => {
    const start = (input: object, mask: object = { kind: 'auto' }) => failure(dock.call('startLive', { obs, input: input as never, mask: mask as never }));
    const cases: [Promise<{ code: string; message: string }>, string, RegExp][] = [
      [start({ kind: 'file', path: path.join(base, 'outside', 'clip.mp4') }), 'PATH_NOT_ALLOWED', /is outside the folders MatAnyone may use/],
      [start({ kind: 'file', path: path.join(root, 'out-link', 'clip.mp4') }), 'PATH_NOT_ALLOWED', /outside the folders/],
      [start({ kind: 'file', path: `${root}/../outside/clip.mp4` }), 'PATH_NOT_ALLOWED', /has a "\.\." segment/],
      [start({ kind: 'file', path: 'clip.mp4' }), 'PATH_NOT_ALLOWED', /is not an absolute path/],
      [start({ kind: 'file', path: path.join(root, 'missing.mp4') }), 'INVALID_ARGUMENT', /does not exist/],
      [start({ kind: 'file', path: clip }, { kind: 'path', path: path.join(base, 'outside', 'mask.png') }), 'PATH_NOT_ALLOWED', /mask\.png" is outside the folders/],
    ];
    for (const [call, code, message] of cases) {
      const error = await call;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });

  test('a camera must be a capture device; a drawing on the live matte must wait for remaskLive', async () => {
    // On Linux only /dev nodes and indices: a path elsewhere would be a file that skipped the roots.
    for (const device of ['/etc/passwd/../video0', 'http://example.com/stream', '/home/me/clip.mp4', 'video0']) {
      const error = await failure(dock.call('startLive', { obs, input: { kind: 'camera', device }, mask: { kind: 'auto' } }));
      expect(error).toEqual({ code: 'INVALID_ARGUMENT', message: `camera "${device}" is not a capture device: give /dev/video0 (or its index, 0)` });
    }
    const drawing = { kind: 'drawing' as const, base: 'alpha' as const, shapes: [{ type: 'box' as const, x: 0, y: 0, width: 9, height: 9 }] };
    const error = await failure(dock.call('startLive', { obs, input: { kind: 'file', path: clip }, mask: drawing }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^startLive: a drawing on base 'alpha' needs a live matte/);
  });

  test('a flood of malformed live requests is answered one by one and the host goes on', async () => {
    const raw = await RawClient.paired(host.server.bridgeUrl, host.token);
    const bad: [string, unknown][] = [
      ['startLive', null],
      ['startLive', { obs: 5 }],
      ['startLive', { obs, input: { kind: 'file', path: 42 }, mask: { kind: 'auto' } }],
      ['remaskLive', { mask: 'auto' }],
      ['getLiveFrame', { maxSize: 'big' }],
      ['stopLive', []],
      ['getLiveStatus', 'now'],
    ];
    bad.forEach(([method, params], i) => raw.request(method, params, i + 1));
    await raw.waitFor(bad.length);
    expect(raw.responses.map((r) => r.ok)).toEqual(bad.map(() => false));
    expect(raw.responses.map((r) => (r.ok ? '' : r.error.code))).toEqual(bad.map(() => 'BAD_MESSAGE'));
    expect(raw.strays).toEqual([]);
    raw.request('getLiveStatus', {}, 'after');
    await raw.waitFor(bad.length + 1);
    expect(raw.responses.at(-1)).toMatchObject({ id: 'after', ok: true, result: { state: 'idle' } });
    raw.close();
    expect(host.log.bugs).toEqual([]);
  });
});
