import type { Readable } from 'stream';

/**
 * Cuts a raw video byte stream (ffmpeg `-f rawvideo`) into whole frames of `frameBytes` bytes.
 *
 * Pipe chunks are at most 64 KiB, so each chunk is copied into a frame buffer allocated once at its full
 * size (no `Buffer.concat` per frame). Reading goes through the stream's async iterator, which pulls only
 * when the consumer asks for the next frame: a slow consumer leaves the pipe full and ffmpeg blocks, so at
 * most one frame plus the stream's buffer is held in memory.
 *
 * @param stream - a readable byte stream (ffmpeg's stdout)
 * @param frameBytes - bytes per frame (width·height·channels)
 * @returns a generator of frames whose return value counts a trailing partial frame's bytes
 */
export async function* assembleFrames(
  stream: Readable,
  frameBytes: number,
): AsyncGenerator<Uint8Array, { leftoverBytes: number }> {
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        yield frame;
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  }
  return { leftoverBytes: filled };
}
