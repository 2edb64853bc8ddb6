/**
 * A frame as the engine takes it: RGB, row-major, `width·height·3` values in 0…255 — bytes as decoded, or
 * float32 after an area resize (`--max-size`), which the official script also feeds unrounded.
 */
export interface EngineFrame {
  width: number;
  height: number;
  rgb: Uint8Array | Float32Array;
}

/**
 * Zero padding to multiples of 16 (spec §3.3 step 3): extra rows split floor above / rest below, extra
 * columns floor left / rest right.
 */
export interface Padding {
  width: number;
  height: number;
  /** padded size */
  H: number;
  W: number;
  top: number;
  left: number;
}

export function paddingFor(width: number, height: number): Padding {
  const H = Math.ceil(height / 16) * 16;
  const W = Math.ceil(width / 16) * 16;
  return { width, height, H, W, top: Math.floor((H - height) / 2), left: Math.floor((W - width) / 2) };
}

/** uint8 / 255 as float32, as the official `frame / 255` (a table: 256 values). */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** RGB24 frame → zero-padded `[1,3,H,W]` float32 in [0,1] (planar). */
export function imageTensor(frame: EngineFrame, pad: Padding): Float32Array {
  const { H, W, top, left } = pad;
  const out = new Float32Array(3 * H * W);
  const plane = H * W;
  const { rgb, width, height } = frame;
  const unit = rgb instanceof Uint8Array ? (v: number) => BYTE_TO_UNIT[v] : (v: number) => v / 255;
  for (let y = 0; y < height; y++) {
    const row = (y + top) * W + left;
    let src = y * width * 3;
    for (let x = 0; x < width; x++, src += 3) {
      out[row + x] = unit(rgb[src]);
      out[plane + row + x] = unit(rgb[src + 1]);
      out[2 * plane + row + x] = unit(rgb[src + 2]);
    }
  }
  return out;
}

/** A 0…255 mask (frame size) → zero-padded `[1,1,H,W]` float32 mask/255 (spec §3.3 step 7). */
export function maskTensor(mask: Uint8Array, pad: Padding): Float32Array {
  const { H, W, top, left, width, height } = pad;
  const out = new Float32Array(H * W);
  for (let y = 0; y < height; y++) {
    const row = (y + top) * W + left;
    for (let x = 0; x < width; x++) out[row + x] = BYTE_TO_UNIT[mask[y * width + x]];
  }
  return out;
}

/** The unpadded `height·width` window of a padded `[1,1,H,W]` map (spec §3.3 step 10). */
export function cropPadded(padded: Float32Array, pad: Padding): Float32Array {
  const { W, top, left, width, height } = pad;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) out.set(padded.subarray((y + top) * W + left, (y + top) * W + left + width), y * width);
  return out;
}
