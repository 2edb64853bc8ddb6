// The UXP panel: the real webpack build (one folder and one .ccx per host app), its manifests and the host port
// setting, the UXP API check over the bundle (scripts/uxp-api-check.js), the host selection in
// plugin/host/index.ts against fake Adobe modules, and the health probe against a real local HTTP server.
// Plugin code is loaded with require() so that the root tsconfig (Node types) never compiles plugin/ (UXP types).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PORT } from '../../bridge/protocol';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const HOSTS = ['premierepro', 'photoshop'];
const DOMAINS = ['http://127.0.0.1:47860', 'ws://127.0.0.1:47860'];
const DOMAINS_47999 = ['http://127.0.0.1:47999', 'ws://127.0.0.1:47999'];

interface Manifest {
  manifestVersion: number;
  id: string;
  name: string;
  version: string;
  main: string;
  host: { app: string; minVersion: string; data?: { apiVersion?: number } };
  entrypoints: Array<{ type: string; id: string; label: { default: string } }>;
  requiredPermissions: { network?: { domains: string[] }; localFileSystem: string };
  featureFlags?: Record<string, unknown>;
}

interface Finding {
  file: string;
  line: number;
  column: number;
  api: string;
  source?: string;
  sourceLine?: number;
  reason?: string;
}
interface UxpApiCheck {
  FORBIDDEN: Array<{ api: string }>;
  ALLOWED: Array<{ source: string; api: string; why: string }>;
  scanText(text: string, options?: { file?: string; kind?: 'js' | 'html'; allowAlerts?: boolean }): Finding[];
  checkBuild(dir: string): { problems: Finding[]; allowed: Finding[] };
  formatFinding(finding: Finding): string;
}
const apiCheck = require('../../scripts/uxp-api-check') as UxpApiCheck;
const { writeCcx } = require('../../scripts/ccx') as { writeCcx(dir: string, ccxPath: string): string[] };

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const webpackCli = () => require.resolve('webpack-cli/bin/cli.js', { paths: [ROOT] });
/** Runs the real build (`--mode production`) with these `--env` settings. */
const build = (...env: string[]) =>
  run(process.execPath, [webpackCli(), '--mode', 'production', ...env.flatMap((setting) => ['--env', setting])], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
/** Every file under `dir`, as `/`-separated relative paths, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? filesUnder(dir, name) : [name];
    })
    .sort();
}

describe('plugin build (webpack)', () => {
  let outDir: string;
  let outDir47999: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'plugin-dist-'));
    outDir47999 = mkdtempSync(join(tmpdir(), 'plugin-dist-47999-'));
    await Promise.all([build(`outDir=${outDir}`), build(`outDir=${outDir47999}`, 'port=47999')]);
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(outDir47999, { recursive: true, force: true });
  });

  test.each(HOSTS)('%s: one bundle, index.html and manifest.json', (hostDir) => {
    const dir = join(outDir, hostDir);
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'index.js', 'index.js.map', 'manifest.json']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<script src="index\.js"><\/script>/);
  });

  test.each(HOSTS)('%s: host modules stay runtime requires, not bundled code', (hostDir) => {
    const bundle = readFileSync(join(outDir, hostDir, 'index.js'), 'utf8');
    for (const hostModule of ['uxp', 'premierepro', 'photoshop']) {
      expect(bundle).toMatch(new RegExp(`require\\(["']${hostModule}["']\\)`));
    }
    // A separate source map, not eval: eval needs allowCodeGenerationFromStrings in UXP.
    expect(bundle).not.toMatch(/\beval\(/);
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
  });

  test('Premiere manifest: the root manifest.json plus the network domains of the host port', () => {
    const root = readManifest(join(ROOT, 'manifest.json'));
    // The port is a build setting: a hand-written domain list in the root file could disagree with it.
    expect(root.requiredPermissions.network).toBeUndefined();
    const manifest = readManifest(join(outDir, 'premierepro', 'manifest.json'));
    expect(manifest).toEqual({
      ...root,
      requiredPermissions: { ...root.requiredPermissions, network: { domains: expect.any(Array) } },
    });
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

  test.each(HOSTS)('%s manifest: v5, the panel, exact loopback domains of the default port, file pickers', (hostDir) => {
    const manifest = readManifest(join(outDir, hostDir, 'manifest.json'));
    expect(manifest).toMatchObject({ manifestVersion: 5, name: 'MatAnyone', version: '0.1.0', main: 'index.html' });
    expect(Array.isArray(manifest.host)).toBe(false);
    expect(manifest.entrypoints).toEqual([
      expect.objectContaining({ type: 'panel', id: 'matteSubject', label: { default: 'Matte Subject' } }),
    ]);
    expect(DEFAULT_PORT).toBe(47860); // what `matanyone serve` listens on without --port
    expect([...manifest.requiredPermissions.network!.domains].sort()).toEqual(DOMAINS);
    // The panel picks a mask PNG with localFileSystem.getFileForOpening: "plugin" has no pickers.
    expect(manifest.requiredPermissions.localFileSystem).toBe('request');
  });

  test.each(HOSTS)('--env port=47999, %s: the manifest lists that port only, and the bundle uses it', (hostDir) => {
    const manifest = readManifest(join(outDir47999, hostDir, 'manifest.json'));
    expect([...manifest.requiredPermissions.network!.domains].sort()).toEqual(DOMAINS_47999);
    const { network: _n, ...permissions } = manifest.requiredPermissions;
    const { network: _d, ...defaultPermissions } = readManifest(join(outDir, hostDir, 'manifest.json')).requiredPermissions;
    expect(permissions).toEqual(defaultPermissions);
    // plugin/config.ts's HOST_PORT, with the DefinePlugin constant inlined.
    const bundle = readFileSync(join(outDir47999, hostDir, 'index.js'), 'utf8');
    expect(bundle).toMatch(/\bHOST_PORT = [^;\n]*\b47999\b/);
    expect(bundle).not.toMatch(/\bHOST_PORT = [^;\n]*\b47860\b/);
    expect(readFileSync(join(outDir, hostDir, 'index.js'), 'utf8')).toMatch(/\bHOST_PORT = [^;\n]*\b47860\b/);
  });

  test('plugin/config.ts built with --env port=47999: the origin and bridge URL of that port', async () => {
    // plugin/config.ts alone, through the real config's loaders and DefinePlugin, as a CommonJS module to require.
    const dir = mkdtempSync(join(tmpdir(), 'plugin-config-'));
    try {
      const script = `
        const webpack = require('webpack');
        const [config] = require('./webpack.config.js')({ port: '47999', outDir: ${JSON.stringify(dir)} }, { mode: 'production' });
        config.entry = './plugin/config.ts';
        config.output = { path: ${JSON.stringify(dir)}, filename: 'config.js', library: { type: 'commonjs2' } };
        config.plugins = config.plugins.filter((plugin) => plugin instanceof webpack.DefinePlugin);
        config.devtool = false;
        webpack(config, (error, stats) => {
          if (error || stats.hasErrors()) { console.error(error || stats.toString('errors-only')); process.exit(1); }
        });`;
      await run(process.execPath, ['-e', script], { cwd: ROOT });
      const config = require(join(dir, 'config.js')) as Record<string, unknown>;
      expect({ ...config }).toEqual({
        HOST_PORT: 47999,
        HOST_ORIGIN: 'http://127.0.0.1:47999',
        BRIDGE_URL: 'ws://127.0.0.1:47999/bridge',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('outside webpack, plugin/config.ts falls back to the host default port', () => {
    const config = require('../../plugin/config') as { HOST_PORT: number; HOST_ORIGIN: string; BRIDGE_URL: string };
    expect(config).toMatchObject({
      HOST_PORT: DEFAULT_PORT,
      HOST_ORIGIN: `http://127.0.0.1:${DEFAULT_PORT}`,
      BRIDGE_URL: `ws://127.0.0.1:${DEFAULT_PORT}/bridge`,
    });
  });

  test('the panel probes an origin the manifest allows', () => {
    const { HOST_ORIGIN } = require('../../plugin/ui/host-status') as { HOST_ORIGIN: string };
    expect(DOMAINS).toContain(HOST_ORIGIN);
  });

  test.each(['abc', '0', '70000'])('--env port=%s is refused before anything is built', async (port) => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-bad-port-'));
    try {
      await expect(build(`outDir=${dir}`, `port=${port}`)).rejects.toMatchObject({
        stderr: expect.stringContaining(`--env port=${port}: expected a port number from 1 to 65535`),
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['premierepro', 'com.matanyone.mattesubject_premierepro.ccx'],
    ['photoshop', 'com.matanyone.mattesubject_ps_PS.ccx'],
  ])('%s: %s is a ZIP of the folder, manifest.json at its root', async (hostDir, ccxName) => {
    const manifest = readManifest(join(outDir, hostDir, 'manifest.json'));
    expect(ccxName).toBe(`${manifest.id}_${manifest.host.app}.ccx`); // the name UDT's Package gives
    const ccx = join(outDir, ccxName);
    // Info-ZIP's unzip reads it: the listing, then a CRC test of every entry, then the extracted bytes.
    const { stdout: names } = await run('unzip', ['-Z1', ccx]);
    expect(names.trim().split('\n')).toEqual(['manifest.json', 'index.html', 'index.js', 'index.js.map']);
    await expect(run('unzip', ['-tq', ccx])).resolves.toMatchObject({ stdout: expect.stringContaining('No errors') });
    const extracted = mkdtempSync(join(tmpdir(), 'ccx-'));
    try {
      await run('unzip', ['-q', ccx, '-d', extracted]);
      const folder = join(outDir, hostDir);
      expect(filesUnder(extracted)).toEqual(filesUnder(folder));
      for (const name of filesUnder(folder)) {
        expect(readFileSync(join(extracted, name)).equals(readFileSync(join(folder, name)))).toBe(true);
      }
    } finally {
      rmSync(extracted, { recursive: true, force: true });
    }
  });

  test('the .ccx writer: sub-folders, empty and incompressible files, as unzip reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccx-src-'));
    try {
      const folder = join(dir, 'plugin');
      mkdirSync(join(folder, 'icons', 'dark'), { recursive: true });
      const noise = Buffer.alloc(70000);
      for (let i = 0, x = 2463534242; i < noise.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5; // xorshift32: bytes that deflate cannot shrink
        noise[i] = x & 0xff;
      }
      const files: Record<string, Buffer> = {
        'manifest.json': Buffer.from('{"id":"x"}\n'),
        'empty.txt': Buffer.alloc(0),
        'icons/dark/noise.bin': noise, // stored
        'icons/panel.svg': Buffer.from('<svg/>'.repeat(500)),
      };
      for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);
      const ccx = join(dir, 'x.ccx');
      expect(writeCcx(folder, ccx)).toEqual(['manifest.json', 'empty.txt', 'icons/dark/noise.bin', 'icons/panel.svg']);
      const { stdout: listing } = await run('unzip', ['-v', ccx]);
      expect(listing).toMatch(/^\s*70000\s+Stored\s+70000\b.*icons\/dark\/noise\.bin$/m);
      expect(listing).toMatch(/^\s*3000\s+Defl:\w\s+\d+\b.*icons\/panel\.svg$/m);
      await expect(run('unzip', ['-tq', ccx])).resolves.toMatchObject({ stdout: expect.stringContaining('No errors') });
      const out = join(dir, 'unzipped');
      await run('unzip', ['-q', ccx, '-d', out]);
      expect(filesUnder(out)).toEqual(Object.keys(files).sort());
      for (const [name, data] of Object.entries(files)) expect(readFileSync(join(out, name)).equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(HOSTS)('%s: the bundle passes the UXP API check; only zod\'s guarded code generation is allowed', (hostDir) => {
    const { problems, allowed } = apiCheck.checkBuild(join(outDir, hostDir));
    expect(problems.map(apiCheck.formatFinding)).toEqual([]);
    // Our own code is scanned strictly: every exception is a library file, and only for the Function constructor.
    for (const entry of apiCheck.ALLOWED) expect(entry.source).toMatch(/^node_modules\/zod\//);
    for (const finding of allowed) {
      expect(finding).toMatchObject({ api: 'Function constructor', source: expect.stringMatching(/^node_modules\/zod\//) });
    }
  });

  test('the API check reports each forbidden API in a sample, with its line; comments do not count', () => {
    const sample = [
      'ctx.drawImage(img, 0, 0);', // 1
      'const pixels = ctx.getImageData(0, 0, 1, 1);', // 2
      'ctx.putImageData(pixels, 0, 0);', // 3
      'const url = canvas.toDataURL("image/png");', // 4
      'canvas.toBlob((b) => b);', // 5
      'ctx.fillText("hi", 0, 0);', // 6
      'createImageBitmap(img);', // 7
      'const off = new OffscreenCanvas(1, 1);', // 8
      'root.innerHTML = \'<input type="file" accept=".png">\';', // 9
      "input.type = 'file';", // 10
      "input.setAttribute('type', 'color');", // 11
      'const blob = new Blob([bytes]);', // 12
      'const form = new FormData();', // 13
      'img.src = URL.createObjectURL(blob);', // 14
      'const text = new TextDecoder().decode(bytes);', // 15
      'const bytes = new TextEncoder().encode(text);', // 16
      'eval("1 + 1");', // 17
      'const f = new Function("return 1");', // 18
      'const F = Function; new F("");', // 19
      'setTimeout("tick()", 10);', // 20
      'const w = new Worker("w.js");', // 21
      'indexedDB.open("jobs");', // 22
      'alert("done");', // 23
      '// drawImage, new Blob([]), eval(x) and new TextDecoder() in a comment are not uses', // 24
      '/* new Function("x"); getImageData */ const fine = "ok";', // 25
      'const re = /\\/\\/ not a comment eval(/; re.test(x);', // 26: a regular expression is code
    ].join('\n');
    const findings = apiCheck.scanText(sample, { file: 'sample.js' });
    expect(findings.map((finding) => [finding.line, finding.api])).toEqual([
      [1, 'canvas drawImage'],
      [2, 'canvas getImageData'],
      [3, 'canvas putImageData'],
      [4, 'canvas toDataURL'],
      [5, 'canvas toBlob'],
      [6, 'canvas text (fillText, strokeText, measureText)'],
      [7, 'createImageBitmap'],
      [8, 'OffscreenCanvas'],
      [9, '<input type=file>'],
      [10, "input type = 'file'"],
      [11, '<input type=color>'],
      [12, 'new Blob'],
      [13, 'FormData'],
      [14, 'URL.createObjectURL'],
      [15, 'TextDecoder'],
      [16, 'TextEncoder'],
      [17, 'eval'],
      [18, 'Function constructor'],
      [19, 'Function constructor'],
      [20, 'setTimeout/setInterval with a string'],
      [21, 'Worker'],
      [22, 'indexedDB'],
      [23, 'alert/confirm/prompt'],
      [26, 'eval'],
    ]);
    // Every rule is exercised above.
    expect(new Set(findings.map((finding) => finding.api))).toEqual(new Set(apiCheck.FORBIDDEN.map((rule) => rule.api)));
    expect(apiCheck.formatFinding(findings[0])).toBe(
      'sample.js:1:5: canvas drawImage: UXP <canvas> draws basic shapes only (§7.5). ctx.drawImage(img, 0, 0);',
    );
    // alert is fine once the manifest sets featureFlags.enableAlerts.
    expect(apiCheck.scanText('alert("done");', { allowAlerts: true })).toEqual([]);
    // Markup: index.html is scanned too, HTML comments aside.
    const html = '<!-- <input type="file"> -->\n<body>\n  <input id="mask" type=file>\n</body>';
    expect(apiCheck.scanText(html, { file: 'index.html' }).map((finding) => [finding.line, finding.api])).toEqual([
      [3, '<input type=file>'],
    ]);
  });

  test('a panel that uses one fails the build, naming the bundle line, the source line and the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-forbidden-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(entry, "// getImageData in a comment is fine\nconst bytes = new TextEncoder().encode('x');\nconsole.log(bytes);\n");
      const failing = run(
        process.execPath,
        [webpackCli(), '--mode', 'production', '--env', `outDir=${join(dir, 'out')}`, '--entry-reset', '--entry', entry],
        { cwd: ROOT },
      );
      const error = (await failing.then(
        () => undefined,
        (reason: unknown) => reason,
      )) as { code?: number; stdout?: string } | undefined;
      expect(error?.code).toBe(1);
      expect(error?.stdout).toMatch(/UXP lacks an API this build uses/);
      expect(error?.stdout).toMatch(/index\.js:\d+:\d+ \([^)]*entry\.ts:2\): TextEncoder: UXP has no TextEncoder/);
      expect(error?.stdout).not.toMatch(/getImageData/);
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['photoshop', 'premierepro']); // and no .ccx
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('plugin/ type-checks against the UXP, Premiere and Photoshop types', async () => {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const typecheck = run(process.execPath, [tsc, '-p', 'plugin/tsconfig.json', '--noEmit'], { cwd: ROOT });
    // tsc prints its errors on stdout: show them, not just "Command failed".
    await expect(typecheck.then(() => '', (error: { stdout?: string }) => error.stdout ?? String(error))).resolves.toBe('');
  });
});

// ---- plugin/host/index.ts with fake Adobe modules ----

interface AdapterLike {
  hostName(): string;
}
interface HostIndex {
  supportedHost(uxpHostName: string): string | undefined;
  createHostAdapter(): AdapterLike;
}

/** Loads plugin/host/index.ts afresh in an app called `uxpHostName`; `required` records host modules loaded. */
function loadHostIndex(uxpHostName: string) {
  const required: string[] = [];
  jest.resetModules();
  jest.doMock('uxp', () => ({ host: { name: uxpHostName, version: '26.0.0', uiLocale: 'en_US' } }), { virtual: true });
  jest.doMock('premierepro', () => (required.push('premierepro'), {}), { virtual: true });
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
