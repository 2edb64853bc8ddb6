import { HostError } from '../errors';

/** Factories for the live session's errors (one sentence each, saying what to do), built per throw. */
export const LiveErrors = {
  notRunning(): HostError {
    return new HostError('LIVE_STATE', 'no live session is running; start one first');
  },
  /** @param state - the session's state: starting, running or stopping */
  alreadyRunning(input: string | undefined, state: string): HostError {
    if (state === 'stopping') return new HostError('LIVE_STATE', 'the live session is still stopping; start again in a moment');
    return new HostError('LIVE_STATE', `a live session is already ${state}${input ? ` (${input})` : ''}; stop it first (one session per host)`);
  },
  /** stop while a start or a stop is under way */
  changing(state: string): HostError {
    return new HostError('LIVE_STATE', `the live session is ${state === 'starting' ? 'still starting; stop it once it runs' : 'already stopping'}`);
  },
  noFrameYet(): HostError {
    return new HostError('LIVE_STATE', 'the live session has not read a frame yet; try again in a moment');
  },
  /** @param reason - the OBS connection's last state sentence (`OBS is not reachable at <url> (<why>); retrying.`) */
  obsUnreachable(url: string, seconds: number, reason: string | undefined): HostError {
    const why = reason && (/^OBS is not reachable at \S+ \((.*)\); retrying\.$/.exec(reason)?.[1] ?? reason.replace(/[.;]?\s*(retrying|reconnecting)\.?$/i, ''));
    return new HostError(
      'OBS_UNAVAILABLE',
      `OBS did not answer at ${url} within ${seconds} s${why ? ` (${why})` : ''}: start OBS and turn on its WebSocket server (Tools → WebSocket Server Settings)`,
    );
  },
  obsRefused(reason: string): HostError {
    return new HostError('OBS_UNAVAILABLE', reason);
  },
};
