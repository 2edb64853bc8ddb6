/**
 * Premiere ticks ↔ frame numbers and timecode labels. Pure arithmetic, no host API, so it runs the same in the
 * panel, in jest and in the fakes. Ticks are BigInt: 254 016 000 000 per second overflows float precision after
 * about ten hours, and a string of ticks is what Premiere hands out (TickTime.ticks).
 */
import type { Rational, Ticks } from './host-adapter';

/** Premiere's ticks per second (TickTime docs; 2^12 · 3^4 · 5^6 · 7^2, so every broadcast rate divides it). */
export const TICKS_PER_SECOND = 254016000000n;

/** Source frames a clip uses: 0-based, inclusive at both ends. */
export interface FrameRange {
  from: number;
  to: number;
}

/** The rates cameras record at 1000/1001 of a whole rate ("NTSC"): 23.976, 29.97, 47.952, 59.94, 119.88 ... */
const NTSC_DEN = 1001;

/** Relative error under which a float rate from Premiere counts as exact (23.976 is 24000/1001 − 0.0000240). */
const SNAP_TOLERANCE = 1e-5;

/** Largest denominator for a rate that is neither whole nor NTSC (the bridge accepts up to 1 000 000). */
const MAX_DENOMINATOR = 1000;

/**
 * The exact fraction for a frame rate that Premiere reports as a float (FootageInterpretation.getFrameRate).
 * Whole rates and NTSC rates snap (29.97 → 30000/1001); anything else becomes the closest fraction with a
 * denominator up to 1000 (12.5 → 25/2).
 * @throws RangeError for a rate that is not a positive finite number
 * @example rationalFrameRate(23.976) // { num: 24000, den: 1001 }
 */
export function rationalFrameRate(fps: number): Rational {
  if (!Number.isFinite(fps) || fps <= 0) throw new RangeError(`frame rate ${fps} is not a positive number`);
  const whole = Math.round(fps);
  if (whole > 0 && Math.abs(fps - whole) <= fps * SNAP_TOLERANCE) return { num: whole, den: 1 };
  const ntsc = Math.round((fps * NTSC_DEN) / 1000);
  if (ntsc > 0 && Math.abs(fps - (ntsc * 1000) / NTSC_DEN) <= fps * SNAP_TOLERANCE) {
    return { num: ntsc * 1000, den: NTSC_DEN };
  }
  return closestFraction(fps, MAX_DENOMINATOR);
}

/** Best rational approximation with den ≤ maxDen, from the continued-fraction convergents of `x`. */
function closestFraction(x: number, maxDen: number): Rational {
  let [num0, den0, num1, den1] = [0, 1, 1, 0];
  let rest = x;
  for (;;) {
    const term = Math.floor(rest);
    const den2 = den0 + term * den1;
    if (den2 > maxDen) break;
    [num0, den0, num1, den1] = [num1, den1, num0 + term * num1, den2];
    if (rest === term || Math.abs(x - num1 / den1) < 1e-12) break;
    rest = 1 / (rest - term);
  }
  return { num: num1, den: den1 };
}

/**
 * Ticks in one frame at `rate`, rounded to the nearest tick (exact for every whole and NTSC rate).
 * @example ticksPerFrame({ num: 24000, den: 1001 }) // 10594584000n
 */
export function ticksPerFrame(rate: Rational): bigint {
  return divideRounded(TICKS_PER_SECOND * BigInt(rate.den), BigInt(rate.num));
}

/** The frame nearest to `ticks` at `rate` (0 = the first frame of the media). */
export function ticksToFrame(ticks: Ticks | bigint, rate: Rational): number {
  const exact = BigInt(ticks);
  return Number(divideRounded(exact * BigInt(rate.num), TICKS_PER_SECOND * BigInt(rate.den)));
}

/** The tick at which `frame` starts at `rate`, rounded to the nearest tick. */
export function frameToTicks(frame: number, rate: Rational): bigint {
  return divideRounded(BigInt(frame) * TICKS_PER_SECOND * BigInt(rate.den), BigInt(rate.num));
}

/**
 * The source frames between a clip's in point and its out point. Premiere's out point is exclusive (it is where
 * the next frame would start), and a point a tick or two off a frame boundary (rounding in Premiere, or in a rate
 * given as a float) belongs to the nearest boundary.
 * @returns undefined when the range holds no whole frame
 * @example sourceFrames('254016000000', '508032000000', { num: 25, den: 1 }) // { from: 25, to: 49 }
 */
export function sourceFrames(inTicks: Ticks, outTicks: Ticks, rate: Rational): FrameRange | undefined {
  const from = ticksToFrame(inTicks, rate);
  const end = ticksToFrame(outTicks, rate);
  return end > from ? { from, to: end - 1 } : undefined;
}

/** Whether timecode at `rate` can count drop-frame: only 29.97 and 59.94 define it (SMPTE 12M). */
export function isDropFrameRate(rate: Rational): boolean {
  return rate.den === NTSC_DEN && (rate.num === 30000 || rate.num === 60000);
}

/**
 * A frame number as timecode. Drop-frame (`HH:MM:SS;FF`) skips the labels ;00 and ;01 (;00–;03 at 59.94) at
 * the start of every minute except each tenth, so that the label keeps up with the clock; frame numbers
 * themselves never skip.
 * @param dropFrame - ignored unless the rate is 29.97 or 59.94
 * @example formatTimecode(1800, { num: 30000, den: 1001 }, true) // "00:01:00;02"
 */
export function formatTimecode(frame: number, rate: Rational, dropFrame: boolean): string {
  const nominal = Math.round(rate.num / rate.den);
  const drop = dropFrame && isDropFrameRate(rate);
  const label = drop ? frame + droppedLabels(frame, nominal) : frame;
  const pad = (value: number) => String(value).padStart(2, '0');
  const seconds = Math.floor(label / nominal);
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor(seconds / 60) % 60;
  const ss = seconds % 60;
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${drop ? ';' : ':'}${pad(label % nominal)}`;
}

/** How many labels drop-frame timecode has skipped by `frame` (2 per minute at 30, 4 at 60, none each 10th). */
function droppedLabels(frame: number, nominal: number): number {
  const perMinute = nominal / 15; // 2 at 29.97, 4 at 59.94
  const framesPerMinute = nominal * 60 - perMinute;
  const framesPer10Minutes = framesPerMinute * 10 + perMinute;
  const tens = Math.floor(frame / framesPer10Minutes);
  const rest = frame % framesPer10Minutes;
  const minutes = rest > perMinute ? Math.floor((rest - perMinute) / framesPerMinute) : 0;
  return perMinute * (9 * tens + minutes);
}

/** a / b rounded half away from zero, for b > 0. */
function divideRounded(a: bigint, b: bigint): bigint {
  const half = b / 2n;
  return a >= 0n ? (a + half) / b : -((-a + half) / b);
}
