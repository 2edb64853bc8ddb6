import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint, parseCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import { validateMatAnyone } from '../../native-host/convert/checkpoint/matanyone-inventory';
import type { CheckpointTensor } from '../../native-host/convert/checkpoint/tensor';
import { readZipDirectory, readZipEntry } from '../../native-host/convert/checkpoint/zip-reader';
import {
  CHECKPOINT_FORMATS_DIR,
  PARITY_WEIGHTS,
  catchHostError,
  expectStateDictToMatch,
  readTinyExpected,
} from '../support/checkpoint-fixtures';
import { asTorchSave } from '../support/torch-save-writer';
import { writeZip, type ZipWriterEntry } from '../support/zip-writer';

const tiny = (name: string) => path.join(CHECKPOINT_FORMATS_DIR, name);

/** The entries of tiny_state_dict.pth moved under another root folder, plus torch 2.x's extra records. */
function repackTiny(root: string, options: { deflate?: (name: string) => boolean } = {}): ZipWriterEntry[] {
  const bytes = fs.readFileSync(tiny('tiny_state_dict.pth'));
  const entries: ZipWriterEntry[] = [];
  for (const entry of readZipDirectory(bytes).values()) {
    const name = entry.name.replace(/^tiny_state_dict\//, `${root}/`);
    entries.push({ name, data: readZipEntry(bytes, entry), deflate: options.deflate?.(name) });
  }
  const text = (s: string) => new TextEncoder().encode(s);
  entries.push({ name: `${root}/byteorder`, data: text('little') });
  entries.push({ name: `${root}/.data/serialization_id`, data: text('1234567890') });
  entries.push({ name: `${root}/.format_version`, data: text('1') });
  return entries;
}

describe('torch.save zip checkpoints', () => {
  const expected = readTinyExpected();

  it.each(['tiny_state_dict.pth', 'tiny_wrapped.pth'])('%s parses exactly to tiny_expected.json', (file) => {
    expectStateDictToMatch(loadCheckpoint(tiny(file)), expected);
  });

  it('reads views of one shared storage (offset and transposed strides) from the same bytes', () => {
    const sd = loadCheckpoint(tiny('tiny_state_dict.pth'));
    const base = sd.get('shared_a')!.data as Float32Array;
    const view = sd.get('shared_b_view')!.data as Float32Array;
    const transposed = sd.get('transposed')!.data as Float32Array;
    // shared_b_view = shared_a[1:3, 2:5], transposed = shared_a.t()
    expect(Array.from(view)).toEqual([base[8], base[9], base[10], base[14], base[15], base[16]]);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 4; c++) expect(transposed[r * 4 + c]).toBe(base[c * 6 + r]);
  });

  it('reads the torch 2.x layout (archive/ root, byteorder and .data records)', () => {
    const bytes = writeZip(repackTiny('archive'));
    expectStateDictToMatch(parseCheckpoint(bytes, 'torch2.pth'), expected);
  });

  it('reads a ZIP64 archive with deflated entries', () => {
    const deflate = (name: string) => name.endsWith('data.pkl') || /data\/[0-3]$/.test(name);
    const bytes = writeZip(repackTiny('archive', { deflate }), { zip64: true });
    expectStateDictToMatch(parseCheckpoint(bytes, 'zip64.pth'), expected);
  });

  it('detects the format by content, not by extension', () => {
    const bytes = fs.readFileSync(tiny('tiny_state_dict.pth'));
    expectStateDictToMatch(parseCheckpoint(bytes, 'weights.safetensors'), expected);
  });

  it('refuses the legacy (non-zip) format with how to re-save it', () => {
    const error = catchHostError(() => loadCheckpoint(tiny('tiny_legacy_format.pth')), 'CHECKPOINT_LEGACY_FORMAT');
    expect(error.message).toContain('tiny_legacy_format.pth');
    expect(error.message).toContain('torch.save(torch.load(f), g)');
  });

  it('reads a MatAnyone-sized .pth (the parity weights re-saved as torch.save would) bit-identically', () => {
    const reference = loadCheckpoint(PARITY_WEIGHTS);
    const bytes = asTorchSave(reference, 'matanyone');
    const sd = validateMatAnyone(parseCheckpoint(bytes, 'matanyone.pth'), 'matanyone.pth');
    expect(sd.size).toBe(562);
    const raw = (t: CheckpointTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (const [name, t] of reference) {
      const got = sd.get(name)!;
      expect([name, got.dtype, got.shape]).toEqual([name, t.dtype, t.shape]);
      expect(raw(got).equals(raw(t))).toBe(true); // bitwise, and far faster than toEqual on 35M elements
    }
  });
});
