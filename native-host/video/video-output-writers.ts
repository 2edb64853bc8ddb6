import { promises as fs } from 'fs';
import { join } from 'path';
import { NATIVE_ENDIAN, startEncoder } from './ffmpeg-encoder';
import { versionedName, type FrameContext, type OutputFile, type OutputFormat, type OutputWriter } from './output-writer';
import { PackPool } from './pack-pool';
import { bytesOf, evenSize, padRgbToEven } from './pixel-packing';
import { compositeOver } from './quantise';
import { alphaToGreyYuv422p10, rgbAlphaToYuva444p10 } from './ycbcr';

/**
 * Everything is BT.709 video range (what editors assume for HD): the composite's RGB→YUV uses that matrix
 * (swscale would default to BT.601 and shift colours on import) and every file is tagged so. ProRes frames
 * are built as Y′CbCr in Node (ycbcr.ts) and only tagged, via setparams, since ffmpeg 5.1 takes the
 * stream's colour tags from the frames rather than from `-colorspace`.
 */
const BT709_TAGS = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];
const TAG_BT709 = 'setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709';
const TO_BT709 = `scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd,${TAG_BT709}`;

/**
 * prores_ks with a fixed quantiser: 5–10× faster than its default rate search (runtime-probe §4.3) and
 * visually lossless at 4 (lower is better). `apl0` as vendor is what Apple's own files carry.
 */
const PRORES_QUALITY = ['-qscale:v', '4', '-vendor', 'apl0'];

function encoderWriter(
  file: OutputFile,
  pixFmt: string,
  format: OutputFormat,
  encodedSize: { width: number; height: number },
  outputArgs: string[],
  pack: (frame: FrameContext) => Uint8Array | Promise<Uint8Array>,
): OutputWriter {
  const encoder = startEncoder(file.path, pixFmt, { ...encodedSize, fps: format.fps }, outputArgs);
  return {
    file,
    write: async (frame) => encoder.write(await pack(frame)),
    close: () => encoder.finish(),
    async abort() {
      await encoder.kill();
      // A movie killed before its trailer has no index and no player opens it.
      await fs.rm(file.path, { force: true });
    },
  };
}

/**
 * `DIR/matte.mov` (`matte-v<n>.mov` for render n ≥ 2, as every writer here): the frame's RGB with the alpha as ProRes 4444 + alpha (`ap4h`, yuva444p10le, straight
 * alpha as Apple specifies), which Premiere, Resolve and Final Cut import with transparency. The alpha is
 * stored with 10 bits (prores_ks takes yuva444p10 only): round_half_even(α·1023).
 */
export function openProres4444Writer(dir: string, format: OutputFormat, version = 1): OutputWriter {
  return encoderWriter(
    { kind: 'prores4444', path: join(dir, versionedName('matte.mov', version)) },
    `yuva444p10${NATIVE_ENDIAN}`,
    format,
    format,
    ['-vf', TAG_BT709, '-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-alpha_bits', '16',
      ...PRORES_QUALITY, ...BT709_TAGS, '-f', 'mov'],
    async (frame) => {
      const pool = PackPool.shared();
      return bytesOf(pool ? await pool.yuva444p10(frame.frame.data, frame.alpha) : rgbAlphaToYuva444p10(frame.frame.data, frame.alpha));
    },
  );
}

/**
 * `DIR/matte-luma.mov`: the alpha as a grey ProRes 422 HQ movie (`apch`) for track mattes (luma key) in
 * any editor: Y = 64 + 876·α (10-bit video range), which editors expand back to α.
 */
export function openLumaWriter(dir: string, format: OutputFormat, version = 1): OutputWriter {
  return encoderWriter(
    { kind: 'luma', path: join(dir, versionedName('matte-luma.mov', version)) },
    `yuv422p10${NATIVE_ENDIAN}`,
    format,
    format,
    ['-vf', TAG_BT709, '-c:v', 'prores_ks', '-profile:v', '3', '-pix_fmt', 'yuv422p10le',
      ...PRORES_QUALITY, ...BT709_TAGS, '-f', 'mov'],
    (frame) => bytesOf(alphaToGreyYuv422p10(frame.alpha, format.width, format.height)),
  );
}

/**
 * `DIR/composite.mp4`: the subject over `color` (the official composite, spec §3.8) as H.264 High, yuv420p,
 * CRF 16, `+faststart` for web players. 4:2:0 needs even sides: an odd width or height is padded by one
 * repeated column or row (yuv444p H.264 would keep the size, but Premiere and QuickTime do not play it);
 * the mattes keep the exact size.
 */
export function openCompositeWriter(
  dir: string,
  format: OutputFormat,
  color: readonly [number, number, number],
  version = 1,
): OutputWriter {
  return encoderWriter(
    { kind: 'composite', path: join(dir, versionedName('composite.mp4', version)) },
    'rgb24',
    format,
    evenSize(format.width, format.height),
    ['-vf', TO_BT709, '-c:v', 'libx264', '-preset', 'medium', '-crf', '16', '-pix_fmt', 'yuv420p',
      ...BT709_TAGS, '-movflags', '+faststart', '-f', 'mp4'],
    (frame) => padRgbToEven(compositeOver(frame.frame.data, frame.alpha, color), format.width, format.height),
  );
}
