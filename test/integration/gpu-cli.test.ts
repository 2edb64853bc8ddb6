import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { onnxruntimeLocation } from '../../native-host/gpu/onnxruntime-location';
import { GPU_PACKAGES_ENV } from '../../native-host/gpu/provider-packages';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { expectOneLineError, runCli, runCliAsync } from '../support/cli';
import { FileServer } from '../support/file-server';

/**
 * The `gpu install` command line. Only failures run through the real CLI here: a success would link test
 * libraries into this checkout's node_modules (the install itself is tested in gpu-install.test.ts).
 */
describe('matanyone gpu', () => {
  const tmp = makeTempDir();
  const bindingDir = onnxruntimeLocation().bindingDir;
  const providerFiles = () => fs.readdirSync(bindingDir).filter((f) => f.includes('providers')).sort();
  let before: string[];
  beforeAll(() => {
    before = providerFiles();
  });
  afterAll(() => tmp.cleanup());

  const packagesFile = (url: string, sha512: string) => {
    const file = path.join(tmp.dir, `packages-${sha512.slice(0, 8)}.json`);
    const { version } = onnxruntimeLocation();
    fs.writeFileSync(file, JSON.stringify({ packages: [{ onnxruntime: version, platform: `${process.platform}/${process.arch}`, name: 'Test.Gpu', url, sha512, files: { 'libonnxruntime_providers_shared.so': 'runtimes/linux-x64/native/libonnxruntime_providers_shared.so' } }] }));
    return file;
  };

  test('--help describes install; an unknown subcommand is one line', () => {
    const help = runCli(['gpu', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: matanyone gpu install \[--force\]/);
    expectOneLineError(runCli(['gpu', 'uninstall'], { env: { MATANYONE_HOME: tmp.dir } }), /gpu: unknown subcommand "uninstall"; should be: install$/);
  });

  test('a package whose checksum differs: one line, exit 1, nothing linked into node_modules', async () => {
    const server = await FileServer.start();
    try {
      server.serve('/p.nupkg', { body: randomBytes(4096) });
      const wrong = createHash('sha512').update('x').digest('hex');
      const r = await runCliAsync(['gpu', 'install'], { env: { MATANYONE_HOME: path.join(tmp.dir, 'home'), [GPU_PACKAGES_ENV]: packagesFile(server.url('/p.nupkg'), wrong) } });
      expectOneLineError(r, new RegExp(`checksum mismatch for ${server.url('/p.nupkg')}: expected sha512 ${wrong.slice(0, 16)}…, got [0-9a-f]{16}… \\(download deleted, nothing installed\\)$`));
      expect(r.stderr).toMatch(/^gpu: Test\.Gpu for onnxruntime-node /m);
      expect(providerFiles()).toEqual(before);
    } finally {
      await server.close();
    }
  });

  test('an unreachable feed: one line naming the URL and the reason', async () => {
    const r = await runCliAsync(['gpu', 'install'], {
      env: { MATANYONE_HOME: path.join(tmp.dir, 'home2'), [GPU_PACKAGES_ENV]: packagesFile('http://127.0.0.1:9/p.nupkg', createHash('sha512').update('y').digest('hex')) },
    });
    expectOneLineError(r, /download of http:\/\/127\.0\.0\.1:9\/p\.nupkg failed: connection refused by 127\.0\.0\.1:9$/);
    expect(providerFiles()).toEqual(before);
  });
});
