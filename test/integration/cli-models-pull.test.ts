import * as fs from 'fs';
import * as path from 'path';
import { checkpointFile, convertedModelDir } from '../../native-host/models/cache';
import { OFFICIAL_MODELS } from '../../native-host/models/registry';
import { makeTempDir, PARITY_WEIGHTS } from '../support/checkpoint-fixtures';
import { CliResult, expectOneLineError, runCliAsync } from '../support/cli';
import { FileServer } from '../support/file-server';
import { PARITY_DIR } from '../support/parity-fixture';

const WEIGHTS = fs.readFileSync(PARITY_WEIGHTS);
const PARITY_SHA256: string = JSON.parse(fs.readFileSync(path.join(PARITY_DIR, 'manifest.json'), 'utf8')).weights['weights.safetensors'].sha256;

/**
 * `matanyone models pull/list` against a local mirror (MATANYONE_DOWNLOAD_BASE_URL) that serves the parity
 * fixture checkpoint under the official file names. The official `matanyone` entry has no published
 * checksum, so it is pulled as it is; for `matanyone2` (whose real checksum the fixture cannot match) a
 * MATANYONE_REGISTRY override gives the fixture's size and sha256.
 */
describe('matanyone models pull / list', () => {
  const tmp = makeTempDir();
  let server: FileServer;
  let homes = 0;
  const newHome = () => path.join(tmp.dir, `home-${++homes}`);
  const registryWith = (entry: object) => tmp.write(`registry-${homes}-${Math.random()}.json`, Buffer.from(JSON.stringify({ models: [entry] })));
  /** Never the user's own cache or registry: every run names its home, mirror and (no) override. */
  const cli = (args: string[], env: Record<string, string>): Promise<CliResult> =>
    runCliAsync(['models', ...args], {
      env: { MATANYONE_HOME: path.join(tmp.dir, 'unused-home'), MATANYONE_DOWNLOAD_BASE_URL: server.url('/mirror/'), MATANYONE_REGISTRY: undefined, ...env },
    });

  beforeAll(async () => {
    server = (await FileServer.start()).serve('/mirror/matanyone.pth', { body: WEIGHTS }).serve('/mirror/matanyone2.pth', { body: WEIGHTS });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  describe('a model without a published checksum (matanyone)', () => {
    const home = newHome();
    const where = { env: { MATANYONE_HOME: home } };

    test('pull downloads it, verifies it by converting it, and prints the sha256 it got', async () => {
      const r = await cli(['pull', 'matanyone'], { MATANYONE_HOME: home });
      expect(r.stderr.split('\n').filter((l) => l.startsWith('matanyone:'))).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^pull: downloading matanyone\.pth +\d+% of 134\.7 MiB$/m);
      expect(r.stderr).toMatch(/^convert: \[1\/\d+\] building encode_frame$/m);
      const file = checkpointFile('matanyone.pth', where);
      const dir = convertedModelDir(PARITY_SHA256, 'fp32', where);
      expect(r.stdout).toBe(
        `matanyone: downloaded: ${file}\n` +
          `  no published checksum for matanyone.pth; the converter accepted every tensor. sha256 ${PARITY_SHA256}\n` +
          `model: ${dir} [fp32, converted]\n` +
          `licence: S-Lab License 1.0, non-commercial use only (https://github.com/pq-yang/MatAnyone/blob/main/LICENSE)\n`,
      );
      expect(fs.readFileSync(file).equals(WEIGHTS)).toBe(true);
      expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(true);
    });

    test('a second pull is served from the cache', async () => {
      const requests = server.requests.length;
      const r = await cli(['pull', 'matanyone'], { MATANYONE_HOME: home });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^matanyone: already in the cache: /);
      expect(r.stdout).toMatch(/\[fp32, up to date\]/);
      expect(server.requests.length).toBe(requests);
    });

    test('list shows the cache, what is downloaded and converted, and the licences', async () => {
      const r = await cli(['list'], { MATANYONE_HOME: home });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^cache: ${home}\n`));
      expect(r.stdout).toMatch(/^NAME +TITLE +CHECKPOINT +CONVERTED +LICENCE$/m);
      expect(r.stdout).toMatch(/^matanyone2\* +MatAnyone 2 +not downloaded +- +S-Lab License 1\.0, non-commercial use only$/m);
      expect(r.stdout).toMatch(/^matanyone +MatAnyone +downloaded \(134\.7 MiB\) +fp32 +S-Lab License 1\.0, non-commercial use only$/m);
    });

    test('a file the converter rejects is not kept', async () => {
      const home2 = newHome();
      server.serve('/junk/matanyone.pth', { body: Buffer.from('this is not a checkpoint at all') });
      const r = await cli(['pull', 'matanyone'], { MATANYONE_HOME: home2, MATANYONE_DOWNLOAD_BASE_URL: server.url('/junk/') });
      expectOneLineError(r, /matanyone\.pth/);
      expect(fs.existsSync(checkpointFile('matanyone.pth', { env: { MATANYONE_HOME: home2 } }))).toBe(false);
    });
  });

  describe('a model with a checksum (matanyone2)', () => {
    test('pull verifies the registry sha256, with fp16 conversion', async () => {
      const home = newHome();
      const MATANYONE_REGISTRY = registryWith({ ...OFFICIAL_MODELS[0], sha256: PARITY_SHA256, bytes: WEIGHTS.length });
      const r = await cli(['pull', 'matanyone2', '--precision', 'fp16'], { MATANYONE_HOME: home, MATANYONE_REGISTRY });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^pull: verifying matanyone2\.pth$/m);
      const where = { env: { MATANYONE_HOME: home } };
      expect(r.stdout).toContain(`matanyone2: downloaded, sha256 verified: ${checkpointFile('matanyone2.pth', where)}\n`);
      expect(r.stdout).toContain(`model: ${convertedModelDir(PARITY_SHA256, 'fp16', where)} [fp16, converted]\n`);
    });

    test('the official entry refuses the fixture: CHECKSUM_MISMATCH on the size, nothing kept', async () => {
      const home = newHome();
      const r = await cli(['pull', 'matanyone2'], { MATANYONE_HOME: home });
      expectOneLineError(r, new RegExp(`matanyone2\\.pth is ${WEIGHTS.length} bytes, expected 141429115: not the expected file \\(download deleted\\)$`));
      expect(fs.readdirSync(path.join(home, 'checkpoints'))).toEqual([]);
    });

    test('a wrong sha256 is CHECKSUM_MISMATCH naming expected and actual, nothing kept', async () => {
      const home = newHome();
      const wrong = '0'.repeat(64);
      const MATANYONE_REGISTRY = registryWith({ ...OFFICIAL_MODELS[0], sha256: wrong, bytes: WEIGHTS.length });
      const r = await cli(['pull', 'matanyone2'], { MATANYONE_HOME: home, MATANYONE_REGISTRY });
      expectOneLineError(r, new RegExp(`checksum mismatch for .*/mirror/matanyone2\\.pth: expected sha256 ${wrong}, got ${PARITY_SHA256} \\(download deleted\\)$`));
      expect(fs.readdirSync(path.join(home, 'checkpoints'))).toEqual([]);
    });

    test('a broken download fails with one line and the next pull resumes it', async () => {
      const home = newHome();
      const MATANYONE_REGISTRY = registryWith({ ...OFFICIAL_MODELS[0], sha256: PARITY_SHA256, bytes: WEIGHTS.length });
      server.serve('/flaky/matanyone2.pth', { body: WEIGHTS, dropAfterBytes: 40 * 1024 * 1024 });
      const env = { MATANYONE_HOME: home, MATANYONE_REGISTRY, MATANYONE_DOWNLOAD_BASE_URL: server.url('/flaky/') };
      expectOneLineError(await cli(['pull', 'matanyone2'], env), /failed: connection lost after \d+ of \d+ bytes; \d+ bytes kept, run the command again to resume$/);
      const r = await cli(['pull', 'matanyone2'], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/\(resumed at \d+\.\d MiB\)/);
      const flaky = server.requests.filter((q) => q.path === '/flaky/matanyone2.pth');
      expect(flaky.map((q) => q.status)).toEqual([200, 206]);
      expect(flaky[1].range).toMatch(/^bytes=\d+-$/);
      expect(flaky[1].bytesSent).toBe(WEIGHTS.length - Number(/bytes=(\d+)-/.exec(flaky[1].range!)![1]));
      expect(fs.readFileSync(checkpointFile('matanyone2.pth', { env: { MATANYONE_HOME: home } })).equals(WEIGHTS)).toBe(true);
    });
  });

  describe('bad input', () => {
    test('an unknown name lists the registry', async () => {
      expectOneLineError(await cli(['pull', 'matanyone3'], { MATANYONE_HOME: newHome() }), /unknown model "matanyone3"; should be one of: matanyone2, matanyone$/);
    });
    test('no name, an unknown precision, an unknown subcommand', async () => {
      expectOneLineError(await cli(['pull'], {}), /models pull: give one model name/);
      expectOneLineError(await cli(['pull', 'matanyone', '--precision', 'int8'], {}), /unsupported precision "int8"; should be one of: fp32, fp16/);
      expectOneLineError(await cli(['fetch'], {}), /models: unknown subcommand "fetch"; should be one of: list, pull, check/);
    });
    test('the help names every subcommand and the environment variables', async () => {
      const r = await cli(['--help'], {});
      expect(r.code).toBe(0);
      for (const word of ['models list', 'models pull <name>', 'models check <dir>', 'MATANYONE_HOME', 'MATANYONE_DOWNLOAD_BASE_URL', 'MATANYONE_REGISTRY'])
        expect(r.stdout).toContain(word);
    });
  });
});
