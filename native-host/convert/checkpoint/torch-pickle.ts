import { NameRegistry, Parser } from 'pickleparser';
import { corrupt, unsupported } from './checkpoint-errors';
import type { TensorDType } from './tensor';

/**
 * A storage named by a persistent id `('storage', torch.FloatStorage, key, location, numel)`; its bytes
 * are the zip entry `<prefix>/data/<key>`. `dtype` is `untyped` for `torch.UntypedStorage` (then `numel`
 * counts bytes and the dtype comes from `_rebuild_tensor_v3`).
 */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: TensorDType | 'untyped',
    readonly numel: number,
  ) {}
}

/** A tensor as `torch._utils._rebuild_tensor*` describes it: a strided view of a storage (in elements). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: TensorDType,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** Storage class names (module `torch`) and the dtype of their elements. */
const STORAGE_DTYPE: Readonly<Record<string, TensorDType>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** `torch.<name>` dtype objects (pickled as globals, e.g. in `_rebuild_tensor_v3`), aliases included. */
const DTYPE_GLOBALS: Readonly<Record<string, TensorDType>> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** Stand-ins for torch dtype globals; the parser only passes them around, we look them up by identity. */
class TorchMarker {
  constructor(readonly qualifiedName: string) {}
}

/**
 * `module.name` of an object pickleparser made for a global nobody registered (an inert PObject),
 * else undefined.
 */
export function pickledClassName(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { __module__?: unknown; __name__?: unknown };
  return typeof v.__module__ === 'string' && typeof v.__name__ === 'string' ? `${v.__module__}.${v.__name__}` : undefined;
}

