import * as fs from 'fs';
import * as path from 'path';
import { checkpointFileName, DEFAULT_MODEL, findModel, loadRegistry, OFFICIAL_MODELS, RegistryEntry } from '../../native-host/models/registry';
import { HostError } from '../../native-host/errors';
import { makeTempDir } from '../support/checkpoint-fixtures';

describe('the model registry', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());
  const override = (json: unknown) => ({ MATANYONE_REGISTRY: tmp.write(`registry-${Math.random()}.json`, Buffer.from(JSON.stringify(json))) });

  test('has both official models, valid against its own schema, with the default among them', () => {
    expect(OFFICIAL_MODELS.map((e) => e.name)).toEqual(['matanyone2', 'matanyone']);
    for (const e of OFFICIAL_MODELS) expect(RegistryEntry.parse(e)).toEqual(e);
    expect(OFFICIAL_MODELS.map((e) => e.name)).toContain(DEFAULT_MODEL);
    expect(OFFICIAL_MODELS.map(checkpointFileName)).toEqual(['matanyone2.pth', 'matanyone.pth']);
  });

  test('records the official release URLs and the non-commercial S-Lab licence', () => {
    expect(findModel('matanyone', {}).url).toBe('https://github.com/pq-yang/MatAnyone/releases/download/v1.0.0/matanyone.pth');
    expect(findModel('matanyone2', {}).url).toBe('https://github.com/pq-yang/MatAnyone2/releases/download/v1.0.0/matanyone2.pth');
    for (const e of OFFICIAL_MODELS) expect(e.licence).toMatchObject({ name: 'S-Lab License 1.0', nonCommercial: true });
  });

  test('an unknown name is MODEL_UNKNOWN listing the names', () => {
    expect(() => findModel('sam2', {})).toThrow(HostError);
    expect(() => findModel('sam2', {})).toThrow('unknown model "sam2"; should be one of: matanyone2, matanyone');
  });

  test('MATANYONE_REGISTRY replaces entries of the same name and adds new ones', () => {
    const mine = { ...OFFICIAL_MODELS[1], url: 'http://10.0.0.2/matanyone.pth', sha256: 'ab'.repeat(32), bytes: 42 };
    const extra = { ...OFFICIAL_MODELS[0], name: 'matanyone2-ft', title: 'fine-tuned', url: 'http://10.0.0.2/ft.pth' };
    const env = override({ models: [mine, extra] });
    expect(loadRegistry(env).map((e) => e.name)).toEqual(['matanyone2', 'matanyone', 'matanyone2-ft']);
    expect(findModel('matanyone', env)).toEqual(mine);
    expect(findModel('matanyone2', env)).toEqual(OFFICIAL_MODELS[0]);
  });

  test('a broken override is INVALID_ARGUMENT naming the file and the field', () => {
    const env = override({ models: [{ ...OFFICIAL_MODELS[0], sha256: 'XYZ' }] });
    expect(() => loadRegistry(env)).toThrow(new RegExp(`MATANYONE_REGISTRY=${env.MATANYONE_REGISTRY} is not a model registry: models\\.0\\.sha256: `));
    const missing = { MATANYONE_REGISTRY: path.join(tmp.dir, 'nope.json') };
    expect(() => loadRegistry(missing)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('cannot be read as JSON') }));
    expect(fs.existsSync(missing.MATANYONE_REGISTRY)).toBe(false);
  });
});
