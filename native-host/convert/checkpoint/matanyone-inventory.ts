import { CheckpointErrors } from './checkpoint-errors';
import { MASK_STEM_CHANNELS, matAnyoneLayout, SENSORY_COMPRESS_CHANNELS } from './matanyone-layout';
import { formatShape, isFloatDType, type CheckpointTensor, type StateDict } from './tensor';

/** The 562 tensors of the MatAnyone single-object layout, name -> shape (from spec appendix A). */
export const MATANYONE_INVENTORY: ReadonlyMap<string, readonly number[]> = new Map(matAnyoneLayout());

const STEM = 'mask_encoder.conv1.weight';
const SENSORY_COMPRESS = 'pixel_fuser.sensory_compress.weight';

/**
 * The multi-object build (what `MatAnyone.from_pretrained` instantiates) adds an "others" input channel to
 * these two weights; it is all-zero for a single object, so dropping it is exact (spec 2.3).
 */
const MULTI_OBJECT_SHAPES: ReadonlyMap<string, readonly number[]> = new Map([
  [STEM, [64, MASK_STEM_CHANNELS + 1, 7, 7]],
  [SENSORY_COMPRESS, [256, SENSORY_COMPRESS_CHANNELS + 1, 1, 1]],
]);

/** Buffers the official loader does without (BN counters are unused in eval; inv_freq is recomputed). */
function mayBeMissing(name: string): boolean {
  return name.endsWith('.num_batches_tracked') || name.endsWith('.inv_freq');
}

function sameShape(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** float16/bfloat16 already hold float32 values; float64 is rounded to nearest. */
function asFloat32(t: CheckpointTensor): CheckpointTensor {
  if (t.dtype === 'float32') return t;
  const data = t.dtype === 'float64' ? new Float32Array(t.data as Float64Array) : (t.data as Float32Array);
  return { dtype: 'float32', shape: t.shape, data };
}

/** `[O, I, ...k]` -> `[O, I-1, ...k]`: slices off the last input channel (a float32 tensor). */
function dropLastInputChannel(t: CheckpointTensor): CheckpointTensor {
  const [out, inC, ...kernel] = t.shape;
  const perChannel = kernel.reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const keep = (inC - 1) * perChannel;
  const data = new Float32Array(out * keep);
  for (let o = 0; o < out; o++) data.set(src.subarray(o * inC * perChannel, o * inC * perChannel + keep), o * keep);
  return { dtype: t.dtype, shape: [out, inC - 1, ...kernel], data };
}

/**
 * Checks a state dict against the inventory and returns a normalised copy: accepts the 5-channel stem
 * (mask_encoder.conv1.weight [64,5,7,7] and pixel_fuser.sensory_compress.weight [256,258,1,1]) and drops the
 * last input channel of both, like the official loader; float16/bfloat16/float64 tensors become float32.
 * Missing `*.num_batches_tracked` and `*.inv_freq` buffers are tolerated (not used at inference); anything else
 * missing or mis-shaped is CHECKPOINT_FOREIGN.
 *
 * @param sd - as returned by `loadCheckpoint`
 * @param name - the file name, for the message (default "the checkpoint")
 * @returns only the inventory's tensors, in inventory order, with the single-object shapes; tolerated
 * buffers that were missing stay missing; unchanged float32 tensors are the same objects as in `sd`
 * @throws HostError `CHECKPOINT_FOREIGN`, e.g. "x.pth is not a MatAnyone checkpoint: 312 of 562 expected
 * tensors missing (e.g. pixel_encoder.conv1.weight); ..."
 */
export function validateMatAnyone(sd: StateDict, name = 'the checkpoint'): StateDict {
  // The stem decides the layout; sensory_compress must then match it (checked with the other shapes).
  const multiObject = sameShape(sd.get(STEM)?.shape, MULTI_OBJECT_SHAPES.get(STEM)!);
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [key, inventoryShape] of MATANYONE_INVENTORY) {
    const t = sd.get(key);
    if (!t) {
      if (!mayBeMissing(key)) missing.push(key);
      continue;
    }
    const expected = (multiObject && MULTI_OBJECT_SHAPES.get(key)) || inventoryShape;
    if (!sameShape(t.shape, expected)) {
      wrong.push(`${key} has shape ${formatShape(t.shape)}, expected ${formatShape(expected)}`);
    } else if (!key.endsWith('.num_batches_tracked') && !isFloatDType(t.dtype)) {
      wrong.push(`${key} has dtype ${t.dtype}, expected a floating-point type`);
    }
  }
  if (missing.length > 0 || wrong.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) {
      parts.push(`${missing.length} of ${MATANYONE_INVENTORY.size} expected tensors missing (e.g. ${missing[0]})`);
    }
    if (wrong.length > 0) parts.push(wrong.length === 1 ? wrong[0] : `${wrong[0]} (and ${wrong.length - 1} more)`);
    throw CheckpointErrors.notMatAnyone(name, parts.join(', and '));
  }

  const out: StateDict = new Map();
  for (const key of MATANYONE_INVENTORY.keys()) {
    const t = sd.get(key);
    if (!t) continue;
    if (key.endsWith('.num_batches_tracked')) {
      out.set(key, t);
      continue;
    }
    const f32 = asFloat32(t);
    out.set(key, multiObject && MULTI_OBJECT_SHAPES.has(key) ? dropLastInputChannel(f32) : f32);
  }
  return out;
}
