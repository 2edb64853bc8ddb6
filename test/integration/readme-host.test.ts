import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../bridge/protocol';
import { RawClient, upgrade } from '../support/bridge-host';
import { CHROMIUM, freePort } from '../support/panel-page';
import { serve, type Served } from '../support/serve-host';

/**
 * What the README's "The host for panels" says, against a real `matanyone serve --port N` on a free port
 * (not the default 47860), with a fresh HOME and no MATANYONE_CONFIG: the token lies in the Linux default
 * config folder, the page at `/` names the bridge on the port it was served from (rendered in headless
 * Chromium), and the `Origin: null` decision: such a page may open the socket, and gets nothing without
 * the token.
 */
describe('the README on `serve`: config folder, the page at /, origins', () => {
  let tmp: string;
  let port: number;
  let host: Served;
  let bridgeUrl: string;

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-host-')));
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    do port = await freePort();
    while (port === 47860);
    const env: Record<string, string> = { HOME: home, MATANYONE_HOME: path.join(tmp, 'cache') };
    const unset = Object.keys(process.env).filter((k) => k === 'MATANYONE_CONFIG' || k.startsWith('XDG_'));
    for (const k of unset) env[k] = ''; // empty counts as unset for both
    host = await serve(['--port', String(port), '--ep', 'cpu'], env);
    bridgeUrl = `${host.url.replace('http', 'ws')}/bridge`;
  }, 120_000);

  afterAll(async () => {
    host?.child.kill('SIGTERM');
    await host?.exited;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the pairing token is created in ~/.config/matanyone on Linux, mode 0600', () => {
    if (process.platform !== 'linux') return; // the README's other defaults: readme-facts.test.ts
    expect(host.url).toBe(`http://127.0.0.1:${port}`);
    expect(host.tokenFile).toBe(path.join(tmp, 'home', '.config', 'matanyone', 'token'));
    expect(fs.statSync(host.tokenFile).mode & 0o777).toBe(0o600);
  });

  test('the page at / names the bridge at its own port, as Chromium renders it, and can reach it', async () => {
    const raw = await (await fetch(`${host.url}/`)).text();
    expect(raw).toMatch(/MatAnyone host is running/);
    expect(raw).not.toMatch(/47860|ws:\/\/127\.0\.0\.1:\d/); // no address written into the page

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      // (Chromium asks for /favicon.ico by itself; the host has none.)
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
      await page.goto(`${host.url}/`);
      const shown = `ws://127.0.0.1:${port}/bridge`;
      // Page code as strings: this file has no DOM types, and swc would rename the `ws` import inside functions.
      await page.waitForFunction(`document.getElementById('bridge-url')?.textContent === ${JSON.stringify(shown)}`, undefined, { timeout: 10_000 });
      expect(await page.locator('p').first().innerText()).toContain(`Panels connect to ${shown}`);
      // The page's own origin may open the address it shows (the token is still needed for anything).
      const answer = await page.evaluate<string>(`new Promise((resolve) => {
        const ws = new WebSocket(${JSON.stringify(shown)});
        ws.onopen = () => ws.send(JSON.stringify({ type: 'request', id: 1, method: 'listJobs', params: {} }));
        ws.onmessage = (m) => resolve(String(m.data));
        ws.onerror = () => resolve('error');
      })`);
      expect(JSON.parse(answer)).toMatchObject({ id: 1, ok: false, error: { code: 'UNAUTHORIZED' } });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('Origin: null opens the socket (UXP may send it) but gets only refusals without the token, then is closed', async () => {
    expect(await upgrade(bridgeUrl, { origin: 'https://example.com' })).toBe('HTTP 403');
    const stranger = await RawClient.open(bridgeUrl, { Origin: 'null' });
    for (let i = 1; i <= 7; i++) stranger.request('listJobs', {}, i);
    expect(await stranger.closed).toEqual({ code: 1008, reason: 'too many failed attempts' });
    expect(stranger.responses.map((r) => !r.ok && r.error.code)).toEqual(Array(5).fill('UNAUTHORIZED'));

    const panel = await RawClient.open(bridgeUrl, { Origin: 'null' });
    panel.request('hello', { token: host.token, protocol: PROTOCOL_VERSION, client: { name: 'uxp-panel' } }, 'hello');
    panel.request('listJobs', {}, 2);
    await panel.waitFor(2);
    expect(panel.responses.map((r) => [r.id, r.ok])).toEqual([
      ['hello', true],
      [2, true],
    ]);
    panel.socket.close();
  });
});
