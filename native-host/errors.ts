import type { ErrorCode } from '../bridge/errors';

/**
 * A failure the user can fix (bad input, foreign checkpoint, missing model). The CLI prints `message` as one
 * line without a stack; the server sends `{code, message}`. Anything that is not a HostError is a bug.
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isHostError(e: unknown): e is HostError {
  return e instanceof HostError;
}
