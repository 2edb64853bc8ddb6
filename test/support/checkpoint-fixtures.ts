import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../native-host/errors';
import type { ErrorCode } from '../../bridge/errors';
import type { CheckpointTensor, StateDict } from '../../native-host/convert/checkpoint/tensor';

/** ../shared/fixtures next to the project root (read-only). */
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');
export const CHECKPOINT_FORMATS_DIR = path.join(FIXTURES, 'checkpoint-formats');
export const PARITY_WEIGHTS = path.join(FIXTURES, 'parity-a', 'weights.safetensors');
export const PARITY_PNG = path.join(FIXTURES, 'parity-a', 'frame_0000.png');

/** `tiny_expected.json`: per tensor its dtype, shape and row-major values (bools as true/false). */
export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: Array<number | boolean>;
}

export function readTinyExpected(): Map<string, ExpectedTensor> {
  const json = JSON.parse(fs.readFileSync(path.join(CHECKPOINT_FORMATS_DIR, 'tiny_expected.json'), 'utf8'));
  return new Map(Object.entries(json as Record<string, ExpectedTensor>));
}

/** Asserts that a state dict holds exactly the expected tensors: names, order, dtypes, shapes, every value. */
export function expectStateDictToMatch(sd: StateDict, expected: Map<string, ExpectedTensor>): void {
  expect([...sd.keys()]).toEqual([...expected.keys()]);
  for (const [name, want] of expected) {
    const t = sd.get(name)!;
    expect({ name, dtype: t.dtype, shape: [...t.shape] }).toEqual({ name, dtype: want.dtype, shape: want.shape });
    const got = Array.from(t.data as ArrayLike<number | bigint>);
    const values = want.values.map((v) => {
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (t.dtype === 'int64') {
        // JSON numbers are doubles: only safe integers are exact, so refuse anything else.
        expect(Number.isSafeInteger(v)).toBe(true);
        return BigInt(v);
      }
      return v;
    });
    expect({ name, values: got }).toEqual({ name, values });
  }
}

/** A fresh temporary folder under os.tmpdir(), removed by the caller's afterAll via `cleanup`. */
export function makeTempDir(): { dir: string; write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-test-'));
  return {
    dir,
    write(name, bytes) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      return file;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn`, asserts it throws a HostError with `code`, and returns the error for message checks. */
export function catchHostError(fn: () => unknown, code: ErrorCode): HostError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HostError);
  const error = caught as HostError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
  expect(error.message).not.toContain('\n');
  return error;
}

/**
 * `[O, I, ...k]` → `[O, I+1, ...k]`: an extra last input channel with arbitrary weights, as the
 * multi-object build has for the "others" mask (mask_encoder.conv1, pixel_fuser.sensory_compress).
 */
export function widenInputChannels(t: CheckpointTensor): CheckpointTensor {
  const [out, inC, ...kernel] = t.shape;
  const per = kernel.reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const data = new Float32Array(out * (inC + 1) * per);
  for (let o = 0; o < out; o++) {
    data.set(src.subarray(o * inC * per, (o + 1) * inC * per), o * (inC + 1) * per);
    for (let k = 0; k < per; k++) data[(o * (inC + 1) + inC) * per + k] = 0.5 - ((o * 7 + k) % 13) / 13;
  }
  return { dtype: 'float32', shape: [out, inC + 1, ...kernel], data };
}

/** The parity weights in the multi-object layout (5-channel stem, 258-channel sensory_compress). */
export function multiObjectLayout(sd: StateDict): StateDict {
  const copy = new Map(sd);
  for (const name of ['mask_encoder.conv1.weight', 'pixel_fuser.sensory_compress.weight']) copy.set(name, widenInputChannels(sd.get(name)!));
  return copy;
}
