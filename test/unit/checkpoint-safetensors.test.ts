import * as fs from 'node:fs';
import { loadCheckpoint, parseCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import type { CheckpointTensor } from '../../native-host/convert/checkpoint/tensor';
import { PARITY_WEIGHTS, makeTempDir } from '../support/checkpoint-fixtures';
import { bytesOf, encodeSafetensors, type SafetensorsEntry } from '../support/safetensors-writer';

/** float32 bit patterns, so that NaN, -0 and subnormals compare exactly */
const bitsOf = (t: CheckpointTensor) => Array.from(new Uint32Array(Float32Array.from(t.data as Float32Array).buffer));
const f32Bits = (values: number[]) => Array.from(new Uint32Array(new Float32Array(values).buffer));

const ENTRIES: SafetensorsEntry[] = [
  { name: 'f32', dtype: 'F32', shape: [2, 2], bytes: bytesOf(new Float32Array([1.5, -0, 3.4e38, 1e-45])) },
  { name: 'f64', dtype: 'F64', shape: [3], bytes: bytesOf(new Float64Array([Math.PI, -1e300, 5e-324])) },
  {
    name: 'f16',
    dtype: 'F16',
    shape: [2, 4],
    // 1, -2, max, smallest subnormal, -0, inf, -inf, NaN
    bytes: bytesOf(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00])),
  },
  // 1, -0.5, 3.140625, smallest subnormal (2^-133)
  { name: 'bf16', dtype: 'BF16', shape: [4], bytes: bytesOf(new Uint16Array([0x3f80, 0xbf00, 0x4049, 0x0001])) },
  { name: 'i64', dtype: 'I64', shape: [3], bytes: bytesOf(new BigInt64Array([-3n, 1099511627776n, 2n ** 62n + 1n])) },
  { name: 'counter', dtype: 'I64', shape: [], bytes: bytesOf(new BigInt64Array([7n])) },
  { name: 'i32', dtype: 'I32', shape: [2], bytes: bytesOf(new Int32Array([-(2 ** 31), 2 ** 31 - 1])) },
  { name: 'i16', dtype: 'I16', shape: [2], bytes: bytesOf(new Int16Array([-32768, 12345])) },
  { name: 'i8', dtype: 'I8', shape: [2], bytes: bytesOf(new Int8Array([-128, 127])) },
  { name: 'u8', dtype: 'U8', shape: [2], bytes: bytesOf(new Uint8Array([0, 255])) },
  { name: 'flag', dtype: 'BOOL', shape: [4], bytes: new Uint8Array([1, 0, 1, 1]) },
  { name: 'empty', dtype: 'F32', shape: [0, 3], bytes: new Uint8Array(0) },
];

function expectRoundTrip(sd: Map<string, CheckpointTensor>): void {
  expect([...sd.keys()]).toEqual(ENTRIES.map((e) => e.name));
  const shapes = Object.fromEntries([...sd].map(([k, t]) => [k, [t.dtype, t.shape]]));
  expect(shapes).toEqual({
    f32: ['float32', [2, 2]],
    f64: ['float64', [3]],
    f16: ['float16', [2, 4]],
    bf16: ['bfloat16', [4]],
    i64: ['int64', [3]],
    counter: ['int64', []],
    i32: ['int32', [2]],
    i16: ['int16', [2]],
    i8: ['int8', [2]],
    u8: ['uint8', [2]],
    flag: ['bool', [4]],
    empty: ['float32', [0, 3]],
  });
  expect(bitsOf(sd.get('f32')!)).toEqual(f32Bits([1.5, -0, 3.4e38, 1e-45]));
  expect(Array.from(sd.get('f64')!.data as Float64Array)).toEqual([Math.PI, -1e300, 5e-324]);
  expect(sd.get('f16')!.data).toBeInstanceOf(Float32Array);
  expect(bitsOf(sd.get('f16')!)).toEqual(f32Bits([1, -2, 65504, 2 ** -24, -0, Infinity, -Infinity, NaN]));
  expect(bitsOf(sd.get('bf16')!)).toEqual(f32Bits([1, -0.5, 3.140625, 2 ** -133]));
  expect(Array.from(sd.get('i64')!.data as BigInt64Array)).toEqual([-3n, 1099511627776n, 2n ** 62n + 1n]);
  expect(Array.from(sd.get('counter')!.data as BigInt64Array)).toEqual([7n]);
  expect(sd.get('i32')!.data).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1]));
  expect(sd.get('i16')!.data).toEqual(new Int16Array([-32768, 12345]));
  expect(sd.get('i8')!.data).toEqual(new Int8Array([-128, 127]));
  expect(sd.get('u8')!.data).toEqual(new Uint8Array([0, 255]));
  expect(sd.get('flag')!.data).toEqual(new Uint8Array([1, 0, 1, 1]));
  expect(sd.get('empty')!.data).toHaveLength(0);
}

