import { promises as fs } from 'fs';
import { HostError } from '../errors';
import { MaskErrors } from '../mask/mask-errors';

/**
 * Raw 8-bit files as a UXP panel writes them without an image codec: samples only, interleaved,
 * row-major, no header. Their size is all there is to check, so it is checked exactly.
 */

async function readExactly(file: string, bytes: number, what: string, shape: string): Promise<Buffer> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new HostError('INVALID_ARGUMENT', `${what} ${file} does not exist or is not a file`);
  if (stat.size !== bytes) throw new HostError('INVALID_ARGUMENT', `${what} ${file} is ${stat.size} bytes; ${shape} is ${bytes} bytes`);
  return fs.readFile(file);
}

/**
 * An RGB or RGBA image as RGB24 (the fourth byte, transparency, is dropped: the engine sees colour only).
 * @throws HostError INVALID_ARGUMENT when the file's size is not width·height·channels
 */
export async function readRawRgb(file: string, width: number, height: number, channels: 3 | 4): Promise<Uint8Array> {
  const data = await readExactly(file, width * height * channels, 'image', `${width}×${height}×${channels}`);
  if (channels === 3) return new Uint8Array(data);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = data[j];
    rgb[i + 1] = data[j + 1];
    rgb[i + 2] = data[j + 2];
  }
  return rgb;
}

/**
 * A grey mask as 0/255 (≥ 128 is subject, as a Photoshop selection exported at 50 % is).
 * @throws HostError INVALID_ARGUMENT for a wrong size, MASK_EMPTY when nothing is subject
 */
export async function readRawMask(file: string, width: number, height: number): Promise<Uint8Array> {
  const data = await readExactly(file, width * height, 'mask', `${width}×${height}`);
  const mask = Uint8Array.from(data, (v) => (v >= 128 ? 255 : 0));
  if (!mask.includes(255)) throw MaskErrors.empty(file);
  return mask;
}
