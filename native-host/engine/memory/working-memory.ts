import { frameBank, MemoryBank, MemoryFrame, MemoryStore, MemoryStoreState } from './memory-store';

/**
 * Working memory of one target with long-term memory off (spec §3.4): the first frame written is permanent
 * (so are mask corrections); later frames form a FIFO of at most `maxTemporary` frames (max_mem_frames − 1).
 * Token order is always [permanent | temporary oldest → newest], the official order.
 */
export class WorkingMemory implements MemoryStore {
  readonly tracksUsage = false;
  permanent: MemoryFrame[] = [];
  temporary: MemoryFrame[] = [];
  private cached?: MemoryBank;

  constructor(
    readonly tokensPerFrame: number,
    readonly maxTemporary: number,
  ) {}

  async add(frame: MemoryFrame, options: { permanent?: boolean } = {}): Promise<void> {
    if (this.permanent.length === 0 || options.permanent) this.permanent.push(frame);
    else {
      this.temporary.push(frame);
      if (this.temporary.length > this.maxTemporary) this.temporary.shift();
    }
    this.cached = undefined;
  }

  /** Forgets everything (first-frame predictions re-write the memory from scratch, spec §3.3 step 9). */
  clear(): void {
    this.permanent = [];
    this.temporary = [];
    this.cached = undefined;
  }

  get frames(): MemoryFrame[] {
    return [...this.permanent, ...this.temporary];
  }

  /** The bank for memory_readout, rebuilt only after the memory changed (every mem_every frames). */
  bank(): MemoryBank {
    if (this.frames.length === 0) throw new Error('memory read before any memory was written');
    this.cached ??= frameBank(this.frames, this.tokensPerFrame);
    return this.cached;
  }

  recordUsage(): void {}

  state(): MemoryStoreState {
    return { frames: this.frames, permanentCount: this.permanent.length };
  }
}
