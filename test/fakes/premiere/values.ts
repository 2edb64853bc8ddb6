/**
 * Values the fake Premiere hands out: tick times, frame rates, and component parameter values. Self-contained
 * (the fake does not reuse plugin/host/frame-time.ts, so a bug there cannot hide in both).
 */
import type { KeyframeApi, ParamValue, TickTimeApi } from '../../../plugin/host/premiere-api';

export const TICKS_PER_SECOND = 254016000000n;

/** A frame rate: a whole number, or [num, den] for NTSC rates (23.976 is [24000, 1001]). */
export type RateSpec = number | [number, number];

export interface Rate {
  num: number;
  den: number;
}

export function toRate(spec: RateSpec): Rate {
  if (Array.isArray(spec)) return { num: spec[0], den: spec[1] };
  if (!Number.isInteger(spec) || spec <= 0) throw new Error(`give a fractional rate as [num, den], not ${spec}`);
  return { num: spec, den: 1 };
}

/** The tick where `frames` frames at `rate` end; exact for whole and NTSC rates, as in Premiere. */
export function framesToTicks(frames: number, rate: Rate): bigint {
  return (BigInt(frames) * TICKS_PER_SECOND * BigInt(rate.den)) / BigInt(rate.num);
}

export class FakeTickTime implements TickTimeApi {
  constructor(readonly ticks: string) {}

  get seconds(): number {
    return Number(BigInt(this.ticks)) / Number(TICKS_PER_SECOND);
  }

  static of(ticks: bigint): FakeTickTime {
    return new FakeTickTime(ticks.toString());
  }
}

/** A Motion position or anchor point: fractions of the frame, as Premiere reports them. */
export interface FakePoint {
  x: number;
  y: number;
}

export interface FakeColor {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

/** What a fake parameter holds: plain data, so that snapshots are JSON. */
export type FakeParamValue = number | string | boolean | FakePoint | FakeColor;

/**
 * The one place a fake value meets the official ParamValue. The official PointF and Color types describe class
 * instances (constructor, distanceTo, equals); Premiere's values are such instances with x/y or red/green/blue/alpha,
 * and a plain object stands in for one here.
 */
export function asParamValue(value: FakeParamValue): ParamValue {
  return (typeof value === 'object' ? { ...value } : value) as ParamValue;
}

/** The reverse: a value the adapter passes in, checked to be one a parameter can hold. */
export function fromParamValue(value: ParamValue): FakeParamValue {
  if (typeof value !== 'object' || value === null) return value;
  const fields = value as unknown as Record<string, unknown>;
  if (typeof fields.x === 'number' && typeof fields.y === 'number') return { x: fields.x, y: fields.y };
  if (['red', 'green', 'blue', 'alpha'].every((key) => typeof fields[key] === 'number')) {
    const { red, green, blue, alpha } = fields as unknown as FakeColor;
    return { red, green, blue, alpha };
  }
  throw new Error(`not a parameter value: ${JSON.stringify(value)}`);
}

/** Whether two values are of the same kind (createKeyframe throws for an incompatible value). */
export function sameKind(a: FakeParamValue, b: FakeParamValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === typeof b;
  return ('x' in a) === ('x' in b);
}

/** A Keyframe as createKeyframe/getStartValue return it: `value.value` holds the value. */
export class FakeKeyframe implements KeyframeApi {
  readonly value: { value: ParamValue };
  constructor(value: FakeParamValue) {
    this.value = { value: asParamValue(value) };
  }
}
