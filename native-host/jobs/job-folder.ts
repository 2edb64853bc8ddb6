import { promises as fs } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { encodeGreyPngAsync } from '../video/png';
import { alphaToU16 } from '../video/quantise';
import type { StoredRequest } from './job-request';

/**
 * Writes a file under a temporary name, then renames it over the target: readers, and a host killed
 * mid-write, see the old file or the new one, never half of one.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await fs.writeFile(partial, data);
    await fs.rename(partial, file);
  } catch (e) {
    await fs.rm(partial, { force: true });
    throw e;
  }
}

const sixDigits = (n: number) => String(n).padStart(6, '0');

/**
 * One job's folder, `<dataDir>/jobs/<jobId>/`:
 *
 *     request.json            the request as submitted (masks sent as images are files in masks/)
 *     masks/                  target-0.png …, correction-000007-0.png (frame, target)
 *     alpha/<target>/000007.png  16-bit grey alpha of source frame 7: the job's canonical result
 *     snapshots/frame-000005.snap  engine state after source frame 5 (see SnapshotStore)
 *     log                     one line per event of the job, and the stack of an internal error
 */
export class JobFolder {
  readonly dir: string;

  constructor(dataDir: string, readonly jobId: string) {
    this.dir = path.join(dataDir, 'jobs', jobId);
  }

  get snapshotsDir(): string {
    return path.join(this.dir, 'snapshots');
  }

  /** Folder-relative path of a mask image (what the database stores). */
  maskName(name: string): string {
    return path.join('masks', name);
  }

  file(relative: string): string {
    return path.join(this.dir, relative);
  }

  alphaFile(target: number, frame: number): string {
    return path.join(this.dir, 'alpha', String(target), `${sixDigits(frame)}.png`);
  }

  async create(targets: number): Promise<void> {
    await fs.mkdir(path.join(this.dir, 'masks'), { recursive: true });
    await fs.mkdir(this.snapshotsDir, { recursive: true });
    for (let t = 0; t < targets; t++) await fs.mkdir(path.join(this.dir, 'alpha', String(t)), { recursive: true });
  }

  async writeRequest(request: StoredRequest): Promise<void> {
    await writeFileAtomic(path.join(this.dir, 'request.json'), JSON.stringify(request, null, 2));
  }

  async readRequest(): Promise<StoredRequest> {
    return JSON.parse(await fs.readFile(path.join(this.dir, 'request.json'), 'utf8')) as StoredRequest;
  }

  /**
   * Writes one frame's alpha as a 16-bit grey PNG (`round_half_even(α·65535)`, as `--alpha png16`).
   * @param alpha - width·height values in [0, 1] at the source size
   */
  async writeAlpha(target: number, frame: number, alpha: Float32Array, width: number, height: number): Promise<void> {
    const png = await encodeGreyPngAsync(width, height, alphaToU16(alpha), 16);
    await writeFileAtomic(this.alphaFile(target, frame), png);
  }

  /** Reads an alpha written by {@link writeAlpha} back to [0, 1] (16-bit samples / 65535). */
  async readAlpha(target: number, frame: number): Promise<{ width: number; height: number; alpha: Float32Array }> {
    // sharp reads grey PNGs as sRGB unless told otherwise: keep the one 16-bit channel as it is.
    const { data, info } = await sharp(this.alphaFile(target, frame))
      .extractChannel(0)
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    return { width: info.width, height: info.height, alpha: Float32Array.from(samples, (v) => v / 65535) };
  }

  /** Appends a timestamped line to the job's log; a failing log never fails the job. */
  async log(line: string): Promise<void> {
    await fs.appendFile(path.join(this.dir, 'log'), `${new Date().toISOString()} ${line}\n`).catch(() => undefined);
  }
}
