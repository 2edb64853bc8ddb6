import { parseArgs, ParseArgsConfig } from 'util';
import { HostError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking, its errors turned into one-line INVALID_ARGUMENT errors. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `${command}: ${(e as Error).message.split('\n')[0]} (see \`matanyone ${command} --help\`)`);
  }
}

export function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new HostError('INVALID_ARGUMENT', `unsupported ${what} "${value}"; should be one of: ${allowed.join(', ')}`);
  return value as T;
}

/**
 * An integer option: undefined when not given; below `min` (or above `max`, when given) is an
 * INVALID_ARGUMENT naming the option and the range.
 */
export function integer(name: string, value: string | undefined, min: number, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max))
    throw new HostError('INVALID_ARGUMENT', `--${name}: "${value}" should be an integer ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}`);
  return n;
}

/**
 * The one input a command works on: `--input`, or else its single positional argument.
 * @param refusal - the sentence for none or several
 */
export function singleInput(input: string | undefined, positionals: string[], refusal: string): string {
  const given = input ?? positionals[0];
  if (!given || positionals.length > (input ? 0 : 1)) throw new HostError('INVALID_ARGUMENT', refusal);
  return given;
}

/** `--box x,y,w,h` in source frame pixels (width and height > 0). */
export function parseBox(text: string): { x: number; y: number; width: number; height: number } {
  const n = text.split(',').map((v) => Number(v.trim()));
  if (n.length !== 4 || n.some((v) => !Number.isFinite(v)) || n[2] <= 0 || n[3] <= 0)
    throw new HostError('INVALID_ARGUMENT', `--box: "${text}" should be x,y,width,height in frame pixels, e.g. 40,20,120,200`);
  return { x: n[0], y: n[1], width: n[2], height: n[3] };
}

/** A number option (seconds, a ratio): undefined when not given; outside (min, max] is an INVALID_ARGUMENT. */
export function positiveNumber(name: string, value: string | undefined, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new HostError('INVALID_ARGUMENT', `--${name}: "${value}" should be a number above 0${max === Infinity ? '' : ` and at most ${max}`}`);
  return n;
}
