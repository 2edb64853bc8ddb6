import * as path from 'path';
import sharp from 'sharp';
import { PARITY_A } from './video-fixtures';

/** An RGB frame of the parity-a fixture. */
export async function fixtureFrame(index: number): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(path.join(PARITY_A, `frame_${String(index).padStart(4, '0')}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/**
 * Frame 0 with its two people apart: on the fixture they hold hands, so the person mask is one region.
 * Columns 0…179 (the left person, without the hand) and 215…425 (the right one), a flat grey gap of 60
 * columns between: 451×240. The left person ends before x = 180, the right one starts after x = 240.
 */
export async function separatedPeople(file: string): Promise<{ width: number; height: number; leftEnd: number; rightStart: number }> {
  const src = path.join(PARITY_A, 'frame_0000.png');
  const left = await sharp(src).removeAlpha().extract({ left: 0, top: 0, width: 180, height: 240 }).png().toBuffer();
  const right = await sharp(src).removeAlpha().extract({ left: 215, top: 0, width: 211, height: 240 }).png().toBuffer();
  await sharp({ create: { width: 451, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: 240, top: 0 },
    ])
    .png()
    .toFile(file);
  return { width: 451, height: 240, leftEnd: 180, rightStart: 240 };
}

/** IoU of two masks (non-zero = in). */
export function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return inter / union;
}
