/** PhotoshopImageData and the pixel rectangles the fake Photoshop keeps. */
import type { PhotoshopImageData } from '../../../plugin/host/photoshop-api';

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Pixels covering `bounds` (document coordinates), `channels` bytes per pixel, chunky, row-major. */
export interface Raster {
  bounds: Rect;
  channels: number;
  data: Uint8Array;
}

export const width = (rect: Rect) => rect.right - rect.left;
export const height = (rect: Rect) => rect.bottom - rect.top;

export function intersect(a: Rect, b: Rect): Rect {
  const rect = {
    left: Math.max(a.left, b.left),
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
  };
  return width(rect) > 0 && height(rect) > 0 ? rect : { ...rect, right: rect.left, bottom: rect.top };
}

/** The part of `raster` inside `rect` (0 where the raster has no data). */
export function crop(raster: Raster, rect: Rect): Raster {
  const out = new Uint8Array(width(rect) * height(rect) * raster.channels);
  const overlap = intersect(raster.bounds, rect);
  for (let y = overlap.top; y < overlap.bottom; y++) {
    const from = ((y - raster.bounds.top) * width(raster.bounds) + (overlap.left - raster.bounds.left)) * raster.channels;
    const to = ((y - rect.top) * width(rect) + (overlap.left - rect.left)) * raster.channels;
    out.set(raster.data.subarray(from, from + width(overlap) * raster.channels), to);
  }
  return { bounds: { ...rect }, channels: raster.channels, data: out };
}

export class FakeImageData implements PhotoshopImageData {
  readonly colorProfile: string;
  readonly componentSize = 8 as const;
  readonly chunky = true;
  readonly type = 'image/uncompressed' as const;
  private disposed = false;

  /**
   * @param live - counts the image data not yet disposed (each holds native memory in Photoshop)
   */
  constructor(
    private readonly live: { count: number },
    private readonly bytes: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly components: number,
    readonly colorSpace: PhotoshopImageData['colorSpace'],
    colorProfile = '',
  ) {
    if (bytes.length !== width * height * components) {
      throw new Error(`${bytes.length} bytes is not ${width}x${height}x${components}`);
    }
    this.colorProfile = colorProfile;
    live.count++;
  }

  get hasAlpha(): boolean {
    return this.components === 2 || this.components === 4;
  }

  get pixelFormat(): PhotoshopImageData['pixelFormat'] {
    const gray = this.colorSpace === 'Grayscale';
    if (gray) return this.hasAlpha ? 'GrayscaleAlpha' : 'Grayscale';
    return this.hasAlpha ? 'RGBA' : 'RGB';
  }

  /** The pixels, chunky (default) or planar, as a new array. */
  getData = async (options: { chunky?: boolean } = {}): Promise<Uint8Array> => {
    if (this.disposed) throw new Error('getData on disposed image data');
    if (options.chunky !== false || this.components === 1) return this.bytes.slice();
    const planar = new Uint8Array(this.bytes.length);
    const pixels = this.width * this.height;
    for (let i = 0; i < pixels; i++) {
      for (let c = 0; c < this.components; c++) planar[c * pixels + i] = this.bytes[i * this.components + c];
    }
    return planar;
  };

  dispose = async (): Promise<void> => {
    if (!this.disposed) this.live.count--;
    this.disposed = true;
  };

  /** The bytes, for the fake's own writes (putLayerMask). */
  read(): Uint8Array {
    if (this.disposed) throw new Error('image data was disposed before Photoshop used it');
    return this.bytes.slice();
  }
}
