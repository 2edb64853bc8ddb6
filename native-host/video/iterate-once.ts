import type { RgbFrame } from './frame-source';

/** `frames()` for a source: hands out its one decoding pass, refuses a second (a decoder cannot rewind). */
export function iterateOnce(decode: () => AsyncIterable<RgbFrame>): () => AsyncIterable<RgbFrame> {
  let iterated = false;
  return () => {
    if (iterated) throw new Error('FrameSource.frames() can be iterated only once');
    iterated = true;
    return decode();
  };
}
