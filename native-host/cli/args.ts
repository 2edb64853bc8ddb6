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
