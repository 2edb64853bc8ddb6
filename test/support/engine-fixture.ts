import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import sharp from 'sharp';
import { convertCheckpoint } from '../../native-host/convert/convert-model';
import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import { PARITY_DIR } from './parity-fixture';

/** The fixture checkpoint converted into a fresh temporary model folder (0.6 s); remove it with `cleanup`. */
export async function fixtureModel(precision: 'fp32' | 'fp16' = 'fp32'): Promise<{ dir: string; cleanup(): void }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-model-'));
  const { dir } = await convertCheckpoint({ checkpoint: path.join(PARITY_DIR, 'weights.safetensors'), outDir: path.join(root, 'model'), precision });
  return { dir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Fixture frame `i` (426×240) as the engine takes it. */
export async function fixtureFrame(i: number): Promise<EngineFrame> {
  const file = path.join(PARITY_DIR, `frame_${String(i).padStart(4, '0')}.png`);
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

/** mask_prepared.png: the official first-frame mask after dilate/erode, 0/255. */
export async function fixturePreparedMask(): Promise<Uint8Array> {
  return new Uint8Array(await sharp(path.join(PARITY_DIR, 'mask_prepared.png')).extractChannel(0).raw().toBuffer());
}

export const FIXTURE_FRAMES = 12;
