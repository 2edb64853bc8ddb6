import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { frameNumber, listFrameFiles } from '../../native-host/video/frame-files';
import { openFrameSource } from '../../native-host/video/frame-source';
import { PARITY_A, makeVideoTempDir, readAllFrames, rejectsWithHostError } from '../support/video-fixtures';

const tmp = makeVideoTempDir('inputs-frames-');
afterAll(() => tmp.cleanup());

/** Fixture frame k (426×240 PNG). */
const fixture = (k: number) => path.join(PARITY_A, `frame_${String(k).padStart(4, '0')}.png`);

/** A fresh folder holding `files`: name → fixture frame index (copied), or a function that makes it. */
async function folder(name: string, files: Record<string, number | ((file: string) => unknown)>): Promise<string> {
  const dir = tmp.file(name);
  fs.mkdirSync(dir);
  for (const [file, make] of Object.entries(files)) {
    const target = path.join(dir, file);
    if (typeof make === 'number') fs.copyFileSync(fixture(make), target);
    else await make(target);
  }
  return dir;
}

/** An image as the folder source decodes it (RGB, no alpha). */
const decoded = async (file: string) => sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer();

describe('frame folders as pipelines and render farms make them', () => {
  it('frames that are symbolic links to regular files (in another folder) are read through the links', async () => {
    const cache = await folder('cache', { 'a.png': 3, 'b.png': 4, 'c.png': 5 });
    const dir = await folder('linked', {
      'shot_0001.png': (f) => fs.symlinkSync(path.join(cache, 'a.png'), f),
      'shot_0002.png': (f) => fs.symlinkSync(path.join(cache, 'b.png'), f),
      'shot_0003.png': (f) => fs.symlinkSync('../cache/c.png', f), // relative links too
      'mask.png': 0, // no number: not a frame
    });
    fs.symlinkSync(cache, path.join(dir, 'take_0004.png')); // a link to a folder is not a frame
    const frames = await readAllFrames(dir);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    for (const [i, k] of [3, 4, 5].entries()) expect(Buffer.from(frames[i].data).equals(await decoded(fixture(k)))).toBe(true);
  });

  it('a link that leads nowhere is refused, naming it', async () => {
    const dir = await folder('dangling', { 'f_1.png': 0, 'f_2.png': (f) => fs.symlinkSync(tmp.file('gone.png'), f) });
    const error = await rejectsWithHostError(openFrameSource(dir), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${dir}: f_2.png is a symbolic link to a file that does not exist; fix or remove the link`);
  });

  it('numbering from 1001, upper-case and mixed extensions: ordered by number, frame 0 is the lowest', async () => {
    const jpg = (k: number) => (f: string) => sharp(fixture(k)).jpeg({ quality: 95 }).toFile(f);
    const dir = await folder('renders', {
      'plate.1003.JPG': jpg(2),
      'plate.1001.PNG': 0,
      'plate.1002.png': 1,
      'plate.1004.jpeg': jpg(3),
      'plate.1005.tif': (f) => sharp(fixture(4)).tiff().toFile(f),
      'notes_1.txt': (f) => fs.writeFileSync(f, 'not an image'),
      '._plate.1001.PNG': (f) => fs.writeFileSync(f, 'macOS resource fork on an exFAT drive'), // hidden: not a frame
    });
    expect((await listFrameFiles(dir)).map((f) => f.name)).toEqual(['plate.1001.PNG', 'plate.1002.png', 'plate.1003.JPG', 'plate.1004.jpeg', 'plate.1005.tif']);
    const frames = await readAllFrames(dir, { from: 1, to: 3 });
    expect(frames.map((f) => f.index)).toEqual([1, 2, 3]);
    expect(Buffer.from(frames[0].data).equals(await decoded(fixture(1)))).toBe(true);
    expect(Buffer.from(frames[1].data).equals(await decoded(path.join(dir, 'plate.1003.JPG')))).toBe(true);
    expect(Buffer.from(frames[2].data).equals(await decoded(path.join(dir, 'plate.1004.jpeg')))).toBe(true);
  });

  it('the last number in a name is the frame number, not a lexicographic order', async () => {
    expect(frameNumber('shot2_frame_0001.png')).toBe(1);
    expect(frameNumber('v3_take12.PNG')).toBe(12);
    expect(frameNumber('mask.png')).toBeUndefined();
    const dir = await folder('shot2', { 'shot2_frame_10.png': 2, 'shot2_frame_9.png': 1, 'shot2_frame_8.png': 0 });
    expect((await listFrameFiles(dir)).map((f) => f.number)).toEqual([8, 9, 10]);
  });

  it('a gap is refused with the first missing number (a failed render; skipping it would shift the timing)', async () => {
    const dir = await folder('gap', { 'f_0001.png': 0, 'f_0002.png': 1, 'f_0004.png': 2, 'f_0007.png': 3 });
    const error = await rejectsWithHostError(openFrameSource(dir), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(
      `cannot read video ${dir}: frame 3 is missing (between f_0002.png and f_0004.png; 3 missing in all from 1 to 7): ` +
        'render or copy the missing frames, since skipping them would shift the timing',
    );
  });

  it('two images with the same number are refused, naming both', async () => {
    const padded = await folder('padding', { 'frame_1.png': 0, 'frame_001.png': 0, 'frame_2.png': 1 });
    expect((await rejectsWithHostError(openFrameSource(padded), 'VIDEO_UNREADABLE')).message).toBe(
      `cannot read video ${padded}: frame_001.png and frame_1.png are both frame 1 (the last number in a name is the frame number); keep one of them`,
    );
    const formats = await folder('formats', { 'a_7.png': 0, 'a_7.jpg': (f) => sharp(fixture(0)).jpeg().toFile(f) });
    expect((await rejectsWithHostError(openFrameSource(formats), 'VIDEO_UNREADABLE')).message).toMatch(/a_7\.jpg and a_7\.png are both frame 7/);
  });

  it('a folder with only unnumbered images still says it has no numbered images', async () => {
    const dir = await folder('unnumbered', { 'mask.png': 0, 'Matte.PNG': 0 });
    const error = await rejectsWithHostError(openFrameSource(dir), 'VIDEO_UNREADABLE');
    expect(error.message).toBe(`cannot read video ${dir}: the folder has no numbered png, jpg, tif, bmp or webp images`);
  });
});
