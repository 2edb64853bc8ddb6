import { promises as fs } from 'fs';
import sharp, { type Metadata } from 'sharp';
import { MaskErrors } from './mask-errors';
import { resizeNearestLegacy } from './nearest-resize';
import { rgbToPilGrey } from './pil-grey';

/**
 * Loads the first-frame mask as the official script does (spec §3.1 steps 3–4): PIL `convert('L')`, then a
 * legacy-nearest resize to the frame size.
 *
 * @param path - any image sharp reads (PNG expected); grey, grey+alpha, RGB, RGBA or palette, 8 or 16 bits
 * @param width - frame width to resize to
 * @param height - frame height to resize to
 * @returns width·height grey bytes (0 = background; the morphology later binarises at ≠ 0)
 * @throws HostError MASK_NOT_FOUND, MASK_UNREADABLE, MASK_ASPECT_MISMATCH (not the frame's aspect ratio
 *   within one pixel at the mask's size), MASK_EMPTY (no non-zero pixel)
 * @remarks Alpha is ignored, as PIL does for RGBA and LA. 16-bit grey is clipped at 255 (PIL's I;16 → L);
 *   16-bit colour keeps its high byte (how PIL opens it). ICC profiles and EXIF orientation are not applied
 *   (PIL's `Image.open` applies neither).
 */
export async function loadMask(path: string, width: number, height: number): Promise<Uint8Array> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) throw MaskErrors.notFound(path);
  if (!stat.isFile()) throw MaskErrors.unreadable(path, 'it is a folder');
  let meta: Metadata;
  let grey: Uint8Array;
  try {
    meta = await sharp(path).metadata();
    grey = await readPilGrey(path, meta);
  } catch (e) {
    throw MaskErrors.unreadable(path, (e as Error).message);
  }
  const mask = { width: meta.width, height: meta.height };
  if (!sameAspect(mask, { width, height })) throw MaskErrors.aspectMismatch(path, mask, { width, height });
  const resized = resizeNearestLegacy(grey, mask.width, mask.height, width, height);
  if (!resized.some((v) => v !== 0)) throw MaskErrors.empty(path);
  return resized;
}

/**
 * Whether the mask could be the frame scaled: its height is within one pixel of width·(frame h/w), or its
 * width within one pixel of height·(frame w/h) (rounding at the mask's own scale).
 */
export function sameAspect(mask: { width: number; height: number }, frame: { width: number; height: number }): boolean {
  return (
    Math.abs(mask.height - (mask.width * frame.height) / frame.width) <= 1 ||
    Math.abs(mask.width - (mask.height * frame.width) / frame.height) <= 1
  );
}

async function readPilGrey(path: string, meta: Metadata): Promise<Uint8Array> {
  const image = sharp(path, { ignoreIcc: true });
  const isGrey = meta.channels <= 2;
  if (meta.depth === 'ushort') {
    const raw = isGrey
      ? await image.extractChannel(0).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer()
      : await image.removeAlpha().toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
    const samples = new Uint16Array(Uint8Array.from(raw).buffer);
    const bytes = new Uint8Array(samples.length);
    for (let i = 0; i < samples.length; i++) bytes[i] = isGrey ? Math.min(samples[i], 255) : samples[i] >> 8;
    return isGrey ? bytes : rgbToPilGrey(bytes);
  }
  if (isGrey) return new Uint8Array(await image.extractChannel(0).toColourspace('b-w').raw().toBuffer());
  return rgbToPilGrey(await image.removeAlpha().toColourspace('srgb').raw().toBuffer());
}
