import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type { BridgeClient } from '../../bridge/client';
import type { LiveStatus } from '../../bridge/live';
import { createLiveRunner } from '../../native-host/server/live-runner-impl';
import { freeLoopbackPort } from '../../native-host/obs/free-port';
import { failure, FakeJobService, memoryLog, startTestHost, type TestHost } from '../support/bridge-host';
import { fixtureModel } from '../support/engine-fixture';
import { ObsHarness } from '../support/obs-harness';
import { PARITY_DIR } from '../support/parity-fixture';
import { ffmpeg } from '../support/video-fixtures';

/** Every liveStatus event a client receives, in order. */
function statuses(client: BridgeClient): LiveStatus[] {
  const seen: LiveStatus[] = [];
  client.on('liveStatus', (s) => seen.push(s));
  return seen;
}

async function until<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Mean |difference| of a PNG's RGB and a fixture frame's (same size). */
async function distanceToFrame(png: Buffer, index: number): Promise<number> {
  const a = await sharp(png).removeAlpha().raw().toBuffer();
  const b = await sharp(path.join(PARITY_DIR, `frame_${String(index).padStart(4, '0')}.png`)).removeAlpha().raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/**
 * The live session driven through the bridge, as the dock and panels drive it: the real live runner
 * (LiveSession on the fixture model, ObsLiveOutput) against a real OBS under Xvfb. OBS problems fail
 * startLive with one sentence in seconds; a running session hands out its current frame, takes re-masks
 * (bad ones refused while it goes on), refuses a second start, and every paired client follows its status.
 */
describe('live sessions through the bridge, with OBS', () => {
  let tmp: string;
  let clip: string;
  let flat: string;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let obs: ObsHarness;
  let host: TestHost;
  let dock: BridgeClient;
  let panel: BridgeClient;
  const log = memoryLog();
  let live: ReturnType<typeof createLiveRunner>;

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'live-bridge-obs-')));
    clip = path.join(tmp, 'studio.mp4');
    ffmpeg(['-framerate', '12', '-i', path.join(PARITY_DIR, 'frame_%04d.png'), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv444p', clip]);
    flat = path.join(tmp, 'flat.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=320x180:r=12', '-frames:v', '12', '-pix_fmt', 'yuv420p', flat]);
    [model, obs] = await Promise.all([fixtureModel(), ObsHarness.start({ width: 640, height: 360 })]);
    await obs.admin.call('CreateInput', { sceneName: 'Scene', inputName: 'Camera', inputKind: 'color_source_v3', inputSettings: { color: 0xff3060c0 }, sceneItemEnabled: true });
    live = createLiveRunner({ log, providers: ['cpu'], defaultModel: model.dir, obsTimeoutMs: 2000 });
    host = await startTestHost({ roots: [tmp], jobs: new FakeJobService(), live });
    [dock, panel] = await Promise.all([host.client({ name: 'obs-dock' }), host.client({ name: 'premiere' })]);
  }, 120_000);

  afterAll(async () => {
    dock?.close();
    panel?.close();
    await host?.close();
    await live?.close();
    await obs?.stop();
    model?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('an OBS that is not listening fails startLive within seconds; every client sees starting, then failed with why', async () => {
    const seen = statuses(panel);
    const url = `ws://127.0.0.1:${await freeLoopbackPort()}`;
    const started = Date.now();
    const error = await failure(dock.call('startLive', { obs: { url }, input: { kind: 'file', path: clip }, mask: { kind: 'auto' } }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe('OBS_UNAVAILABLE');
    expect(error.message).toMatch(new RegExp(`^OBS did not answer at ${url} within 2 s \\(connect ECONNREFUSED [^()]+\\): start OBS and turn on its WebSocket server`));
    await until(() => seen.at(-1)?.state, (s) => s === 'failed');
    expect(seen[0]).toMatchObject({ state: 'starting', obs: { state: 'connecting' }, input: clip });
    expect(seen.at(-1)).toMatchObject({ state: 'failed', message: error.message });
    expect(await dock.call('getLiveStatus', {})).toMatchObject({ state: 'failed', message: error.message });
  });

  test('a wrong OBS password fails at once with the sentence that says where the right one is', async () => {
    const error = await failure(dock.call('startLive', { obs: { url: obs.url, password: 'wrong' }, input: { kind: 'file', path: clip }, mask: { kind: 'auto' } }));
    expect(error).toEqual({ code: 'OBS_UNAVAILABLE', message: `OBS at ${obs.url} refused the password: copy it from OBS (Tools → WebSocket Server Settings → Show Connect Info).` });
  });

  test('an auto first mask on a clip with nobody in it fails with NO_PERSON, leaves nothing running and the camera shown', async () => {
    const hidden: boolean[] = [];
    obs.admin.on('SceneItemEnableStateChanged', (e) => hidden.push(!e.sceneItemEnabled));
    const error = await failure(
      dock.call('startLive', { obs: { url: obs.url, password: obs.password }, input: { kind: 'file', path: flat }, mask: { kind: 'auto' }, hideSource: 'Camera' }, { timeoutMs: 120_000 }),
    );
    expect(error.code).toBe('NO_PERSON');
    // OBS hid the camera as soon as it was connected; the failed start shows it again.
    const { sceneItemId } = await obs.admin.call('GetSceneItemId', { sceneName: 'Scene', sourceName: 'Camera' });
    expect((await obs.admin.call('GetSceneItemEnabled', { sceneName: 'Scene', sceneItemId })).sceneItemEnabled).toBe(true);
    expect(hidden).toContain(true);
    expect(await dock.call('getLiveStatus', {})).toMatchObject({ state: 'failed', obs: { state: 'off' }, message: error.message });
    expect((await failure(dock.call('stopLive', {}))).code).toBe('LIVE_STATE');
  });

  test('running: one session per host, the current frame, re-masks good and bad, stop', async () => {
    const seenByPanel = statuses(panel);
    const status = await dock.call('startLive', {
      obs: { url: obs.url, password: obs.password },
      input: { kind: 'file', path: clip },
      // A box in source pixels, drawn before the first frame is read: the host rasterises it at the probed size.
      mask: { kind: 'box', x: 100, y: 10, width: 230, height: 225 },
      sourceName: 'Live matte',
    }, { timeoutMs: 120_000 });
    expect(status).toMatchObject({ state: 'running', obs: { state: 'ready' }, input: clip, width: 426, height: 240, remasks: 0 });
    expect(seenByPanel.some((s) => s.state === 'running')).toBe(true);

    const second = await failure(panel.call('startLive', { obs: { url: obs.url, password: obs.password }, input: { kind: 'file', path: flat }, mask: { kind: 'auto' } }));
    expect(second).toEqual({ code: 'LIVE_STATE', message: `a live session is already running (${clip}); stop it first (one session per host)` });

    // The current frame, at full size and scaled: one of the clip's frames.
    const full = await dock.call('getLiveFrame', {});
    expect(full).toMatchObject({ width: 426, height: 240, sourceWidth: 426, sourceHeight: 240 });
    const distances = await Promise.all(Array.from({ length: 12 }, (_, i) => distanceToFrame(Buffer.from(full.png, 'base64'), i)));
    expect(Math.min(...distances)).toBeLessThan(3);
    const small = await dock.call('getLiveFrame', { maxSize: 213 });
    expect([small.width, small.height, small.sourceWidth]).toEqual([213, 120, 426]);

    // Bad masks are refused with their sentence; the session goes on with the old one.
    const square = (await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } }).png().toBuffer()).toString('base64');
    expect((await failure(dock.call('remaskLive', { mask: { kind: 'png', data: square } }))).code).toBe('MASK_ASPECT_MISMATCH');
    const erased = await failure(dock.call('remaskLive', { mask: { kind: 'drawing', shapes: [{ type: 'box', x: 0, y: 0, width: 426, height: 240, erase: true }] } }));
    expect(erased.code).toBe('MASK_EMPTY');
    const nobody = await failure(dock.call('remaskLive', { mask: { kind: 'auto', box: { x: 415, y: 0, width: 10, height: 10 } } }));
    expect(nobody.code).toBe('NO_PERSON');
    expect((await dock.call('getLiveStatus', {})).remasks).toBe(0);

    // A stroke on the live matte (base alpha), then the people found on the frame: each applied to a later frame.
    const onMatte = await dock.call('remaskLive', { mask: { kind: 'drawing', base: 'alpha', shapes: [{ type: 'stroke', points: [[200, 100], [220, 140]], radius: 8 }] } });
    expect(onMatte.frame).toBeGreaterThan(full.frame);
    const auto = await panel.call('remaskLive', { mask: { kind: 'auto' } });
    expect(auto.frame).toBeGreaterThan(onMatte.frame);
    const after = await dock.call('getLiveStatus', {});
    expect(after).toMatchObject({ state: 'running', remasks: 2 });
    // The panel follows the same session: frames go on after the re-masks.
    await until(() => seenByPanel.at(-1)?.frames ?? 0, (n) => n > after.frames);

    const stopped = await panel.call('stopLive', {});
    expect(stopped).toMatchObject({ state: 'idle', obs: { state: 'off' }, fps: 0, remasks: 2 });
    expect((await failure(dock.call('stopLive', {}))).code).toBe('LIVE_STATE');
    expect(log.bugs).toEqual([]);
  }, 300_000);
});
