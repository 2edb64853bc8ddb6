import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { HostError } from '../../native-host/errors';
import { installGpuProviders, type GpuInstallOptions } from '../../native-host/gpu/provider-install';
import { relinkProviders } from '../../native-host/gpu/provider-links';
import { GPU_PACKAGES_ENV, type ProviderPackage } from '../../native-host/gpu/provider-packages';
import { publishedSha512 } from '../../native-host/gpu/published-hash';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { FileServer } from '../support/file-server';
import { writeZip } from '../support/zip-writer';

const NATIVE = 'runtimes/linux-x64/native';
// The CUDA provider is a real ELF file (onnxruntime's own binding), so the dependency check reads real
// DT_NEEDED entries; the other two are random bytes.
const CUDA_LIB = fs.readFileSync(path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin/napi-v6/linux/x64/onnxruntime_binding.node'));
const LIBS: Record<string, Buffer> = {
  'libonnxruntime_providers_shared.so': randomBytes(70_000),
  'libonnxruntime_providers_cuda.so': CUDA_LIB,
  'libonnxruntime_providers_tensorrt.so': randomBytes(150_000),
};
/** A .nupkg-shaped zip: NuGet's metadata, onnxruntime's own library (not to be taken) and the three providers. */
const NUPKG = Buffer.from(
  writeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>'), deflate: true },
    { name: 'Microsoft.ML.OnnxRuntime.Gpu.Linux.nuspec', data: Buffer.from('<package/>'), deflate: true },
    { name: `${NATIVE}/libonnxruntime.so`, data: randomBytes(50_000) },
    ...Object.entries(LIBS).map(([name, data], i) => ({ name: `${NATIVE}/${name}`, data, deflate: i !== 1 })),
  ]),
);
const SHA512 = createHash('sha512').update(NUPKG).digest('hex');
const PKG_PATH = '/v3-flatcontainer/test.gpu.linux/1.30.0/test.gpu.linux.1.30.0.nupkg';

