// plugin/host/frame-time.ts: Premiere ticks ↔ source frames, exact rates, timecode labels. Plugin code is loaded
// with require() (the panel is bundled by webpack, not built by the root tsconfig); its pure types are imported.
type FrameTime = typeof import('../../plugin/host/frame-time');
const { formatTimecode, frameToTicks, rationalFrameRate, sourceFrames, ticksPerFrame, ticksToFrame } =
  require('../../plugin/host/frame-time') as FrameTime;

const NTSC_23976 = { num: 24000, den: 1001 };
const NTSC_2997 = { num: 30000, den: 1001 };
const NTSC_5994 = { num: 60000, den: 1001 };
const PAL = { num: 25, den: 1 };
const ticks = (value: bigint) => value.toString();

describe('rationalFrameRate', () => {
  test.each([
    [23.976, NTSC_23976],
    [24000 / 1001, NTSC_23976],
    [29.97, NTSC_2997],
    [47.952, { num: 48000, den: 1001 }],
    [59.94, NTSC_5994],
    [119.88, { num: 120000, den: 1001 }],
    [24, { num: 24, den: 1 }],
    [25.0000001, PAL],
    [50, { num: 50, den: 1 }],
    [12.5, { num: 25, den: 2 }],
    [7.5, { num: 15, den: 2 }],
  ])('%d fps is %j', (fps, rate) => {
    expect(rationalFrameRate(fps)).toEqual(rate);
  });

  test('anything else becomes a close fraction with a small denominator', () => {
    const rate = rationalFrameRate(Math.PI * 10);
    expect(rate.den).toBeLessThanOrEqual(1000);
    expect(Math.abs(rate.num / rate.den - Math.PI * 10)).toBeLessThan(1e-4);
  });

  test.each([0, -25, Number.NaN, Number.POSITIVE_INFINITY])('%d is not a frame rate', (fps) => {
    expect(() => rationalFrameRate(fps)).toThrow(RangeError);
  });
});

describe('ticksPerFrame', () => {
  test.each([
    [NTSC_23976, 10594584000n],
    [PAL, 10160640000n],
    [NTSC_2997, 8475667200n],
    [NTSC_5994, 4237833600n],
  ])('%j: %d ticks', (rate, expected) => {
    expect(ticksPerFrame(rate)).toBe(expected);
  });
});

describe('sourceFrames', () => {
  const perFrame = ticksPerFrame(NTSC_23976);

  test('23.976: in point at frame 24, out point (exclusive) at 72 → frames 24..71', () => {
    expect(sourceFrames(ticks(24n * perFrame), ticks(72n * perFrame), NTSC_23976)).toEqual({ from: 24, to: 71 });
  });

  test('an in or out point a tick off a frame boundary still names the nearest frame', () => {
    const at = (frame: bigint, offset: bigint) => ticks(frame * perFrame + offset);
    expect(sourceFrames(at(24n, 1n), at(72n, -1n), NTSC_23976)).toEqual({ from: 24, to: 71 });
    expect(sourceFrames(at(24n, -1n), at(72n, 1n), NTSC_23976)).toEqual({ from: 24, to: 71 });
  });

  test('25 and 59.94 fps', () => {
    expect(sourceFrames('0', ticks(50n * ticksPerFrame(PAL)), PAL)).toEqual({ from: 0, to: 49 });
    const perFrame5994 = ticksPerFrame(NTSC_5994);
    expect(sourceFrames(ticks(600n * perFrame5994), ticks(1200n * perFrame5994), NTSC_5994)).toEqual({ from: 600, to: 1199 });
  });

  test('a zero-length clip, or one shorter than a frame, has no frames', () => {
    expect(sourceFrames(ticks(10n * perFrame), ticks(10n * perFrame), NTSC_23976)).toBeUndefined();
    expect(sourceFrames(ticks(10n * perFrame), ticks(10n * perFrame + perFrame / 3n), NTSC_23976)).toBeUndefined();
  });

  test('ticks stay exact past ten hours (where a float of ticks would have lost the frame)', () => {
    const frame = 10 * 3600 * 60; // ten hours at 59.94, counted in frames
    const at = frameToTicks(frame, NTSC_5994);
    expect(at).toBe(BigInt(frame) * ticksPerFrame(NTSC_5994));
    expect(ticksToFrame(at + 1n, NTSC_5994)).toBe(frame);
    expect(ticksToFrame(ticks(at - 1n), NTSC_5994)).toBe(frame);
  });
});

describe('formatTimecode', () => {
  test.each([
    [0, '00:00:00;00'],
    [1799, '00:00:59;29'],
    [1800, '00:01:00;02'], // ;00 and ;01 do not exist at minute 1
    [17982, '00:10:00;00'], // every tenth minute keeps them
    [17983, '00:10:00;01'],
    [107892, '01:00:00;00'],
  ])('29.97 drop-frame: frame %d is %s', (frame, label) => {
    expect(formatTimecode(frame, NTSC_2997, true)).toBe(label);
  });

  test('29.97 non-drop counts 30 labels a second', () => {
    expect(formatTimecode(1800, NTSC_2997, false)).toBe('00:01:00:00');
    expect(formatTimecode(17982, NTSC_2997, false)).toBe('00:09:59:12');
  });

  test('59.94 drop-frame skips four labels a minute', () => {
    expect(formatTimecode(3600, NTSC_5994, true)).toBe('00:01:00;04');
    expect(formatTimecode(35964, NTSC_5994, true)).toBe('00:10:00;00');
  });

  test('25 fps, and a rate with no drop-frame form ignores the flag', () => {
    expect(formatTimecode(3601 * 25 + 5, PAL, false)).toBe('01:00:01:05');
    expect(formatTimecode(24 * 60, NTSC_23976, true)).toBe('00:01:00:00');
  });
});
