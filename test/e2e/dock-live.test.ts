import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { fixtureModel } from '../support/engine-fixture';
import { ObsHarness } from '../support/obs-harness';
import { CHROMIUM, drag, freePort, showsText } from '../support/panel-page';
import { PARITY_DIR } from '../support/parity-fixture';
import { serve, type Served } from '../support/serve-host';
import { ffmpeg } from '../support/video-fixtures';

/** Mean |difference| of the RGB channels of a straight-RGBA picture and an image file of the same size. */
async function meanRgbDistance(rgba: Buffer, file: string): Promise<number> {
  const rgb = await sharp(file).removeAlpha().raw().toBuffer();
  let sum = 0;
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) for (let c = 0; c < 3; c++) sum += Math.abs(rgba[p + c] - rgb[q + c]);
  return sum / rgb.length;
}

/**
 * The OBS dock end to end: the page as `matanyone serve` serves it at /dock/, in headless Chromium (Debian's),
 * against the real host (engine on the fixture model, ffmpeg) and a real OBS Studio under Xvfb. What a
 * streamer does: pair, point it at OBS, pick a looped clip, draw the subject on its first frame, start; watch
 * the figures; re-mask with strokes on the current frame; stop.
 */
describe('the OBS dock in Chromium against matanyone serve and OBS', () => {
  let tmp: string;
  let clip: string;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let obs: ObsHarness;
  let host: Served;
  let serveArgs: string[];
  let serveEnv: Record<string, string>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const sent: { method: string; params: unknown }[] = [];
  const lastSent = (method: string) => sent.filter((m) => m.method === method).at(-1)?.params as Record<string, any>;
  /** Where the screenshot of the running dock goes (for the notes; `out/` is not tracked). */
  const SCREENSHOTS = path.join(__dirname, '../../out/screenshots');
  /** A stand-in for the streamer's camera in the OBS scene: the dock hides it while the matte shows. */
  const CAMERA = 'Camera';

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dock-e2e-')));
    const env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
    fs.mkdirSync(env.HOME);
    // The fixture's 12 frames (426×240) as a clip; the session plays it in a loop, as a camera would run on.
    clip = path.join(tmp, 'footage', 'studio.mp4');
    fs.mkdirSync(path.dirname(clip));
    ffmpeg(['-framerate', '12', '-i', path.join(PARITY_DIR, 'frame_%04d.png'), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv444p', clip]);
    [model, obs] = await Promise.all([fixtureModel(), ObsHarness.start({ width: 640, height: 360 })]);
    await obs.admin.call('CreateInput', { sceneName: 'Scene', inputName: CAMERA, inputKind: 'color_source_v3', inputSettings: { color: 0xff3060c0, width: 640, height: 360 }, sceneItemEnabled: true });
    serveArgs = ['--port', String(await freePort()), '--ep', 'cpu', '--data', path.join(tmp, 'data'), '--allow', tmp, '--model', model.dir];
    serveEnv = env;
    host = await serve(serveArgs, serveEnv);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    // About the width of an OBS dock.
    page = await browser.newPage({ viewport: { width: 420, height: 1400 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // What the dock sends on the bridge, to check the drawn shapes arrive in source frame pixels.
    page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { method?: string; params?: unknown };
        if (message.method) sent.push({ method: message.method, params: message.params });
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (host) {
      host.child.kill('SIGTERM');
      await host.exited;
    }
    await obs?.stop();
    model?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(() => expect(pageErrors).toEqual([]));

  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  const cameraShown = async () => {
    const { sceneItemId } = await obs.admin.call('GetSceneItemId', { sceneName: 'Scene', sourceName: CAMERA });
    return (await obs.admin.call('GetSceneItemEnabled', { sceneName: 'Scene', sceneItemId })).sceneItemEnabled;
  };
  const distance = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  /** Waits until `read` gives a value that passes `ok`; fails with the last value. */
  const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  test('pairing: asks for the token, refuses a wrong one, connects with the right one', async () => {
    await page.goto(`${host.url}/dock/`);
    await showsText(page.locator('#host-status'), 'Paste the pairing token');
    expect(await page.locator('#live').isHidden()).toBe(true);
    await page.fill('#token-input', 'not-the-token');
    await page.click('#pair');
    await showsText(page.locator('#host-status'), 'The host refused the pairing token');
    await page.fill('#token-input', host.token);
    await page.click('#pair');
    await showsText(page.locator('#host-status'), 'Connected to the MatAnyone host');
    await showsText(page.locator('#live-state'), 'Not running');
    expect(await text('#obs-status')).toBe('not connected');
    // Start waits for an input, and says so.
    expect(await page.locator('#start').isDisabled()).toBe(true);
    expect(await text('#start-hint')).toBe('Give the video file to play in a loop.');
  });

  test('start: OBS address, a looped clip, a box drawn on its first frame; live with figures, the camera hidden in OBS', async () => {
    await page.fill('#obs-url', obs.url);
    await page.fill('#obs-password', obs.password);
    await page.fill('#input-path', clip);
    await page.fill('#hide-source', CAMERA);
    await page.check('input[name="mask-kind"][value="draw"]');
    expect(await page.locator('#start').isDisabled()).toBe(true);
    expect(await text('#start-hint')).toBe('Show the first frame and draw the subject on it.');
    await page.click('#show-first-frame');
    await showsText(page.locator('#drawing-title'), 'First frame: draw the subject');
    const canvas = page.locator('#frame-canvas');
    // The first frame at its own size (426×240 is under the dock's 960 limit).
    expect([await canvas.getAttribute('width'), await canvas.getAttribute('height')]).toEqual(['426', '240']);
    const box = (await canvas.boundingBox())!;
    const at = (x: number, y: number): [number, number] => [(x * box.width) / 426, (y * box.height) / 240];
    await drag(page, '#frame-canvas', [at(110, 20), at(320, 230)]);
    await showsText(page.locator('#drawing-hint'), 'Ready: press Start.');
    await page.click('#start');

    const start = lastSent('startLive');
    expect(start).toMatchObject({ obs: { url: obs.url, password: obs.password }, input: { kind: 'file', path: clip }, hideSource: CAMERA });
    expect(start.mask.kind).toBe('drawing');
    expect(start.mask.shapes).toHaveLength(1);
    const drawn = start.mask.shapes[0];
    expect(drawn.type).toBe('box');
    // Within a pixel of the corners dragged (the canvas is shown scaled to the dock's width).
    for (const [key, value] of Object.entries({ x: 110, y: 20, width: 210, height: 210 })) expect(Math.abs(drawn[key] - value)).toBeLessThanOrEqual(1.5);

    await showsText(page.locator('#live-state'), `Live: ${clip} (426×240)`, 180_000);
    expect(await text('#obs-status')).toBe('connected');
    expect(await page.locator('#drawing').isHidden()).toBe(true);
    // The figures come about once a second from the host's liveStatus events.
    const frames = await until(async () => Number(await text('#stat-frames')), (n) => n >= 3, 60_000);
    expect(frames).toBeGreaterThanOrEqual(3);
    expect(Number(await text('#stat-fps'))).toBeGreaterThan(0);
    expect(await text('#stat-latency')).toMatch(/^\d+ ms$/);
    expect(await text('#stat-engine')).toMatch(/^\d+ ms$/);
    expect(await text('#stat-dropped')).toMatch(/^\d+ \/ \d+$/);
    expect(await page.locator('#start').isDisabled()).toBe(true);
    expect(await page.locator('#stop').isEnabled()).toBe(true);

    // In OBS: the matte's Media Source is in the scene and showing pictures, and the camera is hidden.
    const { inputs } = await obs.admin.call('GetInputList', { inputKind: 'ffmpeg_source' });
    expect(inputs.map((i) => i.inputName)).toContain('MatAnyone');
    expect(await cameraShown()).toBe(false);
    // Straight alpha keeps the picture's own RGB (obs-headless.md §5): once the stream plays (OBS shows
    // transparent black until then), the source shows one of the clip's frames.
    const frameFiles = Array.from({ length: 12 }, (_, i) => path.join(PARITY_DIR, `frame_${String(i).padStart(4, '0')}.png`));
    const nearest = await obs.until(async () => {
      const shot = await obs.screenshot('MatAnyone', 426, 240);
      const distance = Math.min(...(await Promise.all(frameFiles.map((f) => meanRgbDistance(shot.rgba, f)))));
      return distance < 6 ? distance : undefined;
    }, 30_000, 250);
    process.stderr.write(`dock e2e: the picture in OBS vs the nearest frame of the clip: mean |RGB difference| ${nearest.toFixed(2)}\n`);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dock-live.png'), fullPage: true });
  }, 300_000);

  test('re-mask: the current frame, a stroke drawn on it, applied without a restart', async () => {
    const framesBefore = Number(await text('#stat-frames'));
    await page.click('#remask-draw');
    await showsText(page.locator('#drawing-title'), /^Live frame \d+: draw the subject$/);
    const shownFrame = Number(/Live frame (\d+)/.exec(await text('#drawing-title'))![1]);
    expect(await page.locator('#remask-send').isDisabled()).toBe(true);
    await page.click('#tool-brush');
    const box = (await page.locator('#frame-canvas').boundingBox())!;
    const at = (x: number, y: number): [number, number] => [(x * box.width) / 426, (y * box.height) / 240];
    await drag(page, '#frame-canvas', [at(150, 60), at(200, 120), at(250, 180)]);
    await page.click('#remask-send');
    const [stroke] = lastSent('remaskLive').mask.shapes;
    expect(stroke).toMatchObject({ type: 'stroke', radius: 12 });
    expect(stroke.erase).toBeUndefined();
    expect(distance(stroke.points[0], [150, 60])).toBeLessThanOrEqual(1.5);
    expect(distance(stroke.points.at(-1), [250, 180])).toBeLessThanOrEqual(1.5);
    await showsText(page.locator('#remask-result'), /^Re-masked at live frame \d+$/, 60_000);
    const appliedAt = Number(/frame (\d+)/.exec(await text('#remask-result'))![1]);
    // Applied to a frame after the one drawn on (the session kept running meanwhile).
    expect(appliedAt).toBeGreaterThan(shownFrame);
    expect(await page.locator('#drawing').isHidden()).toBe(true);
    await showsText(page.locator('#stat-remasks'), '1', 10_000);
    // Still live, frames still coming: no restart.
    await until(async () => Number(await text('#stat-frames')), (n) => n > framesBefore + 2, 60_000);
    await showsText(page.locator('#live-state'), 'Live:');
  });

  test('stop: the session ends, OBS is let go and the camera shows again', async () => {
    await page.click('#stop');
    await showsText(page.locator('#live-state'), 'Not running', 30_000);
    expect(await text('#obs-status')).toBe('not connected');
    expect(await page.locator('#start').isDisabled()).toBe(true); // the first-frame drawing was used up: draw again or pick another mask
    expect(await page.locator('#stop').isDisabled()).toBe(true);
    expect(await page.locator('#remask-draw').isDisabled()).toBe(true);
    expect(await cameraShown()).toBe(true);
  });

  test('the host restarts: the dock says it lost it, and pairs again by itself with the kept token', async () => {
    host.child.kill('SIGTERM');
    await host.exited;
    await showsText(page.locator('#host-status'), 'Lost the MatAnyone host; reconnecting…', 10_000);
    expect(await page.locator('#pair-form').isHidden()).toBe(true);
    host = await serve(serveArgs, serveEnv);
    await showsText(page.locator('#host-status'), 'Connected to the MatAnyone host', 20_000);
    await showsText(page.locator('#live-state'), 'Not running');
    // A reload keeps the pairing too (the token is in the page's storage).
    await page.reload();
    await showsText(page.locator('#host-status'), 'Connected to the MatAnyone host', 10_000);
    expect(await page.inputValue('#input-path')).toBe(clip);
  });
});
