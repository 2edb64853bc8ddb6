import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './cli';
import { freeLoopbackPort } from '../../native-host/obs/free-port';

const run = promisify(execFile);

/** Debian's Chromium (installed by .ci/run); playwright-core never downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A free loopback port: the panel is built for the port the host will listen on, as a user would. */
export const freePort = freeLoopbackPort;

/** `npx webpack --mode production --env port=<port> --env outDir=<dir>`: the release build, for one port. */
export async function buildPanel(port: number, outDir: string): Promise<void> {
  const webpackCli = require.resolve('webpack-cli/bin/cli.js', { paths: [PROJECT_ROOT] });
  await run(process.execPath, [webpackCli, '--mode', 'production', '--env', `outDir=${outDir}`, '--env', `port=${port}`], { cwd: PROJECT_ROOT, maxBuffer: 16 << 20 });
}

export interface PanelPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * Opens the built panel in headless Chromium as if it ran in the app: the page's URL is under the host's own
 * origin (`http://127.0.0.1:<port>/panel/`, answered by the test from `panelDir`, never by the host), so the
 * bridge sees a loopback origin it accepts; `fakesScript` (the fake `uxp` / `premierepro` modules) runs before
 * the panel's index.js, as the app's modules exist before a UXP panel loads.
 */
export async function openPanel(options: { port: number; panelDir: string; fakesScript: string; scenario: unknown }): Promise<PanelPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // The page is served by route interception, so Chromium cannot tell it comes from loopback: its Local
    // Network Access checks would block the panel's WebSocket to 127.0.0.1 (UXP has no such check).
    args: ['--disable-features=LocalNetworkAccessChecks', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 380, height: 900 } });
  const prefix = `http://127.0.0.1:${options.port}/panel/`;
  await page.route(`${prefix}**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice('/panel/'.length) || 'index.html';
    if (name === 'fakes.js') return route.fulfill({ body: fs.readFileSync(options.fakesScript), contentType: 'text/javascript' });
    const file = path.join(options.panelDir, path.normalize(name));
    if (!file.startsWith(options.panelDir) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    let body = fs.readFileSync(file);
    if (name === 'index.html') body = Buffer.from(body.toString('utf8').replace('<script src="index.js">', '<script src="fakes.js"></script><script src="index.js">'));
    const type = name.endsWith('.html') ? 'text/html' : name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    // No 'unsafe-eval': code from strings throws here as it does in UXP (zod must run jitless).
    const csp = { 'Content-Security-Policy': "script-src 'self'" };
    await route.fulfill({ body, contentType: type, headers: csp });
  });
  await page.addInitScript((scenario) => {
    (globalThis as unknown as { __FAKE_PREMIERE_SCENARIO__: unknown }).__FAKE_PREMIERE_SCENARIO__ = scenario;
  }, options.scenario);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => process.env.PANEL_CONSOLE && process.stderr.write(`[panel ${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.env.PANEL_CONSOLE && process.stderr.write(`[panel error] ${e.stack ?? e.message}\n`));
  await page.goto(`${prefix}index.html`);
  return {
    browser,
    page,
    async close() {
      await browser.close();
      if (errors.length > 0) throw new Error(`the panel page threw: ${errors.join('; ')}`);
    },
  };
}

/** Drags the mouse over an element from one point to another (offsets in the element's pixels). */
export async function drag(page: Page, selector: string, points: [number, number][]): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const [first, ...rest] = points;
  await page.mouse.move(box.x + first[0], box.y + first[1]);
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(box.x + x, box.y + y, { steps: 5 });
  await page.mouse.up();
}

/**
 * Waits until the element's text contains `text` (or matches it); on timeout, fails with what it showed.
 * playwright-core has no web-first assertions (they are @playwright/test's), hence this one.
 */
export async function showsText(locator: Locator, text: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  for (;;) {
    shown = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => null)) ?? '';
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return;
    if (Date.now() > deadline) throw new Error(`expected ${String(text)} within ${timeoutMs} ms; it shows: ${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
