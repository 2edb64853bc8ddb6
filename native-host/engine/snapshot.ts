import type { MemoryStoreState } from './memory/memory-store';

/**
 * Everything the engine needs to continue from a frame as if it had never stopped: per target the memory
 * (working and long-term, with usage counters), sensory, object memory and previous-frame tensors (spec
 * §3.2 state). Arrays are copies.
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
  memory: MemoryStoreState;
}

const MAGIC = 'MATANYONE-SNAPSHOT';
const VERSION = 2;
/** How a Float32Array leaf is written in the JSON header: where it lies in the data section. */
type ArrayRef = { $f32: [offset: number, length: number] };

function isArrayRef(v: unknown): v is ArrayRef {
  return typeof v === 'object' && v !== null && Array.isArray((v as ArrayRef).$f32);
}

/**
 * Serialises a snapshot: `MAGIC\n`, a u32 header length, a JSON header (the structure, with every
 * Float32Array replaced by where it lies), then the float32 data (4-byte aligned, little-endian).
 */
export function encodeSnapshot(s: EngineSnapshot): Buffer {
  const arrays: Float32Array[] = [];
  let floats = 0;
  const header = JSON.stringify({ version: VERSION, snapshot: s }, (_key, value) => {
    if (!(value instanceof Float32Array)) return value;
    arrays.push(value);
    const ref: ArrayRef = { $f32: [floats, value.length] };
    floats += value.length;
    return ref;
  });
  const prefix = Buffer.from(`${MAGIC}\n`);
  let json = Buffer.from(header);
  json = Buffer.concat([json, Buffer.alloc((4 - ((prefix.length + 4 + json.length) % 4)) % 4, 0x20)]);
  const out = Buffer.alloc(prefix.length + 4 + json.length + floats * 4);
  prefix.copy(out, 0);
  out.writeUInt32LE(json.length, prefix.length);
  json.copy(out, prefix.length + 4);
  const data = new Float32Array(out.buffer, out.byteOffset + prefix.length + 4 + json.length, floats);
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
  const copy = Buffer.from(buf.subarray(dataStart)); // aligned, and independent of the input
  const data = new Float32Array(copy.buffer, copy.byteOffset, Math.floor(copy.length / 4));
  let parsed: { version: number; snapshot: EngineSnapshot };
  try {
    parsed = JSON.parse(buf.toString('utf8', prefix.length + 4, dataStart), (_key, value) => {
      if (!isArrayRef(value)) return value;
      const [offset, length] = value.$f32;
      if (offset + length > data.length) throw new Error('engine snapshot is truncated');
      return data.slice(offset, offset + length);
    });
  } catch (e) {
    throw new Error(`engine snapshot is damaged: ${(e as Error).message}`);
  }
  if (parsed.version !== VERSION) throw new Error(`engine snapshot version ${parsed.version} is not ${VERSION}`);
  return parsed.snapshot;
}