describe('gpu install: provider libraries from a local package feed', () => {
  const tmp = makeTempDir();
  let server: FileServer;
  let n = 0;
  let home: string;
  let bindingDir: string;

  /** Writes a package list naming the local server and returns install options using it. */
  const optionsWith = (entry: Partial<ProviderPackage>): GpuInstallOptions => {
    const pkg: ProviderPackage = {
      onnxruntime: '1.30.0',
      platform: 'linux/x64',
      name: 'Test.Gpu.Linux 1.30.0',
      url: server.url(PKG_PATH),
      sha512: SHA512,
      files: Object.fromEntries(Object.keys(LIBS).map((name) => [name, `${NATIVE}/${name}`])),
      cudaProvider: 'libonnxruntime_providers_cuda.so',
      ...entry,
    };
    const file = path.join(home, 'packages.json');
    fs.writeFileSync(file, JSON.stringify({ packages: [pkg] }));
    const env = { MATANYONE_HOME: home, [GPU_PACKAGES_ENV]: file };
    return {
      env,
      location: { version: '1.30.0', bindingDir },
      platform: 'linux/x64',
      // A folder holding only a fake cuDNN: the driver is then missing, whatever this machine has.
      librarySearch: { dirs: [path.join(home, 'fake-libs')], ldconfig: false, defaultDirs: [] },
    };
  };
  const providerFiles = () => (fs.existsSync(bindingDir) ? fs.readdirSync(bindingDir).filter((f) => f.includes('providers')) : []);

  beforeEach(async () => {
    server = await FileServer.start();
    home = path.join(tmp.dir, `case-${++n}`);
    bindingDir = path.join(home, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
    fs.mkdirSync(bindingDir, { recursive: true });
    fs.mkdirSync(path.join(home, 'fake-libs'));
    fs.writeFileSync(path.join(home, 'fake-libs', 'libcudnn.so.9'), '');
  });
  afterEach(() => server.close());
  afterAll(() => tmp.cleanup());

  test('downloads, verifies, extracts only the providers into the cache, links them beside onnxruntime; npm ci is survived', async () => {
    server.serve(PKG_PATH, { body: NUPKG });
    const options = optionsWith({});
    const result = await installGpuProviders(options);

    expect(result.reused).toBe(false);
    expect(result.cacheDir).toBe(path.join(home, 'gpu', 'onnxruntime-1.30.0-linux-x64'));
    expect(fs.readdirSync(path.join(result.cacheDir, 'lib')).sort()).toEqual(Object.keys(LIBS).sort());
    expect(fs.existsSync(path.join(result.cacheDir, 'download'))).toBe(false); // the package is not kept
    expect(result.record.sha512).toBe(SHA512);
    for (const [name, bytes] of Object.entries(LIBS)) {
      const linked = path.join(bindingDir, name);
      expect(fs.lstatSync(linked).isSymbolicLink()).toBe(true);
      expect(fs.realpathSync(linked)).toBe(path.join(result.cacheDir, 'lib', name));
      expect(fs.readFileSync(linked).equals(bytes)).toBe(true);
      expect(result.links[name]).toBe('linked');
    }
    // onnxruntime's own library from the package is not taken: the npm one stays.
    expect(fs.existsSync(path.join(bindingDir, 'libonnxruntime.so'))).toBe(false);
    // The CUDA provider (here an ELF needing only system libraries and onnxruntime) needs the driver only.
    expect(result.cuda?.missing).toEqual(['libcuda.so.1']);
    expect(result.cuda?.sentence).toBe(
      'CUDA cannot run here: missing the NVIDIA driver (libcuda.so.1; https://www.nvidia.com/Download/index.aspx); install it, or add its folder to LD_LIBRARY_PATH.',
    );
    const requests = server.requests.length;

    // `npm ci`: node_modules is recreated without the links; the start-up check links them again from the cache.
    fs.rmSync(path.join(home, 'node_modules'), { recursive: true });
    fs.mkdirSync(bindingDir, { recursive: true });
    expect(providerFiles()).toEqual([]);
    const relinked = relinkProviders({ env: options.env, location: options.location });
    expect(relinked.problem).toBeUndefined();
    expect(Object.values(relinked.states ?? {})).toEqual(['linked', 'linked', 'linked']);
    for (const [name, bytes] of Object.entries(LIBS)) expect(fs.readFileSync(path.join(bindingDir, name)).equals(bytes)).toBe(true);
    // Nothing to do the second time; the installed set is reused without the network.
    expect(Object.values(relinkProviders({ env: options.env, location: options.location }).states ?? {})).toEqual(['present', 'present', 'present']);
    const again = await installGpuProviders(options);
    expect(again.reused).toBe(true);
    expect(server.requests.length).toBe(requests);
  });

  test('a wrong checksum is CHECKSUM_MISMATCH: the download is deleted and nothing is extracted or linked', async () => {
    server.serve(PKG_PATH, { body: NUPKG });
    const wrong = createHash('sha512').update('another package').digest('hex');
    const options = optionsWith({ sha512: wrong });
    const run = installGpuProviders(options);
    await expect(run).rejects.toBeInstanceOf(HostError);
    await expect(run).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: `checksum mismatch for ${server.url(PKG_PATH)}: expected sha512 ${wrong.slice(0, 16)}…, got ${SHA512.slice(0, 16)}… (download deleted, nothing installed)`,
    });
    const cacheDir = path.join(home, 'gpu', 'onnxruntime-1.30.0-linux-x64');
    expect(fs.readdirSync(path.join(cacheDir, 'download'))).toEqual([]);
    expect(fs.existsSync(path.join(cacheDir, 'lib'))).toBe(false);
    expect(fs.existsSync(path.join(cacheDir, 'install.json'))).toBe(false);
    expect(providerFiles()).toEqual([]);
    expect(relinkProviders({ env: options.env, location: options.location }).record).toBeUndefined();
  });

  test('an interrupted download keeps its bytes; the next install resumes with a Range request', async () => {
    const cut = 200_000;
    server.serve(PKG_PATH, { body: NUPKG, dropAfterBytes: cut });
    const options = optionsWith({});
    const first = installGpuProviders(options);
    await expect(first).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringMatching(/run the command again to resume$/) });
    expect(providerFiles()).toEqual([]);
    const partial = path.join(home, 'gpu/onnxruntime-1.30.0-linux-x64/download/test.gpu.linux.1.30.0.nupkg.unverified.partial');
    const kept = fs.statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(cut);

    const result = await installGpuProviders(options);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${kept}-`, 206],
    ]);
    expect(server.requests[1].bytesSent).toBe(NUPKG.length - kept);
    expect(result.record.sha512).toBe(SHA512);
    for (const [name, bytes] of Object.entries(LIBS)) expect(fs.readFileSync(path.join(bindingDir, name)).equals(bytes)).toBe(true);
  });

  test("without a pinned sha512 the package is checked against the hash nuget.org publishes in its catalog", async () => {
    server.serve(PKG_PATH, { body: NUPKG });
    const catalog = (hash: Buffer) => Buffer.from(JSON.stringify({ packageHash: hash.toString('base64'), packageHashAlgorithm: 'SHA512', packageSize: NUPKG.length }));
    server.serve('/v3/catalog0/data/test.gpu.linux.1.30.0.json', { body: catalog(Buffer.from(SHA512, 'hex')) });
    server.serve('/v3/registration/test.gpu.linux/1.30.0.json', { body: Buffer.from(JSON.stringify({ catalogEntry: server.url('/v3/catalog0/data/test.gpu.linux.1.30.0.json') })) });
    const result = await installGpuProviders(optionsWith({ sha512: undefined, registrationUrl: server.url('/v3/registration/test.gpu.linux/1.30.0.json') }));
    expect(result.record.sha512).toBe(SHA512);
    expect(server.requests.map((r) => r.path)).toEqual(['/v3/registration/test.gpu.linux/1.30.0.json', '/v3/catalog0/data/test.gpu.linux.1.30.0.json', PKG_PATH]);

    // A published hash that does not match refuses the package as a pinned one does.
    server.serve('/v3/catalog0/data/test.gpu.linux.1.30.0.json', { body: catalog(createHash('sha512').update('x').digest()) });
    await expect(
      installGpuProviders({ ...optionsWith({ sha512: undefined, registrationUrl: server.url('/v3/registration/test.gpu.linux/1.30.0.json') }), force: true }),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  test('Windows and macOS have nothing to install, and say which bundled provider runs the GPU', async () => {
    const options = optionsWith({});
    await expect(installGpuProviders({ ...options, platform: 'win32/x64' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/DirectML.*--ep dml/) });
    await expect(installGpuProviders({ ...options, platform: 'darwin/arm64' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/CoreML/) });
    await expect(installGpuProviders({ ...options, location: { version: '1.99.0', bindingDir } })).rejects.toMatchObject({
      message: expect.stringMatching(/no GPU provider package is known for onnxruntime-node 1\.99\.0 on linux\/x64 \(known: 1\.30\.0\)/),
    });
    expect(server.requests).toEqual([]);
  });

  test("nuget.org's registration hive is gzipped: the published hash is read through Content-Encoding gzip", async () => {
    const catalog = { packageHash: Buffer.from(SHA512, 'hex').toString('base64'), packageHashAlgorithm: 'SHA512', packageSize: NUPKG.length };
    const gz = http.createServer((req, res) => {
      const body = req.url === '/leaf.json' ? { catalogEntry: '/catalog.json' } : catalog;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify(body)));
    });
    await new Promise<void>((resolve) => gz.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(gz.address() as AddressInfo).port}`;
      expect(await publishedSha512(`${origin}/leaf.json`)).toEqual({ sha512: SHA512, bytes: NUPKG.length, source: `${origin}/catalog.json` });
    } finally {
      gz.closeAllConnections();
      await new Promise((resolve) => gz.close(resolve));
    }
  });
});
