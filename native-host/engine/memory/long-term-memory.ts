import {
  concatTokens,
  frameBank,
  gatherTokens,
  KEY_DIM,
  LongTermTokens,
  MemoryBank,
  MemoryFrame,
  MemoryStore,
  MemoryStoreState,
  VALUE_DIM,
} from './memory-store';

/** config long_term: working memory 10 and 5 frames (minus the permanent one), 128 prototypes, 10000 tokens. */
export interface LongTermLimits {
  maxWorkFrames: number;
  minWorkFrames: number;
  prototypes: number;
  maxLongTokens: number;
  bufferTokens: number;
}

export const OFFICIAL_LONG_TERM: LongTermLimits = { maxWorkFrames: 9, minWorkFrames: 4, prototypes: 128, maxLongTokens: 10000, bufferTokens: 2000 };

/** Re-estimates prototype values and shrinkages from the candidates (the memory_consolidate graph). */
export type Consolidator = (
  candidates: MemoryBank,
  prototypeKey: Float32Array,
  prototypeSelection: Float32Array,
) => Promise<{ value: Float32Array; shrinkage: Float32Array }>;

/** life_cnt starts just above zero so that use/life is defined for tokens never read yet. */
const INITIAL_LIFE = 1e-7;

function noLongTermTokens(): LongTermTokens {
  const empty = new Float32Array(0);
  return { key: empty, shrinkage: empty, value: empty, useCount: empty, lifeCount: empty, tokens: 0 };
}

/** Indices of the k largest values, largest first; ties keep the lower index first. */
function topIndices(values: Float32Array, k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

function normalisedUsage(use: Float32Array, life: Float32Array): Float32Array {
  return use.map((u, i) => u / life[i]);
}

/**
 * Working memory plus long-term memory (spec §3.9, `use_long_term`): reads see [long-term | permanent |
 * temporary] tokens and count their usage; when the temporary part reaches `maxWorkFrames`, all but the
 * newest `minWorkFrames` frames are consolidated into `prototypes` long-term tokens (the most used ones,
 * their values re-read from all candidates). Long-term memory is capped by dropping its least-used tokens.
 * Memory stays bounded however long the stream.
 */
export class LongTermMemory implements MemoryStore {
  readonly tracksUsage = true;
  permanent: MemoryFrame[] = [];
  temporary: MemoryFrame[] = [];
  long: LongTermTokens = noLongTermTokens();
  private cached?: MemoryBank;

  constructor(
    readonly tokensPerFrame: number,
    private readonly consolidate: Consolidator,
    private readonly limits: LongTermLimits = OFFICIAL_LONG_TERM,
  ) {}

  async add(frame: MemoryFrame, options: { permanent?: boolean } = {}): Promise<void> {
    if (!frame.selection) throw new Error('long-term memory needs the selection of each memory frame');
    const tracked: MemoryFrame = {
      ...frame,
      useCount: frame.useCount ?? new Float32Array(this.tokensPerFrame),
      lifeCount: frame.lifeCount ?? new Float32Array(this.tokensPerFrame).fill(INITIAL_LIFE),
    };
    if (this.permanent.length === 0 || options.permanent) this.permanent.push(tracked);
    else this.temporary.push(tracked);
    this.cached = undefined;
    if (this.temporary.length >= this.limits.maxWorkFrames) {
      if (this.long.tokens >= this.limits.maxLongTokens - this.limits.prototypes)
        this.keepMostUsed(this.limits.maxLongTokens - this.limits.prototypes - this.limits.bufferTokens);
      await this.compress();
    }
  }

  clear(): void {
    this.permanent = [];
    this.temporary = [];
    this.long = noLongTermTokens();
    this.cached = undefined;
  }

  get frames(): MemoryFrame[] {
    return [...this.permanent, ...this.temporary];
  }

  bank(): MemoryBank {
    if (this.permanent.length === 0) throw new Error('memory read before any memory was written');
    this.cached ??= frameBank(this.frames, this.tokensPerFrame, this.long);
    return this.cached;
  }

  /** use_cnt += usage and life_cnt += 1 for every long-term and temporary token (spec §3.9). */
  recordUsage(usage: Float32Array): void {
    const hw = this.tokensPerFrame;
    for (let i = 0; i < this.long.tokens; i++) {
      this.long.useCount[i] += usage[i];
      this.long.lifeCount[i] += 1;
    }
    this.temporary.forEach((f, t) => {
      const offset = this.long.tokens + (this.permanent.length + t) * hw; // after the permanent frames
      for (let i = 0; i < hw; i++) {
        f.useCount![i] += usage[offset + i];
        f.lifeCount![i] += 1;
      }
    });
  }

  state(): MemoryStoreState {
    return { frames: this.frames, permanentCount: this.permanent.length, longTerm: this.long };
  }

  /** Restores counters and long-term tokens from a snapshot (frames go through `add` before this). */
  restoreLongTerm(tokens: LongTermTokens): void {
    this.long = tokens;
    this.cached = undefined;
  }

  /** Consolidates all but the newest minWorkFrames temporary frames into prototypes. */
  private async compress(): Promise<void> {
    const hw = this.tokensPerFrame;
    const candidates = this.temporary.slice(0, this.temporary.length - this.limits.minWorkFrames);
    const bank = frameBank(candidates, hw);
    const blocks = (pick: (f: MemoryFrame) => Float32Array) => candidates.map((f) => ({ data: pick(f), tokens: hw }));
    const selection = concatTokens(blocks((f) => f.selection!), KEY_DIM);
    const usage = normalisedUsage(concatTokens(blocks((f) => f.useCount!), 1), concatTokens(blocks((f) => f.lifeCount!), 1));
    const chosen = topIndices(usage, this.limits.prototypes);
    const prototypeKey = gatherTokens(bank.key, KEY_DIM, chosen);
    const { value, shrinkage } = await this.consolidate(bank, prototypeKey, gatherTokens(selection, KEY_DIM, chosen));
    this.temporary = this.temporary.slice(candidates.length);
    const added = chosen.length;
    this.long = {
      key: concatTokens([{ data: this.long.key, tokens: this.long.tokens }, { data: prototypeKey, tokens: added }], KEY_DIM),
      value: concatTokens([{ data: this.long.value, tokens: this.long.tokens }, { data: value, tokens: added }], VALUE_DIM),
      shrinkage: Float32Array.from([...this.long.shrinkage, ...shrinkage]),
      useCount: Float32Array.from([...this.long.useCount, ...new Float32Array(added)]),
      lifeCount: Float32Array.from([...this.long.lifeCount, ...new Float32Array(added).fill(INITIAL_LIFE)]),
      tokens: this.long.tokens + added,
    };
    this.cached = undefined;
  }

  /** remove_obsolete_features: keep the `size` most used long-term tokens, most used first. */
  private keepMostUsed(size: number): void {
    const keep = topIndices(normalisedUsage(this.long.useCount, this.long.lifeCount), size);
    const pick = (a: Float32Array) => Float32Array.from(keep, (i) => a[i]);
    this.long = {
      key: gatherTokens(this.long.key, KEY_DIM, keep),
      value: gatherTokens(this.long.value, VALUE_DIM, keep),
      shrinkage: pick(this.long.shrinkage),
      useCount: pick(this.long.useCount),
      lifeCount: pick(this.long.lifeCount),
      tokens: keep.length,
    };
    this.cached = undefined;
  }
}
