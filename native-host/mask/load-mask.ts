import { promises as fs } from 'fs';
import sharp, { type Metadata } from 'sharp';
import { MaskErrors } from './mask-errors';
import { applyMaskFit, describeMaskFit, fitMask } from './mask-fit';
import { rgbToPilGrey } from './pil-grey';

export { sameAspect } from './mask-fit';

/** What loadMask reports besides the mask. */
export interface LoadMaskOptions {
  /** the one line saying how a mask of another size was mapped onto the frame (see {@link fitMask}) */
  onNotice?: (line: string) => void;
}

/**
 * Loads the first-frame mask as the official script does (spec §3.1 steps 3–4): PIL `convert('L')`, then a
 * legacy-nearest resize to the frame size; a mask that differs from the frame only by codec padding (1080
 * lines for a 1088-line video) is placed at the top-left instead ({@link fitMask}, said through `onNotice`).
 *
 * @param path - any image sharp reads (PNG expected); grey, grey+alpha, RGB, RGBA or palette, 8 or 16 bits
 * @param width - frame width to resize to
 * @param height - frame height to resize to
 * @returns width·height grey bytes (0 = background; the morphology later binarises at ≠ 0)
 * @throws HostError MASK_NOT_FOUND, MASK_UNREADABLE, MASK_ASPECT_MISMATCH (neither the frame's aspect ratio
 *   within one pixel at the mask's size nor the frame's size give or take codec padding), MASK_EMPTY (no
 *   non-zero pixel on the frame)
 * @remarks Alpha is ignored, as PIL does for RGBA and LA. 16-bit grey is clipped at 255 (PIL's I;16 → L);
 *   16-bit colour keeps its high byte (how PIL opens it). ICC profiles and EXIF orientation are not applied
 *   (PIL's `Image.open` applies neither).
 */
export async function loadMask(path: string, width: number, height: number, options: LoadMaskOptions = {}): Promise<Uint8Array> {
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
  const frame = { width, height };
  const fit = fitMask(mask, frame);
  if (!fit) throw MaskErrors.aspectMismatch(path, mask, frame);
  const fitted = applyMaskFit(grey, mask, frame, fit);
  if (!fitted.some((v) => v !== 0)) throw MaskErrors.empty(path);
  const notice = describeMaskFit(path, mask, frame, fit);
  if (notice) options.onNotice?.(notice);
  return fitted;
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
