// The UXP panel: the real webpack build (one folder per host app), its manifests, the host selection in
// plugin/host/index.ts against fake Adobe modules, and the health probe against a real local HTTP server.
// Plugin code is loaded with require() so that the root tsconfig (Node types) never compiles plugin/ (UXP types).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const DOMAINS = ['http://127.0.0.1:47860', 'ws://127.0.0.1:47860'];

interface Manifest {
  manifestVersion: number;
  id: string;
  name: string;
  version: string;
  main: string;
  host: { app: string; minVersion: string; data?: { apiVersion?: number } };
  entrypoints: Array<{ type: string; id: string; label: { default: string } }>;
  requiredPermissions: { network: { domains: string[] }; localFileSystem: string };
}

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

describe('plugin build (webpack)', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'plugin-dist-'));
    const webpackCli = require.resolve('webpack-cli/bin/cli.js', { paths: [ROOT] });
    await run(process.execPath, [webpackCli, '--mode', 'production', '--env', `outDir=${outDir}`], { cwd: ROOT });
  });

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  test.each(['premierepro', 'photoshop'])('%s: one bundle, index.html and manifest.json', (hostDir) => {
    const dir = join(outDir, hostDir);
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'index.js', 'index.js.map', 'manifest.json']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<script src="index\.js"><\/script>/);
  });

  test.each(['premierepro', 'photoshop'])('%s: host modules stay runtime requires, not bundled code', (hostDir) => {
    const bundle = readFileSync(join(outDir, hostDir, 'index.js'), 'utf8');
    for (const hostModule of ['uxp', 'premierepro', 'photoshop']) {
      expect(bundle).toMatch(new RegExp(`require\\(["']${hostModule}["']\\)`));
    }
    // A separate source map, not eval: eval needs allowCodeGenerationFromStrings in UXP.
    expect(bundle).not.toMatch(/\beval\(/);
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
  });

  test('Premiere manifest: the root manifest.json, copied unchanged', () => {
    const manifest = readManifest(join(outDir, 'premierepro', 'manifest.json'));
    expect(manifest).toEqual(readManifest(join(ROOT, 'manifest.json')));
    expect(manifest.host).toEqual({ app: 'premierepro', minVersion: '25.6.0' });
  });

  test('Photoshop manifest: same plugin for PS 25.0 (apiVersion 2) under its own id', () => {
    const premiere = readManifest(join(outDir, 'premierepro', 'manifest.json'));
    const photoshop = readManifest(join(outDir, 'photoshop', 'manifest.json'));
    expect(photoshop.host).toEqual({ app: 'PS', minVersion: '25.0.0', data: { apiVersion: 2 } });
    expect(photoshop.id).toBe(`${premiere.id}_ps`);
    const { host: _p, id: _pi, ...premiereRest } = premiere;
    const { host: _s, id: _si, ...photoshopRest } = photoshop;
    expect(photoshopRest).toEqual(premiereRest);
  });

  test.each(['premierepro', 'photoshop'])('%s manifest: v5, the panel, exact loopback domains', (hostDir) => {
    const manifest = readManifest(join(outDir, hostDir, 'manifest.json'));
    expect(manifest).toMatchObject({ manifestVersion: 5, name: 'MatAnyone', version: '0.1.0', main: 'index.html' });
    expect(Array.isArray(manifest.host)).toBe(false);
    expect(manifest.entrypoints).toEqual([
      expect.objectContaining({ type: 'panel', id: 'matteSubject', label: { default: 'Matte Subject' } }),
    ]);
    expect([...manifest.requiredPermissions.network.domains].sort()).toEqual(DOMAINS);
    expect(manifest.requiredPermissions.localFileSystem).toBe('plugin');
  });

  test('the panel probes an origin the manifest allows', () => {
    const { HOST_ORIGIN } = require('../../plugin/ui/host-status') as { HOST_ORIGIN: string };
    expect(DOMAINS).toContain(HOST_ORIGIN);
  });

  test('plugin/ type-checks against the UXP, Premiere and Photoshop types', async () => {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const typecheck = run(process.execPath, [tsc, '-p', 'plugin/tsconfig.json', '--noEmit'], { cwd: ROOT });
    await expect(typecheck).resolves.toBeDefined();
  });
});

// ---- plugin/host/index.ts with fake Adobe modules ----

interface AdapterLike {
  hostName(): string;
  selectedMedia(): Promise<unknown>;
}
interface HostIndex {
  supportedHost(uxpHostName: string): string | undefined;
  createHostAdapter(): AdapterLike;
}

/** Loads plugin/host/index.ts afresh in an app called `uxpHostName`; `required` records host modules loaded. */
function loadHostIndex(uxpHostName: string, fakes: { premierepro?: object } = {}) {
  const required: string[] = [];
  jest.resetModules();
  jest.doMock('uxp', () => ({ host: { name: uxpHostName, version: '26.0.0', uiLocale: 'en_US' } }), { virtual: true });
  jest.doMock('premierepro', () => (required.push('premierepro'), fakes.premierepro ?? {}), { virtual: true });
  jest.doMock('photoshop', () => (required.push('photoshop'), {}), { virtual: true });
  const hostIndex = require('../../plugin/host/index') as HostIndex;
  return { hostIndex, required };
}

