import { parseCheckpoint } from '../../native-host/convert/checkpoint/load-checkpoint';
import { catchHostError } from '../support/checkpoint-fixtures';
import {
  call,
  global,
  orderedDict,
  persistentId,
  pickle,
  rebuildTensorV2,
  torchStorage,
  type Py,
} from '../support/pickle-writer';
import { writeZip, type ZipWriterEntry } from '../support/zip-writer';

/** float16 bit patterns: 1, -2, 0.5, 65504 */
const HALF_BITS = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]);
const FLOATS = new Float32Array([0, 1, 2, 3, 4, 5]);

/** A torch 2.x-style archive holding `root` as data.pkl and the two storages the records below use. */
function archive(root: Py, extra: ZipWriterEntry[] = []): Uint8Array {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return writeZip([
    { name: 'archive/data.pkl', data: pickle(root) },
    { name: 'archive/byteorder', data: new TextEncoder().encode('little') },
    { name: 'archive/data/0', data: bytes(FLOATS) },
    { name: 'archive/data/1', data: bytes(HALF_BITS) },
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
    ...extra,
  ]);
}

const floats = torchStorage('FloatStorage', '0', 6);
const hooks = () => orderedDict([]);

describe('torch.save records beyond the fixtures (hand-built pickles)', () => {
  it('reads parameters, _rebuild_tensor_v3 on an untyped storage, tensor subclasses and a state_dict wrapper', () => {
    const stateDict = orderedDict([
      ['plain', rebuildTensorV2(floats, 0, [2, 3], [3, 1])],
      ['param', call(global('torch._utils', '_rebuild_parameter'), rebuildTensorV2(floats, 3, [3], [1]), true, hooks())],
      // torch >= 2.1: untyped storage (numel counts bytes), dtype passed as a torch.float16 global
      [
        'v3_half',
        call(
          global('torch._utils', '_rebuild_tensor_v3'),
          persistentId(['storage', global('torch', 'UntypedStorage'), '1', 'cpu', 8]),
          1,
          [3],
          [1],
          false,
          hooks(),
          global('torch', 'float16'),
        ),
      ],
      // a tensor with python attributes: _rebuild_from_type_v2(func, type, args, state)
      [
        'subclass',
        call(
          global('torch._tensor', '_rebuild_from_type_v2'),
          global('torch._utils', '_rebuild_tensor_v2'),
          global('torch', 'Tensor'),
          [floats, 4, [2], [1], false, hooks()],
          new Map(),
        ),
      ],
      ['not_a_tensor', 'ignored'],
    ]);
    const root = new Map<Py, Py>([
      ['epoch', 3],
      ['state_dict', stateDict],
      ['optimizer', new Map<Py, Py>([['lr', 1]])],
    ]);
    const sd = parseCheckpoint(archive(root), 'torch2.pt');
    expect([...sd.keys()]).toEqual(['plain', 'param', 'v3_half', 'subclass']);
    expect(sd.get('plain')).toEqual({ dtype: 'float32', shape: [2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) });
    expect(sd.get('param')).toEqual({ dtype: 'float32', shape: [3], data: new Float32Array([3, 4, 5]) });
    expect(sd.get('v3_half')).toEqual({ dtype: 'float16', shape: [3], data: new Float32Array([-2, 0.5, 65504]) });
    expect(sd.get('subclass')).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([4, 5]) });
  });

  it('reads storages pickled as torch.cuda.*Storage by old GPU saves', () => {
    const cuda = persistentId(['storage', global('torch.cuda', 'HalfStorage'), '1', 'cuda:0', 4]);
    const sd = parseCheckpoint(archive(orderedDict([['w', rebuildTensorV2(cuda, 0, [2, 2], [1, 2])]])), 'gpu.pth');
    // transposed 2x2 view of [1, -2, 0.5, 65504]
    expect(sd.get('w')).toEqual({ dtype: 'float16', shape: [2, 2], data: new Float32Array([1, 0.5, -2, 65504]) });
  });

  it('refuses a tensor kind it does not read (quantised) and names the tensor', () => {
    const q = call(global('torch._utils', '_rebuild_qtensor'), floats, 0, [6], [1]);
    const error = catchHostError(() => parseCheckpoint(archive(orderedDict([['q', q]])), 'q.pth'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toMatch(/^q\.pth cannot be read: tensor 'q' is stored as torch\._utils\._rebuild_qtensor/);
  });

  it('refuses a storage dtype it does not read', () => {
    const u16 = persistentId(['storage', global('torch', 'UInt16Storage'), '1', 'cpu', 4]);
    const error = catchHostError(
      () => parseCheckpoint(archive(orderedDict([['u', rebuildTensorV2(u16, 0, [4], [1])]])), 'u16.pth'),
      'CHECKPOINT_FOREIGN',
    );
    expect(error.message).toContain('torch.UInt16Storage');
  });

  it('explains a pickled whole model (torch.save(model)) instead of a state dict', () => {
    const model = call(global('__main__', 'Net'));
    const error = catchHostError(() => parseCheckpoint(archive(model), 'model.pt'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('__main__.Net');
    expect(error.message).toContain('torch.save(model.state_dict(), f)');
  });

  it('refuses a TorchScript archive', () => {
    const bytes = archive(orderedDict([]), [{ name: 'archive/constants.pkl', data: pickle([]) }]);
    const error = catchHostError(() => parseCheckpoint(bytes, 'scripted.pt'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('TorchScript');
  });

  it('refuses a big-endian archive', () => {
    const bytes = writeZip([
      { name: 'archive/data.pkl', data: pickle(orderedDict([['plain', rebuildTensorV2(floats, 0, [6], [1])]])) },
      { name: 'archive/byteorder', data: new TextEncoder().encode('big') },
      { name: 'archive/data/0', data: new Uint8Array(24) },
    ]);
    const error = catchHostError(() => parseCheckpoint(bytes, 'be.pth'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('big-endian');
  });

  it('calls a dict without tensors foreign', () => {
    const root = new Map<Py, Py>([['epoch', 3]]);
    const error = catchHostError(() => parseCheckpoint(archive(root), 'meta.pth'), 'CHECKPOINT_FOREIGN');
    expect(error.message).toContain('meta.pth');
  });
});
