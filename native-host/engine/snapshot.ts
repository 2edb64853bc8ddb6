import type { MemoryFrame } from './memory/working-memory';

/**
 * Everything the engine needs to continue from a frame as if it had never stopped: per target the memory
 * bank, sensory, object memory and previous-frame tensors (spec §3.2 state). Arrays are copies.
 */
export interface EngineSnapshot {
  /** source frame size */
  width: number;
  height: number;
  /** curr_ti of the last frame processed */
  frameIndex: number;
  targets: TargetSnapshot[];
}

export interface TargetSnapshot {
  lastMemoryFrame: number;
  sensory: Float32Array;
  objMemory: Float32Array;
  lastMaskValue: Float32Array;
  lastMask: Float32Array;
  lastPixFeat: Float32Array;
  /** permanent frame first, then temporary frames oldest → newest */
  memory: MemoryFrame[];
}

const MAGIC = 'MATANYONE-SNAPSHOT';
const VERSION = 1;
type ArrayRef = [offset: number, length: number];

/**
 * Serialises a snapshot: `MAGIC\n`, a u32 header length, a JSON header (sizes and where each array lies),
 * then the float32 data (4-byte aligned, little-endian).
 */
export function encodeSnapshot(s: EngineSnapshot): Buffer {
  const arrays: Float32Array[] = [];
  let offset = 0;
  const ref = (a: Float32Array): ArrayRef => {
    arrays.push(a);
    const r: ArrayRef = [offset, a.length];
    offset += a.length;
    return r;
  };
  const header = {
    version: VERSION,
    width: s.width,
    height: s.height,
    frameIndex: s.frameIndex,
    targets: s.targets.map((t) => ({
      lastMemoryFrame: t.lastMemoryFrame,
      sensory: ref(t.sensory),
      objMemory: ref(t.objMemory),
      lastMaskValue: ref(t.lastMaskValue),
      lastMask: ref(t.lastMask),
      lastPixFeat: ref(t.lastPixFeat),
      memory: t.memory.map((f) => ({ key: ref(f.key), shrinkage: ref(f.shrinkage), value: ref(f.value) })),
    })),
  };
  let json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.from(`${MAGIC}\n`);
  const unpadded = prefix.length + 4 + json.length;
  json = Buffer.concat([json, Buffer.alloc((4 - (unpadded % 4)) % 4, 0x20)]);
  const out = Buffer.alloc(prefix.length + 4 + json.length + offset * 4);
  prefix.copy(out, 0);
  out.writeUInt32LE(json.length, prefix.length);
  json.copy(out, prefix.length + 4);
  const data = new Float32Array(out.buffer, out.byteOffset + prefix.length + 4 + json.length, offset);
  let at = 0;
  for (const a of arrays) {
    data.set(a, at);
    at += a.length;
  }
  return out;
}

/** Parses encodeSnapshot's output; throws on anything else (a truncated or foreign file). */
export function decodeSnapshot(bytes: Uint8Array): EngineSnapshot {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = `${MAGIC}\n`;
  if (buf.length < prefix.length + 4 || buf.toString('latin1', 0, prefix.length) !== prefix) throw new Error('not an engine snapshot');
  const jsonLength = buf.readUInt32LE(prefix.length);
  const dataStart = prefix.length + 4 + jsonLength;
  if (dataStart > buf.length) throw new Error('engine snapshot is truncated');
  const header = JSON.parse(buf.toString('utf8', prefix.length + 4, dataStart));
  if (header.version !== VERSION) throw new Error(`engine snapshot version ${header.version} is not ${VERSION}`);
  const floats = (buf.length - dataStart) / 4;
  const aligned = Buffer.from(buf.subarray(dataStart)); // a copy: aligned and independent of the input
  const data = new Float32Array(aligned.buffer, aligned.byteOffset, Math.floor(floats));
  const get = ([offset, length]: ArrayRef): Float32Array => {
    if (offset + length > data.length) throw new Error('engine snapshot is truncated');
    return data.slice(offset, offset + length);
  };
  return {
    width: header.width,
    height: header.height,
    frameIndex: header.frameIndex,
    targets: header.targets.map((t: Record<string, unknown>) => ({
      lastMemoryFrame: t.lastMemoryFrame as number,
      sensory: get(t.sensory as ArrayRef),
      objMemory: get(t.objMemory as ArrayRef),
      lastMaskValue: get(t.lastMaskValue as ArrayRef),
      lastMask: get(t.lastMask as ArrayRef),
      lastPixFeat: get(t.lastPixFeat as ArrayRef),
      memory: (t.memory as Record<string, ArrayRef>[]).map((f) => ({ key: get(f.key), shrinkage: get(f.shrinkage), value: get(f.value) })),
    })),
  };
}
