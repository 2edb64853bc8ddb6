import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import { MATANYONE_INVENTORY, validateMatAnyone } from '../../native-host/convert/checkpoint/matanyone-inventory';
import type { CheckpointTensor, StateDict } from '../../native-host/convert/checkpoint/tensor';
import { CHECKPOINT_FORMATS_DIR, PARITY_WEIGHTS, catchHostError, widenInputChannels } from '../support/checkpoint-fixtures';

const STEM = 'mask_encoder.conv1.weight';
const COMPRESS = 'pixel_fuser.sensory_compress.weight';

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('MatAnyone inventory and validation', () => {
  let parity: StateDict;
  beforeAll(() => {
    parity = loadCheckpoint(PARITY_WEIGHTS);
  });

  it('lists exactly the 562 names and shapes of parity-a/weights.safetensors, in file order', () => {
    // read the header independently of the loader
    const file = fs.readFileSync(PARITY_WEIGHTS);
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape: number[] }>;
    const fromFile = Object.entries(header)
      .filter(([name]) => name !== '__metadata__')
      .map(([name, entry]) => [name, entry.shape]);
    expect(MATANYONE_INVENTORY.size).toBe(562);
    expect([...MATANYONE_INVENTORY]).toEqual(fromFile);
  });

  it('adds up to the totals of spec section 2.1', () => {
    let floats = 0;
    let counters = 0;
    for (const [name, shape] of MATANYONE_INVENTORY) {
      if (name.endsWith('.num_batches_tracked')) counters++;
      else floats += numel(shape);
    }
    expect(counters).toBe(60);
    expect(floats).toBe(35_249_195 + 35_392); // parameters + float buffers
  });

  it('accepts the parity weights, keeping float32 tensors as they are', () => {
    const sd = validateMatAnyone(parity, 'weights.safetensors');
    expect(sd.size).toBe(562);
    expect([...sd.keys()]).toEqual([...MATANYONE_INVENTORY.keys()]);
    expect(sd.get('pixel_encoder.conv1.weight')).toBe(parity.get('pixel_encoder.conv1.weight'));
  });

  it('refuses the tiny test checkpoint, naming missing tensors', () => {
    const tiny = loadCheckpoint(path.join(CHECKPOINT_FORMATS_DIR, 'tiny_state_dict.pth'));
    const error = catchHostError(() => validateMatAnyone(tiny, 'tiny_state_dict.pth'), 'CHECKPOINT_FOREIGN');
    // 562 minus the 62 buffers that may be missing (60 BN counters, 2 inv_freq)
    expect(error.message).toMatch(
      /^tiny_state_dict\.pth is not a MatAnyone checkpoint: 500 of 562 expected tensors missing \(e\.g\. pixel_encoder\.conv1\.weight\)/,
    );
  });

  it('accepts the multi-object (5-channel) stem and drops the extra input channel like the official loader', () => {
    const multi: StateDict = new Map(parity);
    multi.set(STEM, widenInputChannels(parity.get(STEM)!));
    multi.set(COMPRESS, widenInputChannels(parity.get(COMPRESS)!));
    expect(multi.get(STEM)!.shape).toEqual([64, 5, 7, 7]);
    expect(multi.get(COMPRESS)!.shape).toEqual([256, 258, 1, 1]);

    const sd = validateMatAnyone(multi, 'multi.pth');
    for (const key of [STEM, COMPRESS]) {
      expect(sd.get(key)!.shape).toEqual(parity.get(key)!.shape);
      expect(sd.get(key)!.dtype).toBe('float32');
      expect(sd.get(key)!.data).toEqual(parity.get(key)!.data);
    }
  });

  it('refuses a 5-channel stem with a single-object sensory_compress', () => {
    const mixed: StateDict = new Map(parity);
    mixed.set(STEM, widenInputChannels(parity.get(STEM)!));
    const error = catchHostError(() => validateMatAnyone(mixed, 'mixed.pth'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain(`${COMPRESS} has shape [256, 257, 1, 1], expected [256, 258, 1, 1]`);
  });

  it('names a mis-shaped tensor with expected and found shapes', () => {
    const wrong: StateDict = new Map(parity);
    wrong.set('mask_decoder.pred_mat.weight', { dtype: 'float32', shape: [2, 16, 3, 3], data: new Float32Array(288) });
    const error = catchHostError(() => validateMatAnyone(wrong, 'x.pth'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toBe(
      'x.pth is not a MatAnyone checkpoint: mask_decoder.pred_mat.weight has shape [2, 16, 3, 3], expected [1, 16, 3, 3]; ' +
        'use matanyone.pth or matanyone2.pth',
    );
  });

  it('tolerates missing BN counters and inv_freq buffers, and nothing else', () => {
    const trimmed: StateDict = new Map(
      [...parity].filter(([name]) => !name.endsWith('.num_batches_tracked') && !name.endsWith('.inv_freq')),
    );
    trimmed.set('extra.unused', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const sd = validateMatAnyone(trimmed);
    expect(sd.size).toBe(500);
    expect(sd.has('extra.unused')).toBe(false);

    trimmed.delete('temp_sparity.bn2.running_var');
    const error = catchHostError(() => validateMatAnyone(trimmed), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('1 of 562 expected tensors missing (e.g. temp_sparity.bn2.running_var)');
  });

  it('turns float16, bfloat16 and float64 tensors into float32 and refuses integer weights', () => {
    const mixed: StateDict = new Map(parity);
    const bias = parity.get('mask_decoder.pred_mat.bias')!; // [1]
    const inv = parity.get('object_summarizer.pos_enc.inv_freq')!; // [64]
    mixed.set('mask_decoder.pred_mat.bias', { ...bias, dtype: 'float16' });
    mixed.set('object_summarizer.pos_enc.inv_freq', {
      dtype: 'float64',
      shape: inv.shape,
      data: Float64Array.from(inv.data as Float32Array),
    });
    mixed.set('key_proj.d_proj.bias', { ...parity.get('key_proj.d_proj.bias')!, dtype: 'bfloat16' });
    const sd = validateMatAnyone(mixed);
    expect(sd.get('mask_decoder.pred_mat.bias')!.dtype).toBe('float32');
    expect(sd.get('key_proj.d_proj.bias')!.dtype).toBe('float32');
    expect(sd.get('object_summarizer.pos_enc.inv_freq')).toEqual({ dtype: 'float32', shape: [64], data: inv.data });

    mixed.set('key_proj.d_proj.bias', { dtype: 'int64', shape: [1], data: new BigInt64Array(1) });
    const error = catchHostError(() => validateMatAnyone(mixed), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('key_proj.d_proj.bias has dtype int64, expected a floating-point type');
  });
});
