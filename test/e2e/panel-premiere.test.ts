import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixtureModel } from '../support/engine-fixture';
import { buildPanel, drag, freePort, openPanel, showsText, type PanelPage } from '../support/panel-page';
import { PARITY_DIR } from '../support/parity-fixture';
import { serve, type Served } from '../support/serve-host';
import { ffmpeg } from '../support/video-fixtures';
import { buildBrowserFakes } from '../support/build-fakes';
import type { FakePremiereState } from '../fakes/premierepro';

/**
 * The Premiere panel end to end: the release bundle in headless Chromium (Debian's), over the fake `premierepro`
 * and `uxp` modules, against a real `matanyone serve` (engine, SQLite, ffmpeg) on the fixture clip. What a
 * user does: pair, Matte Subject, draw, follow progress, get the matte on the track above; correct at frame 7
 * and get it replaced; cancel; and the host killed and restarted mid-job.
 */
describe('the Premiere panel in Chromium against matanyone serve', () => {
  let tmp: string;
  let port: number;
  let panelDir: string;
  let fakesScript: string;
  let clipPath: string;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let env: Record<string, string>;
  let host: Served | undefined;
  let panel: PanelPage;

  const FPS = { num: 24000, den: 1001 };
  const TICKS_PER_FRAME = 10_594_584_000n; // 254016000000 · 1001 / 24000
  const FRAMES = 36;
  /** Where the screenshot of the mask step goes (for the note; `out/` is not tracked). */
  const SCREENSHOTS = path.join(__dirname, '../../out/screenshots');

  const startHost = async () => {
    host = await serve(['--port', String(port), '--ep', 'cpu', '--data', path.join(tmp, 'data'), '--allow', tmp, '--model', model.dir], env);
    return host;
  };
  const stopHost = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!host) return;
    host.child.kill(signal);
    await host.exited;
    host = undefined;
  };

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'panel-e2e-')));
    env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
    fs.mkdirSync(env.HOME);
    port = await freePort();
    panelDir = path.join(tmp, 'plugin-dist');
    // The fixture's 12 frames three times over, at 23.976 fps, as a movie a Premiere user would have.
    clipPath = path.join(tmp, 'footage', 'interview.mp4');
    fs.mkdirSync(path.dirname(clipPath));
    ffmpeg(['-stream_loop', '2', '-framerate', '24000/1001', '-i', path.join(PARITY_DIR, 'frame_%04d.png'), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv444p', clipPath]);
    [model, fakesScript] = await Promise.all([fixtureModel(), buildBrowserFakes(path.join(tmp, 'fakes')), buildPanel(port, panelDir)]).then(([m, f]) => [m, f] as const);
  }, 300_000);

  afterAll(async () => {
    await panel?.browser.close().catch(() => undefined); // when a test failed before closing it
    await stopHost();
    model?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // ---- helpers over the page ----
  const page = () => panel.page;
  const status = () => page().locator('#host-status');
  /** The fake Premiere's state as JSON (undo stack, tracks, bins), read in the page. */
  const fake = () =>
    page().evaluate(() => {
      const s = (globalThis as unknown as { __fakePremiere: FakePremiereState }).__fakePremiere;
      return { undoStack: s.undoStack, tracks: s.tracks(), bins: s.bins() };
    });
  const undoNames = async () => (await fake()).undoStack.map((entry) => entry.name);
  const track = async (index: number) => (await fake()).tracks[index] ?? [];
  /** Source-frame pixels → a point on the mask canvas. */
  const onCanvas = async (points: [number, number][]): Promise<[number, number][]> => {
    const box = (await page().locator('#frame-area canvas').boundingBox())!;
    return points.map(([x, y]) => [(x * box.width) / 426, (y * box.height) / 240]);
  };
  const drawBoxAndStroke = async () => {
    await page().locator('#frame-area canvas').waitFor();
    await page().click('#tool-box');
    await drag(page(), '#frame-area canvas', await onCanvas([[110, 5], [330, 236]]));
    await page().click('#tool-brush');
    await drag(page(), '#frame-area canvas', await onCanvas([[200, 60], [215, 90], [230, 120]]));
  };
  let firstMatte = '';
  const newestJob = () => page().locator('#jobs .job').first();

  test('pairing: asks for the token, says when the host is offline or the token is wrong, then connects', async () => {
    panel = await openPanel({
      port,
      panelDir: path.join(panelDir, 'premierepro'),
      fakesScript,
      scenario: {
        clip: { name: 'interview', mediaPath: clipPath, frameRate: [24000, 1001], inFrame: 0, outFrame: FRAMES, startFrame: 48, motion: { Scale: 150, Rotation: 10 } },
        upperClips: [{ name: 'title', mediaPath: path.join(tmp, 'footage', 'title.mov'), track: 1, outFrame: 200 }],
      },
    });
    await showsText(status(), 'Paste the pairing token', 10_000);
    expect(await page().locator('#matte-subject').isDisabled()).toBe(true);
    await page().fill('#token-input', 'not-the-token');
    await page().click('#pair');
    await showsText(status(), 'The MatAnyone host is not running', 10_000);
    await showsText(status(), 'matanyone serve');

    await startHost();
    await showsText(status(), 'refused the pairing token', 20_000);
    await page().fill('#token-input', host!.token);
    await page().click('#pair');
    await showsText(status(), 'Connected to the MatAnyone host', 10_000);
    expect(await page().locator('#matte-subject').isEnabled()).toBe(true);
  });

  test('Matte Subject: the in-point frame, a box and a stroke, progress, and the matte placed on the first free track above', async () => {
    const undoBefore = (await undoNames()).length;
    await page().click('#matte-subject');
    await showsText(page().locator('#editor-title'), '"interview": frames 0–35');
    await drawBoxAndStroke();
    expect(await page().locator('#send').isEnabled()).toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page().screenshot({ path: path.join(SCREENSHOTS, 'panel-mask-step.png'), fullPage: true });
    await page().click('#send');

    await showsText(newestJob().locator('.progress'), /matting: frame \d+ of 36 · [\d.]+ fps/, 60_000);
    await showsText(newestJob(), 'Placed the matte on V3', 180_000);

    // V2 holds the title over the clip's span: the matte goes on V3, at the clip's start, with its Motion.
    const [matte] = await track(2);
    // Each job writes into a folder of its own next to the clip.
    expect(matte.mediaPath).toMatch(new RegExp(`^${path.join(tmp, 'footage', 'interview.matanyone')}/\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d/matte\\.mov$`));
    firstMatte = matte.mediaPath;
    expect(fs.existsSync(matte.mediaPath)).toBe(true);
    expect(BigInt(matte.startTicks)).toBe(48n * TICKS_PER_FRAME);
    expect(BigInt(matte.endTicks)).toBe(BigInt(48 + FRAMES) * TICKS_PER_FRAME);
    expect(matte.motion).toMatchObject({ Scale: 150, Rotation: 10 });
    // The bin is made once, on first use. The placement is one undo step; the Motion values are a second one,
    // because the new track item (and so its Motion) exists only once the placement's transaction has run.
    expect((await undoNames()).slice(undoBefore)).toEqual(['Create MatAnyone bin', 'Matte Subject', 'Matte Subject: Motion']);
    expect((await fake()).bins.bins.map((bin) => bin.name)).toContain('MatAnyone');
  });

  test('Correct… at frame 7: the frame with its matte, a stroke, a re-run from 7, and the placed matte replaced by a new file', async () => {
    const undoBefore = (await undoNames()).length;
    await newestJob().getByText('Correct…').click();
    await showsText(page().locator('#frame-label'), 'frame 0');
    const firstSrc = await page().locator('#frame-area img').first().getAttribute('src');
    await page().$eval('#frame-slider', (slider) => {
      // What a user's drag ends with: the value, then a change event.
      (slider as unknown as { value: string }).value = '7';
      slider.dispatchEvent(new Event('change'));
    });
    await showsText(page().locator('#send'), 'Re-run from frame 7');
    await page().waitForFunction(
      (before) => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('#frame-area img')?.getAttribute('src') !== before,
      firstSrc,
      { timeout: 20_000 },
    );
    await page().locator('#frame-area canvas').waitFor();
    await drag(page(), '#frame-area canvas', await onCanvas([[20, 200], [60, 220]]));
    await page().click('#send');

    await showsText(newestJob(), 'Replaced the matte on V3 (version 2)', 180_000);
    const onV3 = await track(2);
    expect(onV3.map((item) => item.mediaPath)).toEqual([path.join(path.dirname(firstMatte), 'matte-v2.mov')]);
    expect(onV3[0].motion).toMatchObject({ Scale: 150, Rotation: 10 });
    expect(fs.existsSync(firstMatte)).toBe(true); // the old version stays on disk
    const added = (await fake()).undoStack.slice(undoBefore);
    expect(added[0].name).toBe('Matte Subject');
    expect(added[0].actions.map((a) => a.kind).sort()).toEqual(['overwrite', 'remove']);
  });

  test('Cancel while the host works', async () => {
    await page().click('#matte-subject');
    await drawBoxAndStroke();
    await page().click('#send');
    await showsText(newestJob().locator('.progress'), /matting: frame [1-9]/, 60_000);
    await newestJob().getByText('Cancel').click();
    await showsText(newestJob(), 'cancelled', 30_000);
    expect(await track(3)).toEqual([]);
  });

  test('the host is killed mid-job and restarted: the panel reconnects and follows the job to the end', async () => {
    await page().click('#matte-subject');
    await drawBoxAndStroke();
    await page().click('#send');
    await showsText(newestJob().locator('.progress'), /matting: frame ([5-9]|\d\d) of 36/, 90_000);
    await stopHost('SIGKILL');
    await showsText(status(), 'reconnecting', 20_000);
    await startHost();
    await showsText(status(), 'Connected to the MatAnyone host', 30_000);
    // V2 has the title and V3 the first matte: a new top track (V4).
    await showsText(newestJob(), 'Placed the matte on V4', 180_000);
    expect((await track(3)).map((item) => path.basename(item.mediaPath))).toEqual(['matte.mov']);
  });

  test('Auto (person): the host finds the people on the first frame; no drawing needed', async () => {
    await page().click('#matte-subject');
    await page().locator('#frame-area canvas').waitFor();
    await page().click('#auto-mask');
    await showsText(page().locator('#message'), 'queued with the people the host finds');
    // V2 title, V3 first matte, V4 the matte of the restarted job: a new top track.
    await showsText(newestJob(), 'Placed the matte on V5', 180_000);
    expect((await track(4)).map((item) => path.basename(item.mediaPath))).toEqual(['matte.mov']);
  });

  test('a panel reload: paired again from storage, and its jobs are listed again from the host', async () => {
    const before = await page().locator('#jobs .job').count();
    await page().reload();
    await showsText(status(), 'Connected to the MatAnyone host', 20_000);
    await showsText(newestJob(), 'finished', 20_000);
    expect(await page().locator('#jobs .job').count()).toBe(before);
    expect(await page().locator('#jobs .job', { hasText: 'cancelled' }).count()).toBe(1);
    await panel.close();
  });
});
