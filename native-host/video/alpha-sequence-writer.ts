import { promises as fs } from 'fs';
import { join } from 'path';
import { encodeGreyPngAsync } from './png';
import { versionedName, type FrameContext, type OutputFormat, type OutputWriter } from './output-writer';
import { VideoErrors } from './video-errors';

/** `000000.png`: six digits, counting the frames written by this run from 0. */
export function alphaFileName(frameNumber: number): string {
  return `${String(frameNumber).padStart(6, '0')}.png`;
}

/**
 * Writes each alpha as a single-channel PNG in `dir/alpha/` (`dir/alpha-v<n>/` for render n ≥ 2), 8-bit (`round_half_even(α·255)`, the
 * official `pha` PNGs) or 16-bit (`round_half_even(α·65535)`). Each file is written under a temporary
 * name and renamed, so an interrupted run never leaves a truncated PNG.
 *
 * @param dir - the run's output folder
 * @param depth - bits per sample
 * @param format - frame size
 * @param version - which render (see versionedName)
 * @throws HostError OUTPUT_FAILED when the folder cannot be created
 */
export async function openAlphaSequenceWriter(dir: string, depth: 8 | 16, format: OutputFormat, version = 1): Promise<OutputWriter> {
  const folder = join(dir, versionedName('alpha', version));
  await fs.mkdir(folder, { recursive: true }).catch((e: Error) => {
    throw VideoErrors.outputFailed(folder, e.message);
  });
  let written = 0;
  let inFlight: Promise<unknown> = Promise.resolve();

  async function writeOne(frame: FrameContext): Promise<void> {
    const samples = depth === 16 ? frame.alpha16() : frame.alpha8();
    const file = join(folder, alphaFileName(written++));
    const png = await encodeGreyPngAsync(format.width, format.height, samples, depth);
    try {
      await fs.writeFile(`${file}.partial`, png);
      await fs.rename(`${file}.partial`, file);
    } catch (e) {
      await fs.rm(`${file}.partial`, { force: true });
      throw VideoErrors.outputFailed(file, (e as Error).message);
    }
  }

  return {
    file: { kind: 'alpha', path: folder },
    write(frame) {
      const done = writeOne(frame);
      inFlight = done.catch(() => {});
      return done;
    },
    async close() {
      await inFlight;
    },
    async abort() {
      await inFlight;
    },
  };
}
