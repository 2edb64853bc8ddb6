/** One memory frame: key `[64, HW]`, shrinkage `[HW]`, value `[256, HW]` (channel-major, f32). */
export interface MemoryFrame {
  key: Float32Array;
  shrinkage: Float32Array;
  value: Float32Array;
}

/** The concatenated memory, as memory_readout takes it: `[64,N]`, `[N]`, `[256,N]`, N = frames·HW. */
export interface MemoryBank {
  key: Float32Array;
  shrinkage: Float32Array;
  value: Float32Array;
  tokens: number;
}

const KEY_DIM = 64;
const VALUE_DIM = 256;

/**
 * Working memory of one target (KeyValueMemoryStore with long-term memory off, spec §3.4): the first frame
 * written is permanent; later frames form a FIFO of at most `maxTemporary` frames (max_mem_frames − 1).
 * Token order is always [permanent | temporary oldest → newest], which is the official order.
 */
export class WorkingMemory {
  permanent?: MemoryFrame;
  temporary: MemoryFrame[] = [];
  private cached?: MemoryBank;

  constructor(
    readonly tokensPerFrame: number,
    readonly maxTemporary: number,
  ) {}

  /** Adds a frame: the permanent one if there is none yet, else the newest temporary one. */
  add(frame: MemoryFrame): void {
    if (!this.permanent) this.permanent = frame;
    else {
      this.temporary.push(frame);
      if (this.temporary.length > this.maxTemporary) this.temporary.shift();
    }
    this.cached = undefined;
  }

  /** Forgets everything (first-frame predictions re-write the memory from scratch, spec §3.3 step 9). */
  clear(): void {
    this.permanent = undefined;
    this.temporary = [];
    this.cached = undefined;
  }

  get frames(): MemoryFrame[] {
    return this.permanent ? [this.permanent, ...this.temporary] : [];
  }

  /** The bank for memory_readout, rebuilt only after the memory changed (every mem_every frames). */
  bank(): MemoryBank {
    if (this.cached) return this.cached;
    const frames = this.frames;
    if (frames.length === 0) throw new Error('memory read before any memory was written');
    const hw = this.tokensPerFrame;
    const n = frames.length * hw;
    const key = new Float32Array(KEY_DIM * n);
    const value = new Float32Array(VALUE_DIM * n);
    const shrinkage = new Float32Array(n);
    frames.forEach((f, t) => {
      for (let c = 0; c < KEY_DIM; c++) key.set(f.key.subarray(c * hw, (c + 1) * hw), c * n + t * hw);
      for (let c = 0; c < VALUE_DIM; c++) value.set(f.value.subarray(c * hw, (c + 1) * hw), c * n + t * hw);
      shrinkage.set(f.shrinkage, t * hw);
    });
    this.cached = { key, shrinkage, value, tokens: n };
    return this.cached;
  }
}
