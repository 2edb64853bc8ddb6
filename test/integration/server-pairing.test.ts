import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BridgeError } from '../../bridge/client';
import { PROTOCOL_VERSION } from '../../bridge/protocol';
import { configDir, loadOrCreateToken, readHostConfig, writeHostConfig } from '../../native-host/server/host-config';
import { RawClient, startTestHost, TestHost } from '../support/bridge-host';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('pairing token', () => {
  let dir: string;
  beforeEach(() => (dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-pairing-')), 'config')));
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  test('created on first start (file 0600, folder 0700), the same token on the second', () => {
    const first = loadOrCreateToken(dir);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.file).toBe(path.join(dir, 'token'));
    expect(mode(first.file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    const second = loadOrCreateToken(dir);
    expect(second).toEqual({ token: first.token, file: first.file, created: false, warning: undefined });
    expect(fs.readdirSync(dir)).toEqual(['token']);
  });

  test('a token file others can read is made private again, and the log says so', () => {
    const { token, file } = loadOrCreateToken(dir);
    fs.chmodSync(file, 0o644);
    const again = loadOrCreateToken(dir);
    expect(again.token).toBe(token);
    expect(again.warning).toMatch(/was readable by other users \(mode 644\); it is now 600/);
    expect(mode(file)).toBe(0o600);
  });

  test("a token file of another user, or one that holds no token, is refused with what to do", () => {
    const { file } = loadOrCreateToken(dir);
    fs.writeFileSync(file, 'short\n');
    expect(() => loadOrCreateToken(dir)).toThrow(/does not hold a pairing token; delete it/);
    if (process.getuid?.() === 0) {
      fs.chownSync(file, 4242, 4242);
      expect(() => loadOrCreateToken(dir)).toThrow(/belongs to another user \(uid 4242\)/);
    }
  });

  test('config folder: $MATANYONE_CONFIG, XDG, macOS and Windows locations', () => {
    expect(configDir({ env: { MATANYONE_CONFIG: '/srv/mc' }, platform: 'linux', homedir: '/home/ana' })).toBe('/srv/mc');
    expect(configDir({ env: {}, platform: 'linux', homedir: '/home/ana' })).toBe('/home/ana/.config/matanyone');
    expect(configDir({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', homedir: '/home/ana' })).toBe('/x/matanyone');
    expect(configDir({ env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', homedir: '/home/ana' })).toBe('/home/ana/.config/matanyone');
    expect(configDir({ env: {}, platform: 'darwin', homedir: '/Users/ana' })).toBe('/Users/ana/Library/Application Support/matanyone');
    expect(configDir({ env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, platform: 'win32', homedir: 'C:\\Users\\ana' })).toBe('C:\\Users\\ana\\AppData\\Roaming\\matanyone');
  });

  test('config.json: defaults when missing, written and read back, a wrong field named', () => {
    expect(readHostConfig(dir)).toEqual({ port: 47860, allowedRoots: [], concurrency: 1, maxQueued: 32 });
    writeHostConfig(dir, { port: 47861, allowedRoots: ['/data'], concurrency: 2, maxQueued: 4 });
    expect(readHostConfig(dir)).toEqual({ port: 47861, allowedRoots: ['/data'], concurrency: 2, maxQueued: 4 });
    expect(mode(path.join(dir, 'config.json'))).toBe(0o600);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"port": "x"}');
    expect(() => readHostConfig(dir)).toThrow(/config\.json: port: .*fix it or delete it/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{');
    expect(() => readHostConfig(dir)).toThrow(/config\.json is not JSON/);
  });
});

describe('the host without and with the token', () => {
  let host: TestHost;
  beforeAll(async () => (host = await startTestHost()));
  afterAll(() => host.close());

  test('GET /health answers without a token; /version gives the protocol', async () => {
    const health = await fetch(`${host.server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBe('*');
    expect(await health.json()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(await (await fetch(`${host.server.url}/version`)).json()).toEqual({ version: expect.any(String), protocol: PROTOCOL_VERSION });
    expect((await fetch(`${host.server.url}/jobs`)).status).toBe(404);
    expect((await fetch(`${host.server.url}/health`, { method: 'POST' })).status).toBe(405);
  });

  test('any method before hello is UNAUTHORIZED, with its request id', async () => {
    const c = await RawClient.open(host.server.bridgeUrl);
    c.request('listJobs', {}, 7);
    c.request('submitMatte', { media: '/x' }, 'a');
    c.request('getPreview', 'not even params', 9);
    await c.waitFor(3);
    expect(c.responses.map((r) => [r.id, !r.ok && r.error.code])).toEqual([
      [7, 'UNAUTHORIZED'],
      ['a', 'UNAUTHORIZED'],
      [9, 'UNAUTHORIZED'],
    ]);
    expect(!c.responses[0].ok && c.responses[0].error.message).toMatch(/send hello with the pairing token first/);
    c.close();
  });

  test('hello with a wrong token is UNAUTHORIZED; the typed client rejects with a BridgeError', async () => {
    const error = await host.client({ token: 'x'.repeat(43) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/wrong pairing token/) });
  });

  test('another protocol version is told so, naming both and the side to update', async () => {
    const c = await RawClient.open(host.server.bridgeUrl);
    c.request('hello', { token: host.token, protocol: 1, client: { name: 'old' } }, 1);
    c.request('hello', { token: host.token, protocol: PROTOCOL_VERSION + 1, client: { name: 'new' } }, 2);
    await c.waitFor(2);
    expect(c.responses).toEqual([
      { type: 'response', id: 1, ok: false, error: { code: 'PROTOCOL_VERSION', message: 'this host speaks protocol 2; the panel speaks 1: update the panel' } },
      { type: 'response', id: 2, ok: false, error: { code: 'PROTOCOL_VERSION', message: expect.stringMatching(/^this host speaks protocol 2; the panel speaks 3: update the host/) } },
    ]);
    c.close();
  });

  test('after 5 refused messages without a successful hello the connection is closed (1008)', async () => {
    const c = await RawClient.open(host.server.bridgeUrl);
    for (let i = 0; i < 7; i++) c.request('hello', { token: `wrong-token-${i}`, protocol: PROTOCOL_VERSION, client: { name: 'guess' } }, i);
    expect(await c.closed).toEqual({ code: 1008, reason: 'too many failed attempts' });
    expect(c.responses).toHaveLength(5);
    expect(c.responses.every((r) => !r.ok && r.error.code === 'UNAUTHORIZED')).toBe(true);
  });

  test('a connection that does not say hello in time is closed (1008)', async () => {
    const quick = await startTestHost({ limits: { helloTimeoutMs: 100 } });
    try {
      const c = await RawClient.open(quick.server.bridgeUrl);
      expect(await c.closed).toEqual({ code: 1008, reason: 'no hello in time' });
    } finally {
      await quick.close();
    }
  });

  test('the right token works: the client gets its id and can call methods; a second hello is refused', async () => {
    const client = await host.client({ name: 'premiere-panel', instance: 'abcdefgh1234' });
    expect(client.clientId).toBe('premiere-panel:abcdefgh1234');
    expect(client.hostVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(await client.call('listJobs', {})).toEqual({ jobs: [] });
    await expect(client.call('hello', { token: host.token, protocol: PROTOCOL_VERSION, client: { name: 'again' } })).rejects.toMatchObject({
      code: 'BAD_MESSAGE',
      message: 'hello was already sent on this connection',
    });
    const other = await host.client({ name: 'premiere-panel' });
    expect(other.clientId).toMatch(/^premiere-panel:[A-Za-z0-9_-]{12}$/);
    client.close();
    other.close();
  });
});
