import { Readable } from 'stream';
import { assembleFrames } from '../../native-host/video/frame-assembler';

/** A byte stream of `total` bytes (byte i = i mod 251) served in chunks of the given sizes, on demand. */
function chunkedStream(total: number, chunkSizes: number[], pulled: { bytes: number }): Readable {
  let sent = 0;
  let k = 0;
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunkSizes[k++ % chunkSizes.length], total - sent);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251;
      sent += n;
      pulled.bytes = sent;
      this.push(chunk);
    },
  });
}

async function collect(stream: Readable, frameBytes: number) {
  const frames: Uint8Array[] = [];
  const generator = assembleFrames(stream, frameBytes);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { frames, leftover: next.value.leftoverBytes };
    frames.push(next.value);
  }
}

describe('assembleFrames', () => {
  it('cuts chunks that straddle frame boundaries into whole frames, byte-exact', async () => {
    const frameBytes = 1000;
    const { frames, leftover } = await collect(chunkedStream(7000, [333, 1700, 1, 64], { bytes: 0 }), frameBytes);
    expect(frames).toHaveLength(7);
    expect(leftover).toBe(0);
    frames.forEach((frame, f) => {
      expect(frame).toHaveLength(frameBytes);
      expect(frame.every((v, i) => v === (f * frameBytes + i) % 251)).toBe(true);
    });
  });

  it('gives every frame its own buffer (a consumer may keep or transfer it)', async () => {
    const { frames } = await collect(chunkedStream(3000, [4096], { bytes: 0 }), 1000);
    expect(new Set(frames.map((f) => f.buffer)).size).toBe(3);
  });

  it('reports a trailing partial frame', async () => {
    const { frames, leftover } = await collect(chunkedStream(2500, [700], { bytes: 0 }), 1000);
    expect(frames).toHaveLength(2);
    expect(leftover).toBe(500);
  });

  it('pulls only about one frame plus the stream buffer while the consumer is busy', async () => {
    const frameBytes = 1 << 20;
    const pulled = { bytes: 0 };
    const generator = assembleFrames(chunkedStream(50 * frameBytes, [65536], pulled), frameBytes);
    await generator.next();
    await new Promise((resolve) => setTimeout(resolve, 200)); // a slow consumer
    expect(pulled.bytes).toBeLessThanOrEqual(frameBytes + 3 * 65536);
    await generator.return({ leftoverBytes: 0 });
  });
});