describe('host selection (plugin/host/index.ts)', () => {
  test.each([
    ['premierepro', 'premierepro'],
    ['Premiere Pro', 'premierepro'],
    ['Photoshop', 'photoshop'],
  ])('uxp.host.name %j loads only the %s module', (uxpHostName, expected) => {
    const { hostIndex, required } = loadHostIndex(uxpHostName);
    expect(required).toEqual([]); // nothing is required before an adapter is asked for
    const adapter = hostIndex.createHostAdapter();
    expect(adapter.hostName()).toBe(expected);
    expect(required).toEqual([expected]);
  });

  test('another app gets a PanelError naming it, and no host module is required', () => {
    const { hostIndex, required } = loadHostIndex('InDesign');
    expect(hostIndex.supportedHost('InDesign')).toBeUndefined();
    expect(() => hostIndex.createHostAdapter()).toThrow(
      expect.objectContaining({
        name: 'PanelError',
        code: 'UNSUPPORTED_HOST',
        message: expect.stringContaining('"InDesign"'),
      }),
    );
    expect(required).toEqual([]);
  });

  test('Premiere: the selected clip is described from its track item and project item', async () => {
    const TICKS_PER_SECOND = 254016000000;
    const at = (seconds: number) => ({ ticks: String(seconds * TICKS_PER_SECOND) });
    const trackItem = (name: string, selected: boolean) => ({
      getName: async () => name,
      getIsSelected: async () => selected,
      getProjectItem: async () => ({ name }),
      getInPoint: async () => at(1),
      getOutPoint: async () => at(3),
      getStartTime: async () => at(10),
      getEndTime: async () => at(12),
    });
    const tracks = [[trackItem('background', false)], [trackItem('speaker', true)]];
    const sequence = {
      getVideoTrackCount: async () => tracks.length,
      getVideoTrack: async (index: number) => ({ getTrackItems: () => tracks[index] }),
    };
    const nested = new Set<string>();
    const premierepro = {
      Constants: { TrackItemType: { CLIP: 1 } },
      Project: { getActiveProject: async () => ({ getActiveSequence: async () => sequence }) },
      ClipProjectItem: {
        cast: (item: { name: string }) => ({
          isSequence: async () => nested.has(item.name),
          isMulticamClip: async () => false,
          isMergedClip: async () => false,
          isOffline: async () => false,
          getMediaFilePath: async () => `/media/${item.name}.mov`,
          getFootageInterpretation: async () => ({ getFrameRate: () => 25 }),
        }),
      },
    };
    const adapter = loadHostIndex('premierepro', { premierepro }).hostIndex.createHostAdapter();

    await expect(adapter.selectedMedia()).resolves.toEqual({
      kind: 'clip',
      name: 'speaker',
      mediaPath: '/media/speaker.mov',
      frameRate: 25,
      sourceRange: { inTicks: String(TICKS_PER_SECOND), outTicks: String(3 * TICKS_PER_SECOND) },
      timeline: {
        videoTrackIndex: 1,
        startTicks: String(10 * TICKS_PER_SECOND),
        endTicks: String(12 * TICKS_PER_SECOND),
      },
    });

    nested.add('speaker');
    await expect(adapter.selectedMedia()).rejects.toMatchObject({
      code: 'UNSUPPORTED_SELECTION',
      message: 'Clip "speaker" is a nested sequence: select a clip of a video file.',
    });
  });
});

// ---- plugin/ui/host-status.ts against a real HTTP server on loopback ----

type HostStatus = { state: 'online'; version: string } | { state: 'offline'; reason: string };
interface HostStatusModule {
  probeHost(options: {
    origin?: string;
    timeoutMs?: number;
    fetch?: (url: string) => Promise<Response>;
  }): Promise<HostStatus>;
}

describe('host health probe (plugin/ui/host-status.ts)', () => {
  const { probeHost } = require('../../plugin/ui/host-status') as HostStatusModule;
  let server: Server;
  let origin: string;
  let answer: { status: number; body: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url !== '/health') return void response.writeHead(404).end();
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const probe = () => probeHost({ origin, timeoutMs: 2000, fetch: (url) => fetch(url) });

  test('{ok: true, version} is online with that version', async () => {
    answer = { status: 200, body: JSON.stringify({ ok: true, version: '0.1.0' }) };
    await expect(probe()).resolves.toEqual({ state: 'online', version: '0.1.0' });
  });

  test('an error status or a foreign body is offline, with the reason', async () => {
    answer = { status: 503, body: '{}' };
    await expect(probe()).resolves.toEqual({ state: 'offline', reason: 'the host answered HTTP 503' });
    answer = { status: 200, body: JSON.stringify({ status: 'up' }) };
    await expect(probe()).resolves.toEqual({ state: 'offline', reason: `${origin} is not a MatAnyone host` });
  });

  test('a port nobody listens on is offline, not a throw', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const status = await probeHost({ origin: `http://127.0.0.1:${port}`, fetch: (url) => fetch(url) });
    expect(status.state).toBe('offline');
  });
});
