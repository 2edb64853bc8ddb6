import { TOP_K } from '../convert/graphs/memory-readout';
import { paddingFor, type EngineFrame } from '../engine/frame-tensors';
import { HostError } from '../errors';
import { areaResize, maxSizeDims } from '../mask/area-resize';
import { prepareMask } from '../mask/morphology';
import { resizeNearestLegacy } from '../mask/nearest-resize';
import type { RgbFrame } from '../video/frame-source';
import { resizeAlphaBilinear } from './resize-alpha';

interface Size {
  width: number;
  height: number;
}

/**
 * The source size and the size the engine works at (the official `--max_size`), and the conversions between
 * them that every matting run needs: frames down (area), masks down (legacy nearest), alphas back up
 * (bilinear). Without `maxSize` the two sizes are the same and nothing is resized.
 */
export class ProcessingSize {
  readonly work: Size;

  constructor(
    readonly source: Size,
    maxSize?: number,
  ) {
    this.work = maxSize && maxSize > 0 ? maxSizeDims(source.width, source.height, maxSize) : { ...source };
  }

  /**
   * The memory readout keeps the top 30 matches among a memory frame's 16×16 blocks: a working size with fewer
   * blocks cannot run (onnxruntime fails on the first frame after the first), so it is refused up front.
   * @param hint - what the user can change, e.g. "use a larger --max-size"
   * @throws HostError INVALID_ARGUMENT
   */
  checkEngineCanRun(hint: string): void {
    const { width, height } = this.work;
    const pad = paddingFor(width, height);
    if ((pad.W / 16) * (pad.H / 16) >= TOP_K) return;
    throw new HostError('INVALID_ARGUMENT', `the working size ${width}×${height} is too small for the model (it needs at least ${TOP_K} blocks of 16×16 pixels); ${hint}`);
  }

  get resized(): boolean {
    return this.work.width !== this.source.width || this.work.height !== this.source.height;
  }

  /** A decoded frame as the engine takes it (area-resized, unrounded, when the sizes differ). */
  toEngine(frame: RgbFrame): EngineFrame {
    const { source, work } = this;
    return this.resized
      ? { width: work.width, height: work.height, rgb: areaResize(frame.data, source.width, source.height, work.width, work.height) }
      : { width: source.width, height: source.height, rgb: frame.data };
  }

  /**
   * A grey mask at the source size, prepared the official way (spec §3.1 step 4): dilate then erode at the
   * source size, then the legacy-nearest resize to the working size.
   */
  prepareMask(grey: Uint8Array, morphology: { dilate: number; erode: number }): Uint8Array {
    const { source, work } = this;
    return resizeNearestLegacy(prepareMask(grey, source.width, source.height, morphology), source.width, source.height, work.width, work.height);
  }

  /** An engine alpha back at the source size. */
  toSource(alpha: Float32Array): Float32Array {
    return resizeAlphaBilinear(alpha, this.work.width, this.work.height, this.source.width, this.source.height);
  }
}
