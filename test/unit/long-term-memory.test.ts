import { LongTermMemory, LongTermLimits } from '../../native-host/engine/memory/long-term-memory';
import type { MemoryBank, MemoryFrame } from '../../native-host/engine/memory/memory-store';

const HW = 40;

/** A memory frame whose every value encodes (frame, channel, token), so tokens can be traced. */
function frame(id: number): MemoryFrame {
  const fill = (channels: number) => Float32Array.from({ length: channels * HW }, (_, i) => id * 1000 + Math.floor(i / HW) + (i % HW) / 100);
  return { key: fill(64), shrinkage: fill(1), value: fill(256), selection: fill(64) };
}

/** Consolidation stand-in: prototypes keep their own key's first channel as value, shrinkage 1. */
function recordingConsolidator(calls: { candidates: number; prototypes: number }[]) {
  return async (candidates: MemoryBank, prototypeKey: Float32Array) => {
    const p = prototypeKey.length / 64;
    calls.push({ candidates: candidates.tokens, prototypes: p });
    const value = new Float32Array(256 * p);
    for (let c = 0; c < 256; c++) value.set(prototypeKey.subarray(0, p), c * p);
    return { value, shrinkage: new Float32Array(p).fill(1) };
  };
}

const LIMITS: LongTermLimits = { maxWorkFrames: 9, minWorkFrames: 4, prototypes: 16, maxLongTokens: 64, bufferTokens: 16 };

describe('LongTermMemory', () => {
  test('consolidates the oldest frames into the most used prototypes when the working memory is full', async () => {
    const calls: { candidates: number; prototypes: number }[] = [];
    const m = new LongTermMemory(HW, recordingConsolidator(calls), LIMITS);
    await m.add(frame(0)); // permanent
    for (let i = 1; i <= 8; i++) {
      await m.add(frame(i));
      // Reads favour token 7 of frame 1 and tokens 0..14 of frame 3: they must become the prototypes.
      const usage = new Float32Array(m.bank().tokens);
      usage[HW * 1 + 7] = 5;
      if (i >= 3) for (let t = 0; t < 15; t++) usage[HW * 3 + t] = 1 + t / 100;
      m.recordUsage(usage);
    }
    expect(calls).toHaveLength(0);
    await m.add(frame(9)); // 9 temporary frames: the oldest 5 (1…5) are consolidated
    expect(calls).toEqual([{ candidates: 5 * HW, prototypes: 16 }]);
    expect(m.temporary.map((f) => f.key[0])).toEqual([6000, 7000, 8000, 9000]);
    expect(m.permanent[0].key[0]).toBe(0);
    expect(m.long.tokens).toBe(16);
    // Highest use/life first: token 7 of frame 1, then frame 3's tokens by their usage, highest first.
    const firstChannel = Array.from(m.long.key.subarray(0, 16));
    expect(firstChannel[0]).toBeCloseTo(1000.07, 3);
    expect(firstChannel.slice(1)).toEqual(Array.from({ length: 15 }, (_, t) => Math.fround(3000 + (14 - t) / 100)));
    // The bank reads [long-term | permanent | temporary].
    const bank = m.bank();
    expect(bank.tokens).toBe(16 + 5 * HW);
    expect(bank.key[16]).toBe(0);
  });

  test('stays bounded over a long stream, dropping the least used long-term tokens', async () => {
    const m = new LongTermMemory(HW, recordingConsolidator([]), LIMITS);
    let maxTokens = 0;
    for (let i = 0; i < 400; i++) {
      await m.add(frame(i % 50));
      const usage = new Float32Array(m.bank().tokens).map((_, n) => (n * 37) % 11);
      m.recordUsage(usage);
      maxTokens = Math.max(maxTokens, m.bank().tokens);
    }
    expect(m.long.tokens).toBeLessThanOrEqual(LIMITS.maxLongTokens);
    expect(maxTokens).toBeLessThanOrEqual(LIMITS.maxLongTokens + (1 + LIMITS.maxWorkFrames) * HW);
  });

  test('usage counts only long-term and temporary tokens, and every read ages them', async () => {
    const m = new LongTermMemory(HW, recordingConsolidator([]), LIMITS);
    await m.add(frame(0));
    await m.add(frame(1));
    m.recordUsage(new Float32Array(2 * HW).fill(2));
    m.recordUsage(new Float32Array(2 * HW).fill(1));
    expect(m.temporary[0].useCount![0]).toBe(3);
    expect(m.temporary[0].lifeCount![0]).toBeCloseTo(2, 6);
    expect(m.permanent[0].useCount![0]).toBe(0);
  });
});
