import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readModelManifest } from '../../native-host/engine/model-sessions';
import { precisionFor } from '../../native-host/engine/precision-choice';
import type { ExecutionProviderName } from '../../native-host/engine/providers';
import { MatteRequest, runMatte } from '../../native-host/matte/run-matte';
import { PARITY_DIR } from '../support/parity-fixture';

/**
 * `--precision auto`: the checkpoint is converted to fp16 when a GPU provider comes first in the order
 * (probed by `--ep auto`, or named by `--ep`), to fp32 when the CPU does.
 */
describe('--precision auto', () => {
  let home: string;
  const savedHome = process.env.MATANYONE_HOME;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-precision-'));
    process.env.MATANYONE_HOME = home; // the conversion cache
  });
  afterAll(() => {
    if (savedHome === undefined) delete process.env.MATANYONE_HOME;
    else process.env.MATANYONE_HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  });

  test.each([
    ['cpu', 'fp32'],
    ['webgpu', 'fp16'],
    ['cuda', 'fp16'],
    ['dml', 'fp16'],
    ['coreml', 'fp16'],
  ] as const)('on %s: %s', (provider, precision) => {
    expect(precisionFor('auto', provider)).toBe(precision);
    expect(precisionFor('fp32', provider)).toBe('fp32');
    expect(precisionFor('fp16', provider)).toBe('fp16');
  });

  function matteRequest(): MatteRequest {
    return {
      input: PARITY_DIR,
      masks: [path.join(PARITY_DIR, 'mask.png')],
      model: path.join(PARITY_DIR, 'weights.safetensors'),
      precision: 'auto',
      outDir: path.join(home, 'out'),
      outputs: [{ kind: 'alpha', depth: 8 }],
      to: 0,
      warmup: 0,
      dilate: 10,
      erode: 10,
      ep: 'auto',
      longTerm: false,
    };
  }

  /** The precision of the model folder `matte` hands to the engine for this provider order. */
  async function convertedFor(providers: ExecutionProviderName[]): Promise<string> {
    let seen: { precision: string; providers: ExecutionProviderName[] } | undefined;
    const stop = new Error('stopped before running the engine');
    const run = runMatte(
      { ...matteRequest(), providers },
      {
        openEngine: async (dir, opts) => {
          seen ??= { precision: readModelManifest(dir).precision, providers: opts.providers }; // the first model tried
          throw stop;
        },
      },
    );
    await expect(run).rejects.toBe(stop);
    expect(seen!.providers).toEqual(providers);
    return seen!.precision;
  }

  test('no GPU provider opens the fp16 model: matte opens the fp32 one on the same order', async () => {
    const opened: { precision: string; providers: ExecutionProviderName[] }[] = [];
    const stop = new Error('stopped before running the engine');
    let closed = 0;
    const run = runMatte(
      { ...matteRequest(), providers: ['webgpu', 'cpu'] },
      {
        openEngine: async (dir, opts) => {
          opened.push({ precision: readModelManifest(dir).precision, providers: opts.providers });
          if (opened.length > 1) throw stop;
          // what the engine reports when WebGPU refuses the half graphs (SwiftShader: no shader-f16)
          return { provider: 'cpu', skipped: [{ provider: 'webgpu', error: 'requires f16 but the device does not support it' }], start: async () => [], step: async () => [], close: async () => void closed++ };
        },
      },
    );
    await expect(run).rejects.toBe(stop);
    expect(opened).toEqual([
      { precision: 'fp16', providers: ['webgpu', 'cpu'] },
      { precision: 'fp32', providers: ['webgpu', 'cpu'] },
    ]);
    expect(closed).toBe(1);
  });

  test('matte converts the checkpoint to fp16 for a GPU order and to fp32 for the CPU', async () => {
    expect(await convertedFor(['webgpu', 'cpu'])).toBe('fp16');
    expect(await convertedFor(['cpu'])).toBe('fp32');
  });
});