function describe(value: unknown): string {
  if (value instanceof TorchMarker) return value.qualifiedName;
  if (typeof value === 'function') {
    const proto = (value as { prototype?: unknown }).prototype;
    return pickledClassName(proto) ?? 'an unknown type';
  }
  return pickledClassName(value) ?? typeof value;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Builds the name registry: which Python globals become which JS values. */
function torchRegistry(storageDType: Map<unknown, TensorDType | 'untyped'>, dtypes: Map<unknown, TensorDType>) {
  const reg = new NameRegistry();
  // state_dict() is an OrderedDict; without this its entries would land as properties on a PObject.
  reg.register('collections', 'OrderedDict', () => new Map());

  // Storage classes only travel inside persistent ids (never called); each gets a unique stand-in function
  // that the persistent-id resolver looks up by identity.
  const storageClass = (module: string, name: string, dtype: TensorDType | 'untyped') => {
    const standIn = () => undefined;
    reg.register(module, name, standIn);
    storageDType.set(standIn, dtype);
  };
  for (const [cls, dtype] of Object.entries(STORAGE_DTYPE)) {
    storageClass('torch', cls, dtype);
    storageClass('torch.cuda', cls, dtype); // files saved from GPU tensors by torch < 1.11
  }
  storageClass('torch', 'UntypedStorage', 'untyped');
  storageClass('torch.storage', 'UntypedStorage', 'untyped');
  // dtype objects are pushed by GLOBAL and passed as arguments, never called: register plain markers.
  for (const [name, dtype] of Object.entries(DTYPE_GLOBALS)) {
    const marker = new TorchMarker(`torch.${name}`);
    reg.register('torch', name, marker as unknown as () => TorchMarker);
    dtypes.set(marker, dtype);
  }

  const rebuild = (storage: unknown, offset: unknown, size: unknown, stride: unknown, dtype?: TensorDType): TensorRef => {
    if (!(storage instanceof StorageRef)) throw unsupported(`a tensor uses a storage of type ${describe(storage)}`);
    const elementType = dtype ?? (storage.dtype === 'untyped' ? undefined : storage.dtype);
    if (!elementType) throw unsupported('a tensor uses an untyped storage without a dtype');
    if (!isIndex(offset) || !Array.isArray(size) || !Array.isArray(stride)) {
      throw corrupt('a tensor record has a malformed offset, size or stride');
    }
    return new TensorRef(storage, elementType, offset, size as number[], stride as number[]);
  };
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  reg.register('torch._utils', '_rebuild_tensor_v2', (st: unknown, off: unknown, size: unknown, stride: unknown) =>
    rebuild(st, off, size, stride),
  );
  reg.register('torch._utils', '_rebuild_tensor', (st: unknown, off: unknown, size: unknown, stride: unknown) =>
    rebuild(st, off, size, stride),
  );
  // _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata]):
  // torch >= 2.1 uses it for dtypes without a typed storage class; the storage is then untyped (bytes).
  reg.register(
    'torch._utils',
    '_rebuild_tensor_v3',
    (st: unknown, off: unknown, size: unknown, stride: unknown, _rg: unknown, _hooks: unknown, dtype: unknown) => {
      const elementType = dtypes.get(dtype);
      if (!elementType) throw unsupported(`a tensor has dtype ${describe(dtype)}, which is not supported`);
      return rebuild(st, off, size, stride, elementType);
    },
  );
  // Parameters wrap a tensor; requires_grad, hooks and python state do not matter for reading weights.
  const passThrough = (data: unknown) => data;
  reg.register('torch._utils', '_rebuild_parameter', passThrough);
  reg.register('torch._utils', '_rebuild_parameter_with_state', passThrough);
  // Tensors with python attributes: _rebuild_from_type_v2(func, new_type, args, state) -> func(*args).
  const fromType = (func: unknown, _type: unknown, args: unknown) => {
    if (typeof func !== 'function' || !Array.isArray(args)) throw corrupt('a tensor record is malformed');
    return (func as (...a: unknown[]) => unknown)(...args);
  };
  reg.register('torch._tensor', '_rebuild_from_type_v2', fromType);
  reg.register('torch._tensor', '_rebuild_from_type', fromType);
  return reg;
}

/**
 * Unpickles a torch.save `data.pkl` with pickleparser. Tensors come back as {@link TensorRef}s (nothing is
 * read from storages yet), dicts as `Map`s, tuples as arrays; unknown classes become inert objects (no code
 * runs).
 *
 * @throws CheckpointFormatError for malformed tensor records or unsupported storages/dtypes; pickleparser's
 * own errors (truncated or invalid pickle) pass through
 */
export function unpickleTorch(pickle: Uint8Array): unknown {
  const storageDType = new Map<unknown, TensorDType | 'untyped'>();
  const dtypes = new Map<unknown, TensorDType>();
  const registry = torchRegistry(storageDType, dtypes);
  // Tensors that share a storage must share one StorageRef so the bytes are read (and copied) once.
  const storages = new Map<string, StorageRef>();
  const resolvePersistentId = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw unsupported('an unknown persistent record');
    const [, cls, rawKey, , numel] = pid;
    const dtype = storageDType.get(cls);
    if (!dtype) throw unsupported(`a storage of type ${describe(cls)}, which is not supported`);
    if ((typeof rawKey !== 'string' && typeof rawKey !== 'number') || !isIndex(numel)) {
      throw corrupt('a storage record is malformed');
    }
    const key = String(rawKey);
    const known = storages.get(key);
    if (known) return known;
    const ref = new StorageRef(key, dtype, numel);
    storages.set(key, ref);
    return ref;
  };
  const parser = new Parser({
    nameResolver: registry,
    unpicklingTypeOfDictionary: 'Map',
    persistentResolver: { resolve: resolvePersistentId as (pid: string) => unknown },
  });
  // pickleparser console.warn()s when a LONG1 int exceeds 2^53; only damaged files have such ints and our
  // checks reject them, so keep the warning out of the host's output (parsing is synchronous).
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return parser.parse(pickle);
  } finally {
    console.warn = warn;
  }
}
