import { execFile, execFileSync, spawnSync } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { RawClient, startTestHost, TestHost, upgrade } from '../support/bridge-host';

/** A raw HTTP GET (fetch would normalise `..` away), from an optional local address. */
function get(port: number, target: string, options: { host?: string; localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: options.host ?? '127.0.0.1', port, path: target, localAddress: options.localAddress, headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/**
 * A test host of our own in a network namespace (the workplace's way to have a second machine): a veth pair
 * with 10.213.<n>.1 on this side and 10.213.<n>.2 inside the namespace. Needs root and iproute2 (CI runs as
 * root); elsewhere the test is skipped with a note.
 */
function makeTestHostNamespace(): { name: string; hostSide: string; run(script: string): Promise<string>; remove(): void } | undefined {
  const n = process.pid % 200;
  const name = `matanyone-test-${process.pid}`;
  const [outer, inner] = [`mt${n}a`, `mt${n}b`];
  const sh = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    sh(['netns', 'add', name]);
    sh(['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    sh(['link', 'set', inner, 'netns', name]);
    sh(['addr', 'add', `10.213.${n}.1/24`, 'dev', outer]);
    sh(['link', 'set', outer, 'up']);
    sh(['netns', 'exec', name, 'ip', 'addr', 'add', `10.213.${n}.2/24`, 'dev', inner]);
    sh(['netns', 'exec', name, 'ip', 'link', 'set', inner, 'up']);
  } catch (e) {
    console.log(`network namespace unavailable (${(e as Error).message.split('\n')[0]}): the non-loopback test is skipped`);
    spawnSync('ip', ['link', 'del', outer]);
    spawnSync('ip', ['netns', 'del', name]);
    return undefined;
  }
  return {
    name,
    hostSide: `10.213.${n}.1`,
    // Asynchronous: the server under test runs in this process and must keep answering.
    run: async (script) => (await promisify(execFile)('ip', ['netns', 'exec', name, process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 })).stdout,
    remove: () => {
      spawnSync('ip', ['link', 'del', outer]);
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}

describe('only this computer may connect', () => {
  let host: TestHost;
  const namespace = process.getuid?.() === 0 ? makeTestHostNamespace() : undefined;
  beforeAll(async () => (host = await startTestHost({ host: '0.0.0.0' })));
  afterAll(async () => {
    await host.close();
    namespace?.remove();
  });

  (namespace ? test : test.skip)('a connection from another host (a test host in a network namespace) is closed; 127.0.0.1 works', async () => {
    const port = host.server.port;
    const outcome = async (target: string) =>
      (
        await namespace!.run(
          `require('http').get({ host: '${namespace!.hostSide}', port: ${port}, path: '${target}', agent: false }, (r) => console.log('status ' + r.statusCode))` +
            `.on('error', (e) => console.log('error ' + (e.code || e.message)))`,
        )
      ).trim();
    expect(await outcome('/health')).toMatch(/^error (ECONNRESET|socket hang up)/);
    expect(await outcome('/bridge')).toMatch(/^error (ECONNRESET|socket hang up)/);
    expect(host.log.lines.some((l) => /refused a connection from 10\.213\./.test(l))).toBe(true);
    expect((await get(port, '/health')).status).toBe(200);
    const client = await host.client();
    expect(await client.call('listJobs', {})).toEqual({ jobs: [] });
    client.close();
  });
});

describe('origins and hosts', () => {
  let host: TestHost;
  let base: string;
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-static-'));
    fs.mkdirSync(path.join(base, 'static', 'dock'), { recursive: true });
    fs.writeFileSync(path.join(base, 'static', 'index.html'), '<p>host runs</p>');
    fs.writeFileSync(path.join(base, 'static', 'dock', 'index.html'), '<p>dock</p>');
    fs.writeFileSync(path.join(base, 'static', '.secret.html'), 'dotfile');
    fs.writeFileSync(path.join(base, 'outside.html'), 'outside');
    fs.symlinkSync(path.join(base, 'outside.html'), path.join(base, 'static', 'leak.html'));
    host = await startTestHost({ staticDir: path.join(base, 'static') });
  });
  afterAll(async () => {
    await host.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('a foreign web origin cannot open the bridge; panels, no origin and our own pages can', async () => {
    const { bridgeUrl, port } = host.server;
    expect(await upgrade(bridgeUrl, { origin: 'https://evil.example' })).toBe('HTTP 403');
    expect(await upgrade(bridgeUrl, { origin: 'http://localhost:3000' })).toBe('HTTP 403');
    expect(await upgrade(bridgeUrl, { origin: `http://127.0.0.1.evil.example:${port}` })).toBe('HTTP 403');
    expect(await upgrade(bridgeUrl, { origin: 'chrome-extension://abcdef' })).toBe('HTTP 403');
    expect(host.log.lines.some((l) => l.includes('refused a WebSocket from origin https://evil.example'))).toBe(true);
    expect(await upgrade(bridgeUrl)).toBe('open');
    expect(await upgrade(bridgeUrl, { origin: 'null' })).toBe('open');
    expect(await upgrade(bridgeUrl, { origin: 'uxp://com.matanyone.mattesubject' })).toBe('open');
    expect(await upgrade(bridgeUrl, { origin: `http://127.0.0.1:${port}` })).toBe('open');
    expect(await upgrade(bridgeUrl, { origin: `http://localhost:${port}` })).toBe('open');
  });

  test('a foreign Host header (DNS rebinding) is refused; other paths are not the bridge', async () => {
    const { port } = host.server;
    expect(await upgrade(host.server.bridgeUrl, { headers: { Host: `evil.example:${port}` } })).toBe('HTTP 403');
    expect((await get(port, '/health', { headers: { Host: 'evil.example' } })).status).toBe(403);
    expect(await upgrade(`ws://127.0.0.1:${port}/other`)).toBe('HTTP 404');
    expect((await get(port, '/bridge')).status).toBe(426);
  });

  test('static pages are served, and nothing outside their folder', async () => {
    const { port } = host.server;
    expect(await get(port, '/')).toEqual({ status: 200, body: '<p>host runs</p>' });
    expect(await get(port, '/dock/')).toEqual({ status: 200, body: '<p>dock</p>' });
    expect((await get(port, '/index.html?x=1')).status).toBe(200);
    for (const target of ['/../outside.html', '/dock/../../outside.html', '/%2e%2e/outside.html', '/..%2foutside.html', '/leak.html', '/.secret.html', '/%00', '/dock%5c..%5c..%5coutside.html', '/%E0%A4%A', '/nothing.html'])
      expect([target, (await get(port, target)).status]).toEqual([target, 404]);
  });

  test('the default static folder has the placeholder page', async () => {
    const other = await startTestHost();
    try {
      const page = await get(other.server.port, '/');
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/MatAnyone host is running/);
    } finally {
      await other.close();
    }
  });

  test('unauthenticated clients get nothing but refusals, and the host stays up', async () => {
    const c = await RawClient.open(host.server.bridgeUrl, { Origin: `http://127.0.0.1:${host.server.port}` });
    c.request('listJobs', {}, 1);
    await c.waitFor(1);
    expect(c.responses[0]).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    c.close();
    expect((await get(host.server.port, '/health')).status).toBe(200);
  });
});
