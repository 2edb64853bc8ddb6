import type { EngineFrame } from '../engine/frame-tensors';
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