describe('safetensors checkpoints', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  it('round-trips every dtype (half types widened exactly, I64 as bigint, BOOL as 0/1) and ignores __metadata__', () => {
    const file = tmp.write('roundtrip.bin', encodeSafetensors(ENTRIES, { metadata: { format: 'pt' } }));
    expectRoundTrip(loadCheckpoint(file));
  });

  it('reads tensors whose data is not aligned (header padded to an odd length)', () => {
    const dataStart = (b: Uint8Array) => 8 + Number(new DataView(b.buffer).getBigUint64(0, true));
    const bytes = [0, 1, 2, 3, 4, 5, 6, 7]
      .map((headerPad) => encodeSafetensors(ENTRIES, { headerPad }))
      .find((b) => dataStart(b) % 2 === 1)!;
    // through a file: the loader then sees a Node Buffer, whose slice() is a view rather than a copy
    expectRoundTrip(loadCheckpoint(tmp.write('odd.safetensors', bytes)));
    expectRoundTrip(parseCheckpoint(Uint8Array.from(bytes), 'odd.safetensors'));
  });

  describe('the parity-a weights (141 MB)', () => {
    const file = fs.readFileSync(PARITY_WEIGHTS);
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >;
    /** an independent read of element `i` straight from the file's bytes */
    const raw = (name: string, i: number): number | bigint => {
      const { dtype, data_offsets } = header[name];
      const at = 8 + headerLength + data_offsets[0];
      return dtype === 'I64' ? file.readBigInt64LE(at + 8 * i) : file.readFloatLE(at + 4 * i);
    };

    it('loads quickly with every tensor as the header lists it', () => {
      const started = performance.now();
      const sd = loadCheckpoint(PARITY_WEIGHTS);
      const elapsedMs = performance.now() - started;
      expect(elapsedMs).toBeLessThan(3000);
      expect(sd.size).toBe(562);
      for (const [name, entry] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const t = sd.get(name)!;
        expect([name, t.dtype, t.shape]).toEqual([name, entry.dtype === 'I64' ? 'int64' : 'float32', entry.shape]);
      }
    });

    it('has the same values as the raw bytes', () => {
      const sd = loadCheckpoint(PARITY_WEIGHTS);
      const stem = sd.get('pixel_encoder.conv1.weight')!.data as Float32Array;
      for (const i of [0, 1, 4703, stem.length - 1]) expect(stem[i]).toBe(raw('pixel_encoder.conv1.weight', i));
      const head = sd.get('temp_sparity.conv3x3_out.weight')!.data as Float32Array;
      head.forEach((v, i) => expect(v).toBe(raw('temp_sparity.conv3x3_out.weight', i)));
      const counter = sd.get('mask_encoder.bn1.num_batches_tracked')!;
      expect(counter.shape).toEqual([]);
      expect((counter.data as BigInt64Array)[0]).toBe(raw('mask_encoder.bn1.num_batches_tracked', 0));
    });
  });
});
