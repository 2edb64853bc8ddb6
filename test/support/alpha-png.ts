import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';

/** Reads `dir/alpha/NNNNNN.png` written with --alpha png16 back to alphas in [0,1]. */
export async function readAlpha16(dir: string, frame: number): Promise<{ width: number; height: number; alpha: Float32Array }> {
  const file = path.join(dir, 'alpha', `${String(frame).padStart(6, '0')}.png`);
  const meta = await sharp(file).metadata();
  if (meta.channels !== 1 || meta.depth !== 'ushort') throw new Error(`${file} is not a 16-bit grey PNG (${meta.channels} channels, ${meta.depth})`);
  // sharp decodes grey as sRGB unless told otherwise: keep the one 16-bit channel.
  const { data, info } = await sharp(file).extractChannel(0).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  return { width: info.width, height: info.height, alpha: Float32Array.from(samples, (v) => v / 65535) };
}

export function alphaFrames(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'alpha')).sort();
}
