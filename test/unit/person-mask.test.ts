import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { cleanMask } from '../../native-host/person-mask/mask-cleanup';
import { personMask, personModelFor } from '../../native-host/person-mask/person-mask';
import { fixtureFrame, iou, separatedPeople } from '../support/person-fixtures';
import { PARITY_A } from '../support/video-fixtures';

describe('personMask', () => {
  test('frame 0 of parity-a: close to the official mask over the person it covers, and takes both people', async () => {
    const frame = await fixtureFrame(0);
    const official = await sharp(path.join(PARITY_A, 'mask.png')).extractChannel(0).raw().toBuffer();
    const found = await personMask(frame);
    expect(personModelFor(frame.width, frame.height)).toBe('landscape');
    expect(found.mask.length).toBe(frame.width * frame.height);
    expect(found.mask.every((v) => v === 0 || v === 255)).toBe(true);
    // mask.png covers the left person only; the auto mask takes both (they hold hands: one region).
    const whole = iou(found.mask, official);
    const leftCols = (m: Uint8Array) => m.map((v, i) => (i % frame.width < 190 ? v : 0));
    const left = iou(leftCols(found.mask), leftCols(official));
    let covered = 0;
    let total = 0;
    for (let i = 0; i < official.length; i++) if (official[i]) (total++, found.mask[i] && covered++);
    console.log(`auto mask vs mask.png, frame 0: IoU ${whole.toFixed(3)}, left person (x < 190) IoU ${left.toFixed(3)}, recall ${(covered / total).toFixed(3)}`);
    // measured 0.392, 0.894, 0.988
    expect(whole).toBeGreaterThan(0.37);
    expect(left).toBeGreaterThan(0.85);
    expect(covered / total).toBeGreaterThan(0.97);
    expect(found.people).toBe(1);
    expect(found.coverage).toBeGreaterThan(0.25);
  });

  test('a box keeps only the people it touches, whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'person-mask-'));
    try {
      const file = path.join(dir, 'apart.png');
      const { width, height, leftEnd, rightStart } = await separatedPeople(file);
      const { data } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const frame = { data: new Uint8Array(data), width, height };
      const all = await personMask(frame);
      expect(all.people).toBe(2);
      const count = (m: Uint8Array, x0: number, x1: number) => m.filter((v, i) => v && i % width >= x0 && i % width < x1).length;
      const one = await personMask(frame, { box: { x: 110, y: 120, width: 20, height: 20 } });
      expect(one.people).toBe(1);
      expect(count(one.mask, rightStart, width)).toBe(0);
      // whole: the person reaches well outside the small box
      expect(count(one.mask, 0, leftEnd)).toBe(count(all.mask, 0, leftEnd));
      await expect(personMask(frame, { box: { x: 200, y: 0, width: 10, height: 10 } })).rejects.toMatchObject({ code: 'NO_PERSON' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a flat frame has no person: NO_PERSON, naming the frame', async () => {
    const frame = { data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 };
    await expect(personMask(frame, { frameIndex: 7 })).rejects.toMatchObject({ code: 'NO_PERSON', message: expect.stringMatching(/^no person found in frame 7/) });
  });

  test('cleanMask drops specks and fills holes under the area, keeps the rest', () => {
    const w = 20;
    const m = new Uint8Array(w * w);
    for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) m[y * w + x] = 255; // a 10×10 square
    m[5 * w + 5] = 0; // a one-pixel hole
    m[17 * w + 17] = 255; // a speck
    const out = cleanMask(m, w, w, 4);
    expect(out[5 * w + 5]).toBe(255);
    expect(out[17 * w + 17]).toBe(0);
    expect(out.filter((v) => v).length).toBe(100);
  });
});
