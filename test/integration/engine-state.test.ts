import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import { decodeSnapshot } from '../../native-host/engine/snapshot';
import { EngineClient } from '../../native-host/engine/worker/engine-client';
import { fixtureFrame, fixtureModel, fixturePreparedMask } from '../support/engine-fixture';

const OPTIONS = { warmup: 1, memEvery: 5, maxMemFrames: 5 };
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A second target: the first one's complement (the background), so the two mattes differ everywhere. */
function complement(mask: Uint8Array): Uint8Array {
  return mask.map((v) => 255 - v);
}

describe('engine in its worker thread', () => {
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let frames: EngineFrame[];
  let mask: Uint8Array;
  beforeAll(async () => {
    model = await fixtureModel();
    frames = await Promise.all(Array.from({ length: 8 }, (_, i) => fixtureFrame(i)));
    mask = await fixturePreparedMask();
  });
  afterAll(() => model.cleanup());

  async function run(masks: Uint8Array[], count = frames.length): Promise<Float32Array[][]> {
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
    try {
      const out = [await engine.start(frames[0], masks)];
      for (let i = 1; i < count; i++) out.push(await engine.step(frames[i]));
      return out;
    } finally {
      await engine.close();
    }
  }

  test('keeps the event loop free while a frame runs', async () => {
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    await engine.start(frames[0], [mask]);
    const elapsed = Date.now() - started;
    clearInterval(timer);
    await engine.close();
    expect(engine.provider).toBe('cpu');
    // A blocked loop would fire the 10 ms timer about once; free, it fires ~elapsed/10 times.
    expect(ticks).toBeGreaterThan(elapsed / 10 / 2);
  });

  test('several targets in one pass: each alpha equals its single-target run', async () => {
    const both = await run([mask, complement(mask)]);
    const first = await run([mask]);
    const second = await run([complement(mask)]);
    for (let f = 0; f < frames.length; f++) {
      expect(same(both[f][0], first[f][0])).toBe(true);
      expect(same(both[f][1], second[f][0])).toBe(true);
      expect(same(both[f][0], both[f][1])).toBe(false);
    }
  });

  test('long-term memory: consolidates, stays finite, and resumes exactly from a snapshot', async () => {
    // A memory frame on every frame fills the 9-frame working memory at frame 9: frames 1…5 become
    // long-term prototypes. The snapshot after frame 10 holds long-term tokens and usage counters.
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => fixtureFrame(i)));
    const longTerm = { warmup: 1, memEvery: 1, maxMemFrames: 5, longTerm: true };
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: longTerm });
    const alphas = [await engine.start(all[0], [mask])];
    let snapshot: Uint8Array = new Uint8Array();
    for (let i = 1; i < 12; i++) {
      alphas.push(await engine.step(all[i]));
      if (i === 10) snapshot = await engine.snapshot();
    }
    await engine.close();
    for (const [alpha] of alphas) expect(alpha.every((v) => v >= 0 && v <= 1)).toBe(true);
    const state = decodeSnapshot(snapshot).targets[0].memory;
    expect(state.longTerm!.tokens).toBe(128); // one consolidation: 128 prototypes
    expect(state.frames).toHaveLength(1 + 5); // the permanent frame, frames 6…10

    const resumed = await EngineClient.open(model.dir, { providers: ['cpu'], options: longTerm });
    try {
      await resumed.restore(snapshot);
      const [alpha] = await resumed.step(all[11]);
      expect(same(alpha, alphas[11][0])).toBe(true);
    } finally {
      await resumed.close();
    }
    // A long-term snapshot does not restore into an engine without long-term memory.
    const plain = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
    await expect(plain.restore(snapshot)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('long-term') });
    await plain.close();
  });

  test('a snapshot restored in a fresh engine continues exactly as the uninterrupted run', async () => {
    const reference = await run([mask]);
    const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
    await engine.start(frames[0], [mask]);
    for (let i = 1; i <= 6; i++) await engine.step(frames[i]); // past the memory write at frame 5
    const snapshot = await engine.snapshot();
    await engine.close();

    const resumed = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
    try {
      expect(await resumed.restore(snapshot)).toBe(6);
      const [alpha] = await resumed.step(frames[7]);
      expect(same(alpha, reference[7][0])).toBe(true);
      await expect(resumed.restore(snapshot.subarray(0, 100))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await resumed.close();
    }
  });
});

describe('mask correction at frame k', () => {
  test('the corrected target takes the mask at k and differs after; frames before k and other targets are untouched', async () => {
    const model = await fixtureModel();
    try {
      const frames = await Promise.all(Array.from({ length: 7 }, (_, i) => fixtureFrame(i)));
      const mask = await fixturePreparedMask();
      const other = complement(mask);
      // The correction: the first-frame mask shifted 20 px to the right.
      const shifted = new Uint8Array(mask.length);
      for (let y = 0; y < 240; y++) for (let x = 20; x < 426; x++) shifted[y * 426 + x] = mask[y * 426 + x - 20];
      const runWith = async (corrections?: Map<number, Uint8Array>) => {
        const engine = await EngineClient.open(model.dir, { providers: ['cpu'], options: OPTIONS });
        const out = [await engine.start(frames[0], [mask, other])];
        for (let i = 1; i < frames.length; i++) out.push(await engine.step(frames[i], i === 3 ? corrections : undefined));
        await engine.close();
        return out;
      };
      const plain = await runWith();
      const corrected = await runWith(new Map([[0, shifted]]));
      for (let f = 0; f < 3; f++) expect(same(corrected[f][0], plain[f][0])).toBe(true);
      expect(Array.from(corrected[3][0].subarray(0, 426 * 240)).every((v, i) => v === shifted[i] / 255 || Math.abs(v - shifted[i] / 255) < 1e-7)).toBe(true);
      for (let f = 4; f < frames.length; f++) expect(same(corrected[f][0], plain[f][0])).toBe(false);
      for (let f = 0; f < frames.length; f++) expect(same(corrected[f][1], plain[f][1])).toBe(true);
    } finally {
      model.cleanup();
    }
  });
});
