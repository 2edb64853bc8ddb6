/** A frame rate as ffmpeg keeps it: `num/den` frames per second, reduced, both positive integers. */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Parses ffprobe's `"30000/1001"` (or a plain integer) into a reduced rational.
 *
 * @returns undefined for ffprobe's "unknown" (`0/0`), zero or malformed values
 */
export function parseRational(text: string | undefined): Rational | undefined {
  const match = /^\s*(\d+)(?:\/(\d+))?\s*$/.exec(text ?? '');
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  if (num <= 0 || den <= 0 || !Number.isSafeInteger(num) || !Number.isSafeInteger(den)) return undefined;
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** `num/den`, as ffmpeg's `-r` and `-framerate` options take it. */
export function formatRational(r: Rational): string {
  return `${r.num}/${r.den}`;
}

/** The rate in frames per second, for display and comparisons. */
export function rationalValue(r: Rational): number {
  return r.num / r.den;
}
