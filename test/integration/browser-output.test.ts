import * as http from 'http';
import WebSocket from 'ws';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { BrowserLiveOutput, type FrameDrawn } from '../../native-host/live/browser-output';
import { HostError } from '../../native-host/errors';
import { openSourcePage, screenshotRgba } from '../bench/browser-transport-bench';

const WIDTH = 96;
const HEIGHT = 48;
const COLOR = [200, 100, 50] as const;

/** Three vertical thirds of one colour with alpha 0, 128 and 255. */
function thirdsFrame(color: readonly number[] = COLOR): Uint8Array {
  const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) rgba.set([color[0], color[1], color[2], [0, 128, 255][Math.floor((x * 3) / WIDTH)]], (y * WIDTH + x) * 4);
  }
  return rgba;
}

function solidFrame(color: readonly number[]): Uint8Array {
  const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([color[0], color[1], color[2], 255], i);
  return rgba;
}

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pixel at (x, y) of the page as straight RGBA, transparent background kept. */
async function pixel(cdp: CDPSession, x: number, y: number): Promise<number[]> {
  return [...(await screenshotRgba(cdp, { x, y, width: 1, height: 1 }))];
}

describe('BrowserLiveOutput (frames to a page in headless Chromium, as an OBS Browser Source shows them)', () => {
  let output: BrowserLiveOutput;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  const drawn: FrameDrawn[] = [];
  let index = 0;
  const send = (rgba: Uint8Array) => output.send({ index: index++, width: WIDTH, height: HEIGHT, rgba, capturedAt: performance.now() });
  /**
   * Sends the frame again and again until the page reports one of these sends drawn, then waits until the
   * last send it took is drawn too, so that nothing is in flight afterwards; the index of the first drawn.
   */
  const show = async (rgba: Uint8Array) => {
    const first = index;
    let lastTaken = -1;
    const shown = await until(() => {
      const i = index;
      if (send(rgba)) lastTaken = i;
      return drawn.find((d) => d.index >= first)?.index;
    }, `a frame from ${first} on drawn`);
    await until(() => (drawn.some((d) => d.index === lastTaken) ? true : undefined), `frame ${lastTaken} drawn`);
    return shown;
  };

  beforeEach(async () => {
    drawn.length = 0;
    output = await BrowserLiveOutput.open();
    output.onDrawn((d) => drawn.push(d));
    ({ browser, page, cdp } = await openSourcePage(output.url, WIDTH, HEIGHT));
  });

  afterEach(async () => {
    await browser.close();
    await output.close();
  });

  it('shows each frame with its alphas over a transparent page', async () => {
    await until(() => output.state.state === 'ready', 'the page connecting');
    await show(thirdsFrame());
    const y = HEIGHT / 2;
    // the page composites (and the screenshot un-premultiplies) through 8-bit premultiplied colour: alpha is
    // exact, colour at alpha a is off by at most 255 / (2a) rounded up, 1 at alpha 128
    const opaque = await until(async () => {
      const p = await pixel(cdp, (WIDTH * 5) / 6, y);
      return p[3] === 255 ? p : undefined;
    }, 'the frame on the screenshot');
    expect(opaque).toEqual([...COLOR, 255]);
    const half = await pixel(cdp, WIDTH / 2, y);
    expect(half[3]).toBe(128);
    for (let k = 0; k < 3; k++) expect(Math.abs(half[k] - COLOR[k])).toBeLessThanOrEqual(1);
    expect((await pixel(cdp, WIDTH / 6, y))[3]).toBe(0);
  });

  it('drops frames while the page is busy, and shows the newest once it draws again', async () => {
    await until(() => output.state.state === 'ready', 'the page connecting');
    await show(solidFrame([255, 0, 0]));
    // JavaScript on the page stops at the next statement it runs: the next frame's message handler
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    const stuck = index;
    expect(send(solidFrame([0, 255, 0]))).toBe(true);
    const whilePaused = [send(solidFrame([0, 0, 255])), send(solidFrame([0, 0, 255]))];
    expect(whilePaused).toEqual([false, false]);
    await new Promise((r) => setTimeout(r, 300));
    expect(drawn.some((d) => d.index >= stuck)).toBe(false);
    expect(send(solidFrame([0, 0, 255]))).toBe(false);

    await cdp.send('Debugger.resume');
    await until(() => drawn.some((d) => d.index === stuck), 'the frame that waited drawn after resuming');
    const newest = await show(solidFrame([255, 255, 255]));
    await until(async () => ((await pixel(cdp, 10, 10))[0] === 255 && (await pixel(cdp, 10, 10))[1] === 255 ? true : undefined), 'the newest frame on the screenshot');
    // the dropped frames never reached the page
    expect(drawn.map((d) => d.index).filter((i) => i > stuck && i < newest)).toEqual([]);
  });

  it('reconnects when the page reloads and when the host restarts on the same port', async () => {
    await until(() => output.state.state === 'ready', 'the page connecting');
    await show(solidFrame([255, 0, 0]));
    await page.reload();
    await show(solidFrame([0, 255, 0]));
    await until(async () => ((await pixel(cdp, 10, 10))[1] === 255 ? true : undefined), 'a frame after the reload on the screenshot');

    const port = Number(new URL(output.url).port);
    const states: string[] = [];
    await output.close();
    output = await BrowserLiveOutput.open({ port });
    output.onDrawn((d) => drawn.push(d));
    output.onState((s) => states.push(s.state));
    expect(states).toEqual(['connecting']);
    // the page was not reloaded: it keeps retrying by itself
    await show(solidFrame([0, 0, 255]));
    expect(states).toEqual(['connecting', 'ready']);
    await until(async () => ((await pixel(cdp, 10, 10))[2] === 255 ? true : undefined), 'a frame from the restarted host on the screenshot');
  });

  it('refuses a taken or invalid port in one sentence, and pages from other origins', async () => {
    const port = Number(new URL(output.url).port);
    await expect(BrowserLiveOutput.open({ port })).rejects.toThrow(new HostError('INVALID_ARGUMENT', `Port ${port} is already in use on 127.0.0.1: choose another port for the browser source.`));
    await expect(BrowserLiveOutput.open({ port: 70000 })).rejects.toThrow(/not a TCP port/);
    const foreign = new WebSocket(`ws://127.0.0.1:${port}/frames`, { origin: 'http://evil.example' });
    const status = await new Promise<number>((resolve) => {
      foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      foreign.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
    const rebound = await new Promise<number>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: '/', headers: { host: `evil.example:${port}` } }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
    );
    expect(rebound).toBe(403);
    expect((await fetch(output.url)).status).toBe(200);
  });
});
