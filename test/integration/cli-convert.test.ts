import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import { ModelManifest } from '../../native-host/models/model-manifest';
import { CHECKPOINT_FORMATS_DIR, makeTempDir, multiObjectLayout, PARITY_WEIGHTS } from '../support/checkpoint-fixtures';
import { expectOneLineError, runCli } from '../support/cli';
import { expectParity, intermediate, paddedFrame, PARITY_DIR } from '../support/parity-fixture';
import { asTorchSave } from '../support/torch-save-writer';

const GRAPHS = ['encode_frame', 'encode_mask', 'encode_mask_value', 'memory_readout', 'memory_consolidate', 'readout', 'decode'];
const manifestOf = (dir: string) => ModelManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')));
const graphBytes = (dir: string, g: string) => fs.readFileSync(path.join(dir, `${g}.onnx`));

describe('matanyone convert', () => {
  const tmp = makeTempDir();
  const fp32Dir = path.join(tmp.dir, 'fp32');
  afterAll(() => tmp.cleanup());

  test('converts the official-format checkpoint with progress, and the folder records what it holds', () => {
    const r = runCli(['convert', PARITY_WEIGHTS, '--out', fp32Dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[1/7] building encode_frame');
    expect(r.stdout).toMatch(/^converted: weights\.safetensors/);
    const m = manifestOf(fp32Dir);
    const fixture = JSON.parse(fs.readFileSync(path.join(PARITY_DIR, 'manifest.json'), 'utf8'));
    expect(m.source.sha256).toBe(fixture.weights['weights.safetensors'].sha256);
    expect(m).toMatchObject({ architecture: 'matanyone', precision: 'fp32', opset: 17, source: { maskStemChannels: 4 } });
    expect(Object.keys(m.graphs).sort()).toEqual([...GRAPHS].sort());
    expect(m.graphs.encode_frame.inputs).toEqual([{ name: 'image', type: 'float32', dims: [1, 3, 'H', 'W'] }]);
  });

  test('is idempotent: a second run reuses the folder without rewriting it', () => {
    const before = GRAPHS.map((g) => fs.statSync(path.join(fp32Dir, `${g}.onnx`)).mtimeMs);
    const r = runCli(['convert', PARITY_WEIGHTS, '--out', fp32Dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^up to date: /);
    expect(GRAPHS.map((g) => fs.statSync(path.join(fp32Dir, `${g}.onnx`)).mtimeMs)).toEqual(before);
  });

  test('the folder loads and runs in a fresh process (`models check`)', () => {
    const r = runCli(['models', 'check', fp32Dir, '--ep', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('model ok');
    for (const g of GRAPHS) expect(r.stdout).toMatch(new RegExp(`^${g}\\s+ok`, 'm'));
  });

  test('the written encode_frame graph reproduces the official intermediates', async () => {
    const session = await ort.InferenceSession.create(path.join(fp32Dir, 'encode_frame.onnx'));
    const frame = await paddedFrame(0);
    const out = await session.run({ image: new ort.Tensor('float32', frame.data, frame.shape) });
    await session.release();
    const asF32 = (t: ort.Tensor) => ({ shape: [...t.dims], data: t.data as Float32Array });
    expectParity('encode_frame.onnx pix_feat', asF32(out.pix_feat), intermediate('call0.encode_image.out.pix_feat'));
    expectParity('encode_frame.onnx key', asF32(out.key), intermediate('call0.transform_key.out.key'));
  });

  test('a .pth of the same weights, in either stem layout, gives byte-identical graphs', () => {
    const sd = loadCheckpoint(PARITY_WEIGHTS);
    for (const [name, stateDict, stem] of [
      ['matanyone.pth', sd, 4],
      ['multi-object.pth', multiObjectLayout(sd), 5],
    ] as const) {
      const file = tmp.write(name, asTorchSave(stateDict, name.replace('.pth', '')));
      const dir = path.join(tmp.dir, `${name}.model`);
      const r = runCli(['convert', file, '--out', dir]);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('matanyone:'))).toEqual([]);
      expect(r.code).toBe(0);
      expect(manifestOf(dir).source.maskStemChannels).toBe(stem);
      for (const g of GRAPHS) expect(graphBytes(dir, g).equals(graphBytes(fp32Dir, g))).toBe(true);
    }
  });

  test('--precision fp16 halves the weights, keeps the memory read in fp32, and runs', () => {
    const dir = path.join(tmp.dir, 'fp16');
    expect(runCli(['convert', PARITY_WEIGHTS, '--out', dir, '--precision', 'fp16']).code).toBe(0);
    const m = manifestOf(dir);
    expect(m.precision).toBe('fp16');
    expect(m.graphs.memory_readout.precision).toBe('fp32');
    expect(m.graphs.encode_frame.precision).toBe('fp16');
    const total = (mm: ModelManifest) => Object.values(mm.graphs).reduce((a, g) => a + g.bytes, 0);
    expect(total(m) / total(manifestOf(fp32Dir))).toBeLessThan(0.6);
    expect(runCli(['models', 'check', dir, '--ep', 'cpu']).stdout).toContain('model ok');
    // Another precision into the same folder is a new conversion, not "up to date".
    const again = runCli(['convert', PARITY_WEIGHTS, '--out', dir]);
    expect(again.stdout).toMatch(/^converted: /);
    expect(manifestOf(dir).precision).toBe('fp32');
  });

  describe('bad input: one line, non-zero exit, nothing lost', () => {
    test('a missing checkpoint', () => {
      expectOneLineError(runCli(['convert', path.join(tmp.dir, 'nope.pth'), '--out', path.join(tmp.dir, 'x')]), /nope\.pth does not exist/);
    });
    test('the legacy torch format says how to re-save it', () => {
      expectOneLineError(runCli(['convert', path.join(CHECKPOINT_FORMATS_DIR, 'tiny_legacy_format.pth'), '--out', path.join(tmp.dir, 'x')]), /legacy.*torch\.save/i);
    });
    test('a foreign checkpoint names what is missing', () => {
      expectOneLineError(
        runCli(['convert', path.join(CHECKPOINT_FORMATS_DIR, 'tiny_state_dict.pth'), '--out', path.join(tmp.dir, 'x')]),
        /not a MatAnyone checkpoint: 500 of 562 expected tensors missing/,
      );
    });
    test('a truncated checkpoint leaves an existing model folder as it was', () => {
      const bytes = fs.readFileSync(PARITY_WEIGHTS);
      const truncated = tmp.write('truncated.safetensors', bytes.subarray(0, bytes.length >> 1));
      const before = fs.readFileSync(path.join(fp32Dir, 'model.json'), 'utf8');
      expectOneLineError(runCli(['convert', truncated, '--out', fp32Dir]), /truncated\.safetensors.*(truncated|corrupt)/);
      expect(fs.readFileSync(path.join(fp32Dir, 'model.json'), 'utf8')).toBe(before);
      expect(runCli(['models', 'check', fp32Dir, '--ep', 'cpu']).code).toBe(0);
    });
    test('unknown options and precisions', () => {
      expectOneLineError(runCli(['convert', PARITY_WEIGHTS, '--out', tmp.dir, '--bogus']), /Unknown option '--bogus'/);
      expectOneLineError(runCli(['convert', PARITY_WEIGHTS, '--out', tmp.dir, '--precision', 'int4']), /unsupported precision "int4"; should be one of: fp32, fp16/);
    });
    test('a folder that is not a model', () => {
      expectOneLineError(runCli(['models', 'check', tmp.dir]), /has no model\.json; convert a checkpoint into it/);
    });
  });
});
