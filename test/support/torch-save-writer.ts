import type { StateDict } from '../../native-host/convert/checkpoint/tensor';
import { orderedDict, pickle, rebuildTensorV2, torchStorage, type Py } from './pickle-writer';
import { writeZip, type ZipWriterEntry } from './zip-writer';

/**
 * A state dict written the way `torch.save(state_dict, f)` lays it out (torch 1.13: a stored zip with
 * `<root>/data.pkl`, one storage per tensor under `<root>/data/<key>`, and `<root>/version`).
 * Only float32 and int64 tensors, contiguous: what MatAnyone checkpoints hold.
 */
export function asTorchSave(stateDict: StateDict, root: string): Uint8Array {
  const records: Array<[string, Py]> = [];
  const entries: ZipWriterEntry[] = [];
  [...stateDict].forEach(([name, t], i) => {
    const storage = torchStorage(t.dtype === 'int64' ? 'LongStorage' : 'FloatStorage', String(i), t.data.length);
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    records.push([name, rebuildTensorV2(storage, 0, [...t.shape], stride)]);
    entries.push({ name: `${root}/data/${i}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });
  });
  return writeZip([
    { name: `${root}/data.pkl`, data: pickle(orderedDict(records)) },
    ...entries,
    { name: `${root}/version`, data: new TextEncoder().encode('3\n') },
  ]);
}
