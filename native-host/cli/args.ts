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

/** `--box x,y,w,h` in source frame pixels (width and height > 0). */
export function parseBox(text: string): { x: number; y: number; width: number; height: number } {
  const n = text.split(',').map((v) => Number(v.trim()));
  if (n.length !== 4 || n.some((v) => !Number.isFinite(v)) || n[2] <= 0 || n[3] <= 0)
    throw new HostError('INVALID_ARGUMENT', `--box: "${text}" should be x,y,width,height in frame pixels, e.g. 40,20,120,200`);
  return { x: n[0], y: n[1], width: n[2], height: n[3] };
}
