import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { fixtureModel } from '../support/engine-fixture';
import { expectOneLineError, runCli } from '../support/cli';
import { separatedPeople } from '../support/person-fixtures';
import { ffmpeg, makeVideoTempDir, PARITY_A } from '../support/video-fixtures';

const grey = (file: string) => sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });

describe('matanyone mask and matte --mask auto', () => {
  const tmp = makeVideoTempDir('cli-mask-');
  let flat: string;
  beforeAll(() => {
    flat = tmp.file('flat.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=24', '-frames:v', '3', '-pix_fmt', 'yuv420p', flat]);
  });
  afterAll(() => tmp.cleanup());

  test('--auto writes the first-frame person mask at the source size', async () => {
    const out = tmp.file('auto.png');
    const r = runCli(['mask', PARITY_A, '--auto', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mask: .*auto\.png \(426×240, frame 0: 1 region, \d+\.\d % of the frame\)\n$/);
    const { data, info } = await grey(out);
    expect([info.width, info.height]).toEqual([426, 240]);
    expect(data.some((v) => v === 255) && data.every((v) => v === 0 || v === 255)).toBe(true);
  });

  test('--box around one person keeps only that person', async () => {
    const image = tmp.file('apart.png');
    const { width, rightStart, leftEnd } = await separatedPeople(image);
    const out = tmp.file('left.png');
    const r = runCli(['mask', image, '--auto', '--box', '100,110,40,40', '--out', out]);
    expect(r.code).toBe(0);
    const { data } = await grey(out);
    const inCols = (x0: number, x1: number) => data.filter((v, i) => v && i % width >= x0 && i % width < x1).length;
    expect(inCols(0, leftEnd)).toBeGreaterThan(5000);
    expect(inCols(rightStart, width)).toBe(0);
    // --box alone: the box itself
    const boxOut = tmp.file('box.png');
    expect(runCli(['mask', image, '--box', '10,20,30,40', '--out', boxOut]).code).toBe(0);
    expect((await grey(boxOut)).data.filter((v) => v).length).toBe(30 * 40);
  });

  test('--strokes paints a drawing file; with --auto it is painted over the people found', async () => {
    const image = tmp.file('apart-strokes.png');
    const { width, rightStart } = await separatedPeople(image);
    const drawing = tmp.file('drawing.json');
    // a box, then an erase stroke through its middle row
    fs.writeFileSync(drawing, JSON.stringify({ shapes: [{ type: 'box', x: 10, y: 20, width: 30, height: 40 }, { type: 'stroke', points: [[0, 40], [60, 40]], radius: 1, erase: true }] }));
    const out = tmp.file('strokes.png');
    const r = runCli(['mask', image, '--strokes', drawing, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/frame 0: 2 drawn shapes\)/);
    const drawn = (await grey(out)).data;
    expect(drawn.filter((v) => v).length).toBe(30 * 40 - 2 * 30); // the stroke clears rows 39 and 40 (centres 39.5 and 40.5 are within 1 px of y = 40)
    expect(drawn[39 * width + 20]).toBe(0);
    expect(drawn[30 * width + 20]).toBe(255);

    // --auto then an erase box over the right person: only the left one stays
    const people = tmp.file('people.png');
    expect(runCli(['mask', image, '--auto', '--out', people]).code).toBe(0);
    const eraseRight = tmp.file('erase-right.json');
    fs.writeFileSync(eraseRight, JSON.stringify([{ type: 'box', x: rightStart - 5, y: 0, width: width, height: 240, erase: true }]));
    const touched = tmp.file('touched.png');
    const t = runCli(['mask', image, '--auto', '--strokes', eraseRight, '--out', touched]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/2 regions, .* then 1 drawn shape\)/);
    const before = (await grey(people)).data;
    const after = (await grey(touched)).data;
    for (let i = 0; i < after.length; i++) expect(after[i]).toBe(i % width >= rightStart - 5 ? 0 : before[i]);
  });

  test('--strokes: unreadable, malformed or empty drawings fail in one line', () => {
    const bad = tmp.file('bad.json');
    fs.writeFileSync(bad, '{"shapes": [{"type": "circle", "r": 3}]}');
    expectOneLineError(runCli(['mask', flat, '--strokes', bad, '--out', tmp.file('x.png')]), /--strokes: .*bad\.json is not a list of shapes at shapes\.0/);
    const notJson = tmp.file('not.json');
    fs.writeFileSync(notJson, 'box 1 2 3 4');
    expectOneLineError(runCli(['mask', flat, '--strokes', notJson, '--out', tmp.file('x.png')]), /is not JSON/);
    expectOneLineError(runCli(['mask', flat, '--strokes', tmp.file('missing.json'), '--out', tmp.file('x.png')]), /cannot read .*missing\.json: ENOENT/);
    const outside = tmp.file('outside.json');
    fs.writeFileSync(outside, JSON.stringify([{ type: 'box', x: 1000, y: 1000, width: 5, height: 5 }]));
    expectOneLineError(runCli(['mask', flat, '--strokes', outside, '--out', tmp.file('x.png')]), /the mask is empty/);
    expectOneLineError(runCli(['mask', flat, '--box', '1,1,4,4', '--strokes', outside, '--out', tmp.file('x.png')]), /--box and --strokes are two masks/);
  });

  test('no person: exit 1 with one line', () => {
    expectOneLineError(runCli(['mask', flat, '--auto', '--out', tmp.file('none.png')]), /no person found in frame 0/);
    expectOneLineError(runCli(['mask', flat, '--out', tmp.file('none.png')]), /give --auto/);
    expect(runCli(['mask', '--help']).stdout).toMatch(/^Usage: matanyone mask/);
  });

  test('matte --mask auto mattes the people; no person fails in one line', async () => {
    const model = await fixtureModel();
    try {
      const out = tmp.file('matte');
      const r = runCli(['matte', PARITY_A, '--mask', 'auto', '--to', '2', '--warmup', '1', '--ep', 'cpu', '--model', model.dir, '--out', out, '--alpha', 'png8'], { timeoutMs: 300_000 });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/done: 3 frames/);
      const { data, info } = await grey(path.join(out, 'alpha', '000000.png'));
      expect([info.width, info.height]).toEqual([426, 240]);
      expect(data.some((v) => v > 0)).toBe(true);
      expectOneLineError(runCli(['matte', flat, '--mask', 'auto', '--model', model.dir, '--out', tmp.file('none'), '--ep', 'cpu']), /no person found in frame 0/);
      expectOneLineError(runCli(['matte', flat, '--mask', path.join(PARITY_A, 'mask.png'), '--box', '1,1,5,5', '--out', tmp.file('x')]), /--box selects people for --mask auto/);
    } finally {
      model.cleanup();
    }
  });
});
