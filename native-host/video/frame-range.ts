import { HostError } from '../errors';

/** A validated, inclusive range of source frame numbers; `to` is Infinity when open-ended. */
export interface FrameRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Checks `from`/`to` (0-based source frame numbers, both inclusive) from the user.
 *
 * @throws HostError INVALID_ARGUMENT for negative or fractional numbers, or `from` after `to`
 */
export function frameRange(from = 0, to = Infinity): FrameRange {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!(value >= 0) || (value !== Infinity && !Number.isSafeInteger(value)))
      throw new HostError('INVALID_ARGUMENT', `frame range: ${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (from > to) throw new HostError('INVALID_ARGUMENT', `frame range: from (${from}) is after to (${to})`);
  return { from, to };
}

/** How many frames the range holds, or undefined when it is open-ended. */
export function rangeLength(range: FrameRange): number | undefined {
  return range.to === Infinity ? undefined : range.to - range.from + 1;
}
