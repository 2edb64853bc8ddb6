/**
 * How ObsLiveOutput behaves on the websocket side with a real OBS: a refused password is one `failed`
 * state and no retries; an OBS that starts later is picked up; a bad address is refused up front.
 */
import { HostError } from '../../native-host/errors';
import type { LiveOutputState } from '../../native-host/live/live-output';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { ObsHarness } from '../support/obs-harness';

let obs: ObsHarness;

beforeAll(async () => {
  obs = await ObsHarness.start();
});

afterAll(async () => {
  await obs?.stop();
});

const options = { sourceName: 'Matte', width: 64, height: 36, fps: 30 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records every state, and every unhandled rejection or exception while the test runs. */
function watch(output: ObsLiveOutput): { states: LiveOutputState[]; crashes: unknown[]; stop(): void } {
  const states: LiveOutputState[] = [];
  const crashes: unknown[] = [];
  const onCrash = (e: unknown) => crashes.push(e);
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  output.onState((s) => states.push(s));
  return {
    states,
    crashes,
    stop: () => {
      process.off('unhandledRejection', onCrash);
      process.off('uncaughtException', onCrash);
    },
  };
}

async function until(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

test('a wrong password gives one failed state with one sentence, and no retries', async () => {
  const output = await ObsLiveOutput.open({ ...options, url: obs.url, password: 'not-the-password' });
  const w = watch(output);
  try {
    await until(() => output.state.state === 'failed');
    await sleep(1500); // retries would show as reconnecting states by now
    expect(w.states).toEqual([
      { state: 'connecting' },
      { state: 'failed', reason: `OBS at ${obs.url} refused the password: copy it from OBS (Tools → WebSocket Server Settings → Show Connect Info).` },
    ]);
    expect(output.send({ index: 0, width: 64, height: 36, rgba: new Uint8Array(64 * 36 * 4), capturedAt: 0 })).toBe(false);
    expect(w.crashes).toEqual([]);
    // OBS itself is fine and still takes the right password
    expect((await obs.admin.call('GetVersion')).obsWebSocketVersion).toMatch(/^5\./);
  } finally {
    w.stop();
    await output.close();
  }
});

test('no password where OBS asks for one says so', async () => {
  const output = await ObsLiveOutput.open({ ...options, url: obs.url });
  try {
    await until(() => output.state.state === 'failed');
    expect(output.state).toEqual({ state: 'failed', reason: `OBS at ${obs.url} asks for a password: give the one from OBS (Tools → WebSocket Server Settings → Show Connect Info).` });
  } finally {
    await output.close();
  }
});

test('an OBS that is not running yet is retried until it starts', async () => {
  await obs.kill();
  const output = await ObsLiveOutput.open({ ...options, url: obs.url, password: obs.password });
  const w = watch(output);
  try {
    await until(() => output.state.state === 'reconnecting');
    expect(output.state).toEqual({ state: 'reconnecting', reason: expect.stringMatching(/^OBS is not reachable at ws:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\); retrying\.$/) });
    await sleep(1000);
    await obs.startObs();
    await until(() => output.state.state === 'ready');
    expect(w.states[0]).toEqual({ state: 'connecting' });
    expect(w.states.at(-1)).toEqual({ state: 'ready' });
    expect(w.states.slice(1, -1).every((s) => s.state === 'reconnecting')).toBe(true);
    expect(w.crashes).toEqual([]);
  } finally {
    w.stop();
    await output.close();
  }
});

test('a bad address or size is refused when opening, with one sentence', async () => {
  await expect(ObsLiveOutput.open({ ...options, url: 'http://127.0.0.1:4455' })).rejects.toThrow(
    new HostError('INVALID_ARGUMENT', 'OBS address "http://127.0.0.1:4455" is not a WebSocket address such as ws://127.0.0.1:4455.'),
  );
  await expect(ObsLiveOutput.open({ ...options, url: obs.url, width: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'The live width 0 is not a whole number of pixels between 1 and 16384.' });
  await expect(ObsLiveOutput.open({ ...options, url: obs.url, sourceName: ' ' })).rejects.toBeInstanceOf(HostError);
});
