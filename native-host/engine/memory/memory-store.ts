/**
 * One memory frame: key `[64, HW]`, shrinkage `[HW]`, value `[256, HW]` (channel-major, f32); with long-term
 * memory also the selection `[64, HW]` and per-token usage counters (use_cnt, life_cnt).
 */
export interface MemoryFrame {
  key: Float32Array;
  shrinkage: Float32Array;
  value: Float32Array;
  selection?: Float32Array;
  useCount?: Float32Array;
  lifeCount?: Float32Array;
}

/** Memory tokens as memory_readout takes them: `[64,N]`, `[N]`, `[256,N]`. */
export interface MemoryBank {
  key: Float32Array;
  shrinkage: Float32Array;
  value: Float32Array;
  tokens: number;
}

/** Long-term memory tokens (prototypes) with their usage counters, as a bank plus `[N]` counters. */
export interface LongTermTokens extends MemoryBank {
  useCount: Float32Array;
  lifeCount: Float32Array;
}

/** The state of a store, for snapshots. */
export interface MemoryStoreState {
  /** permanent frames (the first frame, then mask corrections), then temporary frames oldest → newest */
  frames: MemoryFrame[];
  /** how many of `frames` are permanent */
  permanentCount: number;
  longTerm?: LongTermTokens;
}

/** What the engine needs of a memory: the bank to read, writes, usage after reads, and its state. */
export interface MemoryStore {
  readonly tokensPerFrame: number;
  /** true when reads must report per-token usage (long-term memory counts it) */
  readonly tracksUsage: boolean;
  bank(): MemoryBank;
  /**
   * Writes a memory frame. The first frame written is permanent (as_permanent='first'); `permanent` makes a
   * later one permanent too (a user's mask correction, force_permanent). Others are temporary.
   */
  add(frame: MemoryFrame, options?: { permanent?: boolean }): Promise<void>;
  clear(): void;
  /** usage `[N]` of the last read, in bank token order */
  recordUsage(usage: Float32Array): void;
  state(): MemoryStoreState;
}

export const KEY_DIM = 64;
export const VALUE_DIM = 256;

/** Concatenates token blocks channel-wise: block b's `[C, n_b]` lands at columns offset_b… of `[C, Σn]`. */
export function concatTokens(blocks: { data: Float32Array; tokens: number }[], channels: number): Float32Array {
  const total = blocks.reduce((a, b) => a + b.tokens, 0);
  const out = new Float32Array(channels * total);
  let offset = 0;
  for (const b of blocks) {
    for (let c = 0; c < channels; c++) out.set(b.data.subarray(c * b.tokens, (c + 1) * b.tokens), c * total + offset);
    offset += b.tokens;
  }
  return out;
}

/** Columns `indices` of a channel-major `[C, n]` map, as `[C, indices.length]`. */
export function gatherTokens(map: Float32Array, channels: number, indices: readonly number[]): Float32Array {
  const n = map.length / channels;
  const out = new Float32Array(channels * indices.length);
  for (let c = 0; c < channels; c++) for (let i = 0; i < indices.length; i++) out[c * indices.length + i] = map[c * n + indices[i]];
  return out;
}

/** Builds the bank of `frames` (all with the same token count). */
export function frameBank(frames: MemoryFrame[], tokensPerFrame: number, prefix?: MemoryBank): MemoryBank {
  const blocks = (pick: (f: MemoryFrame) => Float32Array, fromPrefix?: Float32Array) => [
    ...(prefix && prefix.tokens > 0 ? [{ data: fromPrefix!, tokens: prefix.tokens }] : []),
    ...frames.map((f) => ({ data: pick(f), tokens: tokensPerFrame })),
  ];
  const key = concatTokens(blocks((f) => f.key, prefix?.key), KEY_DIM);
  const value = concatTokens(blocks((f) => f.value, prefix?.value), VALUE_DIM);
  const shrinkage = concatTokens(blocks((f) => f.shrinkage, prefix?.shrinkage), 1);
  return { key, shrinkage, value, tokens: shrinkage.length };
}
