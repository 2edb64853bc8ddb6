import * as fs from 'fs';
import * as path from 'path';
import { checkpointFile, convertedModelDir } from '../../native-host/models/cache';
import { OFFICIAL_MODELS } from '../../native-host/models/registry';
import { HostError } from '../../native-host/errors';
import { ModelProgress } from '../../native-host/models/pull-model';
import { resolveModel } from '../../native-host/models/resolve-model';
import { makeTempDir, PARITY_WEIGHTS } from '../support/checkpoint-fixtures';
import { FileServer } from '../support/file-server';
import { PARITY_DIR } from '../support/parity-fixture';

const PARITY_SHA256: string = JSON.parse(fs.readFileSync(path.join(PARITY_DIR, 'manifest.json'), 'utf8')).weights['weights.safetensors'].sha256;

describe('resolveModel', () => {
  const tmp = makeTempDir();
  let server: FileServer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The parity weights stand in for matanyone2.pth: served by a local mirror, with a registry override
    // giving their checksum (the loader detects the format by content, not by the .pth name).
    server = (await FileServer.start()).serve('/mirror/matanyone2.pth', { body: fs.readFileSync(PARITY_WEIGHTS) });
    const entry = { ...OFFICIAL_MODELS[0], sha256: PARITY_SHA256, bytes: fs.statSync(PARITY_WEIGHTS).size };
    const registry = tmp.write('registry.json', Buffer.from(JSON.stringify({ models: [entry] })));
    env = { MATANYONE_HOME: path.join(tmp.dir, 'home'), MATANYONE_REGISTRY: registry, MATANYONE_DOWNLOAD_BASE_URL: server.url('/mirror/') };
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  test('no spec means the default model: pulled from the mirror, verified, converted into the cache', async () => {
    const steps: ModelProgress['step'][] = [];
    const model = await resolveModel(undefined, { env, onProgress: (p) => steps.push(p.step) });
    expect(model).toMatchObject({ kind: 'registry', name: 'matanyone2', dir: convertedModelDir(PARITY_SHA256, 'fp32', { env }) });
    expect(model.manifest.source).toMatchObject({ file: 'matanyone2.pth', sha256: PARITY_SHA256 });
    expect(fs.existsSync(checkpointFile('matanyone2.pth', { env }))).toBe(true);
    expect(steps).toContain('download');
    expect(steps.at(-1)).toBe('convert');
    expect(server.requests.map((r) => r.path)).toEqual(['/mirror/matanyone2.pth']);
  });

  test('a second resolve uses the cache: no request, no conversion', async () => {
    const before = fs.statSync(path.join(convertedModelDir(PARITY_SHA256, 'fp32', { env }), 'model.json')).mtimeMs;
    const model = await resolveModel('matanyone2', { env });
    expect(model.kind).toBe('registry');
    expect(server.requests).toHaveLength(1);
    expect(fs.statSync(path.join(model.dir, 'model.json')).mtimeMs).toBe(before);
  });

  test('a model folder is used as it is', async () => {
    const dir = convertedModelDir(PARITY_SHA256, 'fp32', { env });
    const model = await resolveModel(dir, { env, precision: 'fp16' });
    expect(model).toMatchObject({ kind: 'folder', dir, manifest: { precision: 'fp32' } });
  });

  test('a checkpoint file is converted into the cache, keyed by its checksum and the precision', async () => {
    const model = await resolveModel(PARITY_WEIGHTS, { env, precision: 'fp16' });
    expect(model).toMatchObject({ kind: 'checkpoint', dir: convertedModelDir(PARITY_SHA256, 'fp16', { env }), manifest: { precision: 'fp16' } });
  });

  test('anything else is MODEL_UNKNOWN naming the registry entries', async () => {
    const p = resolveModel('matanyone3', { env });
    await expect(p).rejects.toBeInstanceOf(HostError);
    await expect(p).rejects.toMatchObject({
      code: 'MODEL_UNKNOWN',
      message: 'unknown model "matanyone3": not a model folder, a checkpoint file (.pth, .pt, .safetensors) or a registry name; should be one of: matanyone2, matanyone',
    });
    await expect(resolveModel(path.join(tmp.dir, 'registry.json'), { env })).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
  });

  test('a folder without model.json says so', async () => {
    await expect(resolveModel(tmp.dir, { env })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('has no model.json') });
  });
});
