import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../native-host/errors';
import { loadCheckpoint, parseCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import { readZipDirectory, readZipEntry } from '../../native-host/convert/checkpoint/zip-reader';
import { CHECKPOINT_FORMATS_DIR, PARITY_PNG, catchHostError, makeTempDir } from '../support/checkpoint-fixtures';
import { bytesOf, encodeSafetensors } from '../support/safetensors-writer';
import { writeZip } from '../support/zip-writer';

const TINY_PTH = path.join(CHECKPOINT_FORMATS_DIR, 'tiny_state_dict.pth');

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const smallSafetensors = () =>
  encodeSafetensors([
    { name: 'a', dtype: 'F32', shape: [4, 4], bytes: bytesOf(new Float32Array(16).fill(1)) },
    { name: 'b', dtype: 'I64', shape: [], bytes: bytesOf(new BigInt64Array([3n])) },
  ]);

/** tiny_state_dict.pth with its entries rewritten by `edit` (return undefined to drop one). */
function rewriteTiny(edit: (name: string, data: Uint8Array) => Uint8Array | undefined): Uint8Array {
  const bytes = fs.readFileSync(TINY_PTH);
  const entries = [];
  for (const entry of readZipDirectory(bytes).values()) {
    const data = edit(entry.name, readZipEntry(bytes, entry));
    if (data) entries.push({ name: entry.name, data });
  }
  return writeZip(entries);
}

describe('files that are not readable checkpoints', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  describe('CHECKPOINT_NOT_FOUND', () => {
    it('for a missing file, with its path', () => {
      const missing = path.join(tmp.dir, 'nope', 'matanyone.pth');
      const error = catchHostError(() => loadCheckpoint(missing), 'CHECKPOINT_NOT_FOUND');
      expect(error.message).toBe(`checkpoint ${missing} does not exist; check the path`);
    });

    it('for a folder', () => {
      const error = catchHostError(() => loadCheckpoint(tmp.dir), 'CHECKPOINT_NOT_FOUND');
      expect(error.message).toContain('is a folder');
    });
  });

  describe('CHECKPOINT_CORRUPT', () => {
    it('for a torch zip cut in half', () => {
      const bytes = fs.readFileSync(TINY_PTH);
      const file = tmp.write('tiny_cut.pth', bytes.subarray(0, bytes.length >> 1));
      const error = catchHostError(() => loadCheckpoint(file), 'CHECKPOINT_CORRUPT');
      expect(error.message).toMatch(/^tiny_cut\.pth is truncated or corrupt \(.+\); download it again$/);
    });

    it('for a torch zip cut at any length, never with a raw exception', () => {
      const bytes = fs.readFileSync(TINY_PTH);
      for (let length = 0; length < bytes.length; length++) {
        // 1-3 bytes do not even make a zip signature: those are foreign, the rest corrupt
        const code = length === 0 || length >= 4 ? 'CHECKPOINT_CORRUPT' : 'CHECKPOINT_FOREIGN';
        catchHostError(() => parseCheckpoint(bytes.subarray(0, length), 'cut.pth'), code);
      }
    });

    it('for damaged bytes anywhere in a torch zip: either still readable or a HostError', () => {
      const original = Uint8Array.from(fs.readFileSync(TINY_PTH));
      const random = noise(4000, 12345);
      let readable = 0;
      const refusals = new Set<string>();
      const others: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const bytes = original.slice();
        const at = (random[i] | (random[i + 1] << 8)) % bytes.length;
        bytes[at] ^= random[i + 2] | 1;
        try {
          parseCheckpoint(bytes, 'flipped.pth');
          readable++;
        } catch (e) {
          if (e instanceof HostError && !e.message.includes('\n')) refusals.add(e.code);
          else others.push(`byte ${at}: ${(e as Error)?.stack ?? String(e)}`);
        }
      }
      // Every outcome is one of the two, and both occur (some flips leave a readable file, the others are
      // refused), so neither branch passes vacuously.
      expect(others).toEqual([]);
      expect(readable).toBeGreaterThan(0);
      expect(readable).toBeLessThan(2000);
      expect([...refusals].every((code) => code.startsWith('CHECKPOINT_'))).toBe(true);
    });

    it('for a storage shorter than its tensors need', () => {
      const bytes = rewriteTiny((name, data) => (name.endsWith('/data/0') ? data.subarray(0, 100) : data));
      const error = catchHostError(() => parseCheckpoint(bytes, 'short.pth'), 'CHECKPOINT_CORRUPT');
      expect(error.message).toContain('tiny_state_dict/data/0 has 100 bytes, 216 expected');
    });

    it('for a missing storage', () => {
      const bytes = rewriteTiny((name, data) => (name.endsWith('/data/6') ? undefined : data));
      const error = catchHostError(() => parseCheckpoint(bytes, 'holes.pth'), 'CHECKPOINT_CORRUPT');
      expect(error.message).toContain('tiny_state_dict/data/6 is missing');
    });

    it('for a safetensors file cut in half', () => {
      const bytes = smallSafetensors();
      const file = tmp.write('cut.safetensors', bytes.subarray(0, bytes.length >> 1));
      const error = catchHostError(() => loadCheckpoint(file), 'CHECKPOINT_CORRUPT');
      expect(error.message).toMatch(/^cut\.safetensors is truncated or corrupt \(.+\); download it again$/);
    });

    it('for a safetensors header longer than the file', () => {
      const bytes = smallSafetensors();
      new DataView(bytes.buffer).setUint32(0, bytes.length, true);
      catchHostError(() => parseCheckpoint(bytes, 'long-header.safetensors'), 'CHECKPOINT_CORRUPT');
    });

    it('for a safetensors file cut at any length', () => {
      const bytes = smallSafetensors();
      for (let length = 9; length < bytes.length; length++) {
        catchHostError(() => parseCheckpoint(bytes.subarray(0, length), 'cut.safetensors'), 'CHECKPOINT_CORRUPT');
      }
    });

    it('for safetensors offsets that disagree with the shape', () => {
      const bytes = encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [5], bytes: new Uint8Array(16) }]);
      const error = catchHostError(() => parseCheckpoint(bytes, 'shape.safetensors'), 'CHECKPOINT_CORRUPT');
      expect(error.message).toContain("tensor 'a' has 16 bytes for 5 float32 values");
    });

    it('for an empty file', () => {
      const error = catchHostError(() => loadCheckpoint(tmp.write('empty.pth', new Uint8Array(0))), 'CHECKPOINT_CORRUPT');
      expect(error.message).toContain('empty.pth');
    });
  });

  describe('CHECKPOINT_FOREIGN', () => {
    it('for random bytes', () => {
      const error = catchHostError(() => loadCheckpoint(tmp.write('noise.pth', noise(4096, 7))), 'CHECKPOINT_FOREIGN');
      expect(error.message).toMatch(/^noise\.pth is not a PyTorch \(\.pth\) or safetensors checkpoint/);
    });

    it('for a PNG image, saying so', () => {
      const png = fs.readFileSync(PARITY_PNG);
      const error = catchHostError(() => parseCheckpoint(png, 'frame_0000.png'), 'CHECKPOINT_FOREIGN');
      expect(error.message).toContain('frame_0000.png');
      expect(error.message).toContain('PNG image');
    });

    it('for an HTML error page saved as a checkpoint', () => {
      const html = new TextEncoder().encode('<!DOCTYPE html><html><body>404</body></html>');
      const error = catchHostError(() => parseCheckpoint(html, 'matanyone.pth'), 'CHECKPOINT_FOREIGN');
      expect(error.message).toContain('web page');
    });

    it('for a zip that is not a torch checkpoint', () => {
      const zip = writeZip([{ name: 'docs/readme.txt', data: new TextEncoder().encode('hello') }]);
      const error = catchHostError(() => parseCheckpoint(zip, 'docs.zip'), 'CHECKPOINT_FOREIGN');
      expect(error.message).toContain('without data.pkl');
    });

    it('for a safetensors dtype the loader does not read, naming it', () => {
      const bytes = encodeSafetensors([{ name: 'q', dtype: 'F8_E4M3', shape: [2], bytes: new Uint8Array(2) }]);
      const error = catchHostError(() => parseCheckpoint(bytes, 'fp8.safetensors'), 'CHECKPOINT_FOREIGN');
      expect(error.message).toBe("fp8.safetensors cannot be read: tensor 'q' has dtype F8_E4M3, which is not supported");
    });

    it('for a safetensors file without tensors', () => {
      const bytes = encodeSafetensors([], { metadata: { format: 'pt' } });
      const error = catchHostError(() => parseCheckpoint(bytes, 'none.safetensors'), 'CHECKPOINT_FOREIGN');
      expect(error.message).toContain('contains no tensors');
    });
  });
});
