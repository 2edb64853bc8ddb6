import { corrupt, foreign, unsupported } from './checkpoint-errors';
import { materializeTensor } from './materialize';
import { viewStorage, type StorageElements } from './storage-view';
import { DTYPE_ITEM_SIZE, type StateDict, type TensorDType } from './tensor';
import { unpickleTorch, type StorageRef } from './torch-pickle';
import { findTorchStateDict } from './torch-state-dict';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip-reader';

/** The archive's root folder: the file stem in torch 1.x (`tiny_state_dict/`), `archive/` in torch 2.x. */
function findPrefix(entries: Map<string, ZipEntry>): string {
  const names = [...entries.keys()];
  // TorchScript archives also hold a data.pkl, but of scripted module objects rather than a state dict.
  if (names.some((n) => /^[^/]+\/(constants\.pkl|code\/)/.test(n))) {
    throw unsupported('it is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save');
  }
  for (const name of names) {
    const m = /^([^/]+\/)data\.pkl$/.exec(name);
    if (m) return m[1];
  }
  throw foreign('it is a zip archive without data.pkl');
}

/** Reads each storage once, as elements of the dtype its tensors use. */
class StorageCache {
  private readonly cache = new Map<string, StorageElements>();
  constructor(
    private readonly bytes: Uint8Array,
    private readonly entries: Map<string, ZipEntry>,
    private readonly prefix: string,
  ) {}

  elements(storage: StorageRef, dtype: TensorDType): StorageElements {
    const cacheKey = `${storage.key}\0${dtype}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const entryName = `${this.prefix}data/${storage.key}`;
    const entry = this.entries.get(entryName);
    if (!entry) throw corrupt(`storage ${entryName} is missing`);
    const data = readZipEntry(this.bytes, entry);
    // Typed storages count elements; untyped ones (torch >= 2.1, _rebuild_tensor_v3) count bytes.
    const byteLength = storage.dtype === 'untyped' ? storage.numel : storage.numel * DTYPE_ITEM_SIZE[dtype];
    if (data.length < byteLength) {
      throw corrupt(`storage ${entryName} has ${data.length} bytes, ${byteLength} expected`);
    }
    const elements = viewStorage(data, dtype, Math.floor(byteLength / DTYPE_ITEM_SIZE[dtype]));
    this.cache.set(cacheKey, elements);
    return elements;
  }
}

/**
 * Parses a torch.save zip (PyTorch >= 1.6): unpickles `<prefix>/data.pkl`, finds the state dict (unwrapping
 * `model`/`state_dict`), and reads each tensor's view from `<prefix>/data/<key>`.
 *
 * @param bytes - the whole file
 * @returns the state dict; float32/int tensors whose view is contiguous are zero-copy views into `bytes`
 * @throws CheckpointFormatError for damaged, foreign or unsupported content; pickleparser errors pass through
 */
export function parseTorchZip(bytes: Uint8Array): StateDict {
  const entries = readZipDirectory(bytes);
  const prefix = findPrefix(entries);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(readZipEntry(bytes, byteorder)).trim() === 'big') {
    throw unsupported('it was saved on a big-endian machine; re-save it on a little-endian one');
  }
  const root = unpickleTorch(readZipEntry(bytes, entries.get(`${prefix}data.pkl`)!));
  const refs = findTorchStateDict(root);
  const storages = new StorageCache(bytes, entries, prefix);
  const out: StateDict = new Map();
  for (const [name, ref] of refs) {
    const elements = storages.elements(ref.storage, ref.dtype);
    out.set(name, materializeTensor(name, { ...ref, elements }));
  }
  return out;
}
