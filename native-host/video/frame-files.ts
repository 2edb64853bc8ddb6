import { promises as fs, type Dirent } from 'fs';
import { join } from 'path';
import { VideoErrors } from './video-errors';

/** Still formats both OpenCV's imread (the official script) and sharp decode; any case (`.PNG`, `.JPG`). */
const IMAGE = /\.(png|jpe?g|tiff?|bmp|webp)$/i;

/** One image of a frame folder. */
export interface FrameFile {
  /** the name in the folder */
  readonly name: string;
  /** the frame number in the name (its last run of digits) */
  readonly number: number;
  /** the path to open (a symbolic link is opened as such: the decoder follows it) */
  readonly path: string;
}

/**
 * The frames of an image folder, in the order of their numbers. A frame is an image (png, jpg, tif, bmp,
 * webp, any case, mixed allowed) whose name holds a number; the last number in the name is the frame number
 * (`shot2_frame_0001.png` is frame 1), so a `mask.png` beside the frames is not taken for one. Symbolic links
 * to images count (render farms and pipelines link frames from a cache); hidden files (`.name`, such as
 * macOS's `._frame_0001.png`) are not frames.
 *
 * Numbering may start anywhere (the lowest number is frame 0 of the clip) but must have no gap: a missing
 * number is almost always a failed render, and skipping it would shift every later frame's timing and
 * misalign the outputs with the images.
 *
 * @throws HostError VIDEO_UNREADABLE when there are no frames, two names carry the same number, a number is
 *   missing between the lowest and the highest, or a frame's link leads nowhere
 */
export async function listFrameFiles(dir: string): Promise<FrameFile[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const candidates = entries.filter((e) => !e.name.startsWith('.') && IMAGE.test(e.name) && frameNumber(e.name) !== undefined);
  const kept = await Promise.all(candidates.map((entry) => isFrameFile(dir, entry)));
  const files = candidates
    .filter((_, i) => kept[i])
    .map((entry): FrameFile => ({ name: entry.name, number: frameNumber(entry.name)!, path: join(dir, entry.name) }));
  if (files.length === 0) throw VideoErrors.unreadable(dir, 'the folder has no numbered png, jpg, tif, bmp or webp images');
  files.sort((a, b) => a.number - b.number || (a.name < b.name ? -1 : 1));
  checkSequence(dir, files);
  return files;
}

/**
 * The frame number of an image name: its last run of digits, or undefined when it has none.
 *
 * @example frameNumber('shot2_frame_0012.PNG') // 12
 */
export function frameNumber(name: string): number | undefined {
  const digits = name.replace(IMAGE, '').match(/\d+/g);
  return digits ? Number(digits[digits.length - 1]) : undefined;
}

/** A regular file, or a link that leads to one; folders (and links to them) are not frames. */
async function isFrameFile(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  const target = await fs.stat(join(dir, entry.name)).catch(() => undefined);
  if (!target) throw VideoErrors.unreadable(dir, `${entry.name} is a symbolic link to a file that does not exist; fix or remove the link`);
  return target.isFile();
}

/** Refuses duplicate numbers and gaps, naming the files and the first missing number. */
function checkSequence(dir: string, files: FrameFile[]): void {
  for (let i = 1; i < files.length; i++) {
    const [before, after] = [files[i - 1], files[i]];
    if (after.number === before.number)
      throw VideoErrors.unreadable(dir, `${before.name} and ${after.name} are both frame ${after.number} (the last number in a name is the frame number); keep one of them`);
  }
  const [first, last] = [files[0], files[files.length - 1]];
  for (let i = 1; i < files.length; i++) {
    const [before, after] = [files[i - 1], files[i]];
    if (after.number > before.number + 1) {
      const missing = last.number - first.number + 1 - files.length;
      throw VideoErrors.unreadable(
        dir,
        `frame ${before.number + 1} is missing (between ${before.name} and ${after.name}; ${missing} missing in all from ${first.number} to ` +
          `${last.number}): render or copy the missing frames, since skipping them would shift the timing`,
      );
    }
  }
}
