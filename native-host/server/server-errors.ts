import type { ErrorPayload } from '../../bridge/errors';
import { PROTOCOL_VERSION, ProtocolError } from '../../bridge/protocol';
import { HostError, isHostError } from '../errors';
import type { HostLog } from './host-log';

/** Factories for the errors the server itself answers with (one line each), built per throw. */
export const ServerErrors = {
  unauthorized(): HostError {
    return new HostError('UNAUTHORIZED', 'send hello with the pairing token first (`matanyone serve` says where it is stored)');
  },
  wrongToken(): HostError {
    return new HostError('UNAUTHORIZED', 'wrong pairing token; copy it again from the host (`matanyone serve` prints it and where it is stored)');
  },
  /** Names both versions and the side to update: the older one. */
  protocolVersion(theirs: number): HostError {
    const older = theirs < PROTOCOL_VERSION ? 'the panel' : 'the host (MatAnyone on this computer)';
    return new HostError('PROTOCOL_VERSION', `this host speaks protocol ${PROTOCOL_VERSION}; the panel speaks ${theirs}: update ${older}`);
  },
  alreadyIntroduced(): HostError {
    return new HostError('BAD_MESSAGE', 'hello was already sent on this connection');
  },
  binaryFrame(): HostError {
    return new HostError('BAD_MESSAGE', 'binary frames are not part of the protocol; send JSON text');
  },
  tooLarge(bytes: number, limit: number, what: string): HostError {
    return new HostError('MESSAGE_TOO_LARGE', `the message is ${bytes} bytes; ${what} may be at most ${limit} bytes`);
  },
  rateLimited(perSecond: number): HostError {
    return new HostError('RATE_LIMITED', `too many requests; slow down (about ${perSecond} a second at most)`);
  },
  busy(limit: number): HostError {
    return new HostError('RATE_LIMITED', `${limit} requests of this connection are still running; wait for their answers`);
  },
};

/**
 * The wire form of any failure: a protocol error's payload, a HostError's code and message, and for
 * anything else (a bug) INTERNAL with the id of the log line that has the stack.
 */
export function errorPayload(e: unknown, log: HostLog, context: string): ErrorPayload {
  if (e instanceof ProtocolError) return e.payload;
  if (isHostError(e)) return { code: e.code, message: e.message };
  const id = log.bug(e, context);
  return { code: 'INTERNAL', message: `internal error in the MatAnyone host (log id ${id}); the host log has the details` };
}
