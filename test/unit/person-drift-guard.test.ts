/**
 * The drift guard (`--reseed`) with the real person segmenter on the fixture's two people, set apart so that
 * they are two regions: a matte on the left person that still fits is kept; one that slid off is re-seeded
 * with that person (never the other one); a matte over no person changes nothing.
 */
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { DriftGuard } from '../../native-host/person-mask/drift-guard';
import { personMask } from '../../native-host/person-mask/person-mask';
import { iou, separatedPeople } from '../support/person-fixtures';

let frame: { data: Uint8Array; width: number; height: number };
let left: Uint8Array;
let layout: { leftEnd: number; rightStart: number };

const asMatte = (mask: Uint8Array) => Float32Array.from(mask, (v) => v / 255);

/** The mask moved `dx` pixels to the right (what a matte that drifted looks like). */
function shifted(mask: Uint8Array, width: number, dx: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const x = i % width;
    if (x + dx < width && mask[i]) out[i + dx] = 255;
  }
  return out;
}

beforeAll(async () => {
  const file = path.join(os.tmpdir(), `drift-guard-${process.pid}.png`);
  layout = await separatedPeople(file);
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  frame = { data: new Uint8Array(data), width: info.width, height: info.height };
  left = (await personMask(frame, { box: { x: 20, y: 60, width: 100, height: 120 } })).mask;
});

test('checks every N frames, never frame 0 (the first mask itself)', () => {
  const guard = new DriftGuard({ everyFrames: 3 });
  expect([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => guard.due(i))).toEqual([3, 6]);
  expect(() => new DriftGuard({ everyFrames: 0 })).toThrow(/at least one frame/);
});

test('a matte that still covers its person is kept', async () => {
  const [check] = await new DriftGuard({ everyFrames: 1 }).check(frame, [asMatte(left)], 5);
  expect(check.kind).toBe('kept');
  if (check.kind === 'kept') expect(check.iou).toBeGreaterThan(0.99);
});

test('a matte that slid off its person is re-seeded with that person only, whole', async () => {
  const drifted = shifted(left, frame.width, 40);
  const [check] = await new DriftGuard({ everyFrames: 1 }).check(frame, [asMatte(drifted)], 5);
  expect(check.kind).toBe('reseed');
  if (check.kind !== 'reseed') return;
  console.log(`drifted matte: IoU ${check.iou.toFixed(3)} with its person; re-seed mask IoU ${iou(check.mask, left).toFixed(3)} with the left person`);
  expect(check.iou).toBeLessThan(0.7);
  expect(iou(check.mask, left)).toBeGreaterThan(0.99);
  // The right person is someone else: nothing of them enters the new mask.
  for (let y = 0; y < frame.height; y++) for (let x = layout.rightStart; x < frame.width; x++) expect(check.mask[y * frame.width + x]).toBe(0);
});

test('the agreement threshold is the caller\'s', async () => {
  const drifted = shifted(left, frame.width, 8);
  const [loose] = await new DriftGuard({ everyFrames: 1, minIou: 0.3 }).check(frame, [asMatte(drifted)], 5);
  const [strict] = await new DriftGuard({ everyFrames: 1, minIou: 0.95 }).check(frame, [asMatte(drifted)], 5);
  expect(loose.kind).toBe('kept');
  expect(strict.kind).toBe('reseed');
});

test('a matte over no person (the subject is not a person, or left) changes nothing', async () => {
  const gap = new Float32Array(frame.width * frame.height);
  for (let y = 100; y < 140; y++) for (let x = layout.leftEnd + 10; x < layout.rightStart - 10; x++) gap[y * frame.width + x] = 1;
  const checks = await new DriftGuard({ everyFrames: 1 }).check(frame, [gap, asMatte(left)], 5);
  expect(checks.map((c) => c.kind)).toEqual(['no-person', 'kept']);
});

test('a frame without people: no-person for every target', async () => {
  const grey = { data: new Uint8Array(frame.width * frame.height * 3).fill(128), width: frame.width, height: frame.height };
  const checks = await new DriftGuard({ everyFrames: 1 }).check(grey, [asMatte(left)], 5);
  expect(checks).toEqual([{ kind: 'no-person' }]);
});
