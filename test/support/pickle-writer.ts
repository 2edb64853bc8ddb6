/**
 * A tiny protocol-2 pickle writer for building torch.save `data.pkl` records that the fixtures do not cover
 * (torch 2.x records, wrappers). It writes only what torch writes: globals, calls (REDUCE), tuples,
 * dicts, strings, ints, bools, None and persistent ids.
 */

/** A Python value to pickle. JS arrays are tuples, Maps are dicts. */
export type Py = string | number | boolean | null | Py[] | Map<Py, Py> | PyGlobal | PyCall | PyPersistentId;

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** `fn(*args)`, then `result[k] = v` for each of `dictItems` (how pickle writes dict subclasses). */
export class PyCall {
  constructor(
    readonly fn: Py,
    readonly args: Py[],
    readonly dictItems: Array<[Py, Py]> = [],
  ) {}
}
export class PyPersistentId {
  constructor(readonly id: Py) {}
}

export const global = (module: string, name: string): PyGlobal => new PyGlobal(module, name);
export const call = (fn: Py, ...args: Py[]): PyCall => new PyCall(fn, args);
export const persistentId = (id: Py): PyPersistentId => new PyPersistentId(id);
export const orderedDict = (entries: Array<[string, Py]>): PyCall =>
  new PyCall(global('collections', 'OrderedDict'), [], entries);

class Out {
  readonly bytes: number[] = [];
  op(code: string | number): void {
    this.bytes.push(typeof code === 'number' ? code : code.charCodeAt(0));
  }
  raw(b: Iterable<number>): void {
    for (const x of b) this.bytes.push(x);
  }
  u32(n: number): void {
    this.raw([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
  }
}

function write(out: Out, v: Py): void {
  if (v === null) out.op('N');
  else if (v === true) out.op(0x88);
  else if (v === false) out.op(0x89);
  else if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`int32 only: ${v}`);
    out.op('J');
    out.u32(v >>> 0);
  } else if (typeof v === 'string') {
    const b = new TextEncoder().encode(v);
    out.op('X');
    out.u32(b.length);
    out.raw(b);
  } else if (Array.isArray(v)) {
    if (v.length === 0) return out.op(')');
    out.op('(');
    for (const x of v) write(out, x);
    out.op('t');
  } else if (v instanceof Map) {
    out.op('}');
    writeItems(out, [...v]);
  } else if (v instanceof PyGlobal) {
    out.op('c');
    out.raw(new TextEncoder().encode(`${v.module}\n${v.name}\n`));
  } else if (v instanceof PyPersistentId) {
    write(out, v.id);
    out.op('Q');
  } else {
    write(out, v.fn);
    write(out, v.args);
    out.op('R');
    writeItems(out, v.dictItems);
  }
}

function writeItems(out: Out, items: Array<[Py, Py]>): void {
  if (items.length === 0) return;
  out.op('(');
  for (const [k, x] of items) {
    write(out, k);
    write(out, x);
  }
  out.op('u');
}

/** Pickles `value` with protocol 2. */
export function pickle(value: Py): Uint8Array {
  const out = new Out();
  out.raw([0x80, 2]);
  write(out, value);
  out.op('.');
  return Uint8Array.from(out.bytes);
}

/** `('storage', torch.<cls>, key, 'cpu', numel)` as torch.save's persistent_id writes it. */
export function torchStorage(cls: string, key: string, numel: number): PyPersistentId {
  return persistentId(['storage', global('torch', cls), key, 'cpu', numel]);
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())` */
export function rebuildTensorV2(storage: Py, offset: number, size: number[], stride: number[]): PyCall {
  return call(global('torch._utils', '_rebuild_tensor_v2'), storage, offset, size, stride, false, orderedDict([]));
}
