/**
 * ObsLiveOutput against a real OBS Studio under Xvfb: frames with known alphas arrive unchanged in the
 * Media Source, and the source comes back by itself after OBS is killed and started again.
 */
import type { LiveOutputState } from '../../native-host/live/live-output';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { alphaPattern, ObsHarness, patternAlphas, pumpFrames } from '../support/obs-harness';

const W = 320;
const H = 180;
const FPS = 30;

let obs: ObsHarness;

beforeAll(async () => {
  obs = await ObsHarness.start();
});

afterAll(async () => {
  await obs?.stop();
});

function waitForState(output: ObsLiveOutput, state: LiveOutputState['state'], timeoutMs = 15000): Promise<LiveOutputState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${state}" state within ${timeoutMs} ms (now ${JSON.stringify(output.state)})`)), timeoutMs);
    output.onState((s) => {
      if (s.state === state) {
        clearTimeout(timer);
        resolve(s);
      }
    });
  });
}

test('frames with alpha 0, 128 and 255 show in the OBS source with exactly those alphas', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte alpha', width: W, height: H, fps: FPS });
  const pump = pumpFrames(output, W, H, FPS, () => alphaPattern(W, H, 128));
  try {
    await waitForState(output, 'ready');
    const alphas = await obs.until(async () => {
      const a = patternAlphas(await obs.screenshot('Matte alpha', W, H));
      return a.right === 255 ? a : undefined;
    });
    expect(alphas).toEqual({ left: 0, right: 255, bandLeft: 128, bandRight: 128 });
    expect(pump.sent).toBeGreaterThan(0);
  } finally {
    pump.stop();
    await output.close();
  }
});

test('after OBS is killed and started again, the source is made again and shows fresh frames', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte restart', width: W, height: H, fps: FPS });
  const states: string[] = [];
  output.onState((s) => states.push(s.state));
  let band = 128;
  const pump = pumpFrames(output, W, H, FPS, () => alphaPattern(W, H, band));
  try {
    await waitForState(output, 'ready');
    await obs.until(async () => (patternAlphas(await obs.screenshot('Matte restart', W, H)).bandLeft === 128 ? true : undefined));

    await obs.kill('SIGKILL');
    await waitForState(output, 'reconnecting');
    band = 60; // only frames sent after the restart carry this band
    await obs.startObs();
    const { inputs } = await obs.until(async () => {
      const list = await obs.admin.call('GetInputList');
      return list.inputs.some((i) => i.inputName === 'Matte restart') ? list : undefined;
    });
    expect(inputs.map((i) => i.inputName)).toEqual(['Matte restart']);
    const alphas = await obs.until(async () => {
      const a = patternAlphas(await obs.screenshot('Matte restart', W, H));
      return a.bandLeft === 60 ? a : undefined;
    });
    expect(alphas).toEqual({ left: 0, right: 255, bandLeft: 60, bandRight: 60 });
    expect(output.state).toEqual({ state: 'ready' });
    expect(states.slice(-2)).toEqual(['reconnecting', 'ready']);
  } finally {
    pump.stop();
    await output.close();
  }
});

test('frames of a new size restart the stream at that size', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte resize', width: W, height: H, fps: FPS });
  let size = { width: W, height: H };
  const pump = pumpFramesSized(output, () => size);
  try {
    await waitForState(output, 'ready');
    await obs.until(async () => ((await sourceSize('Matte resize')).width === W ? true : undefined));
    size = { width: 192, height: 108 };
    await obs.until(async () => ((await sourceSize('Matte resize')).width === 192 ? true : undefined));
    expect(await sourceSize('Matte resize')).toEqual({ width: 192, height: 108 });
    expect(patternAlphas(await obs.screenshot('Matte resize', 192, 108))).toEqual({ left: 0, right: 255, bandLeft: 128, bandRight: 128 });
  } finally {
    pump.stop();
    await output.close();
  }
});

/** The Media Source's own size: that of the stream it plays (0x0 before the first frame). */
async function sourceSize(inputName: string): Promise<{ width: number; height: number }> {
  const scene = (await obs.admin.call('GetCurrentProgramScene')).currentProgramSceneName;
  const { sceneItemId } = await obs.admin.call('GetSceneItemId', { sceneName: scene, sourceName: inputName });
  const { sceneItemTransform: t } = await obs.admin.call('GetSceneItemTransform', { sceneName: scene, sceneItemId });
  return { width: Number(t.sourceWidth), height: Number(t.sourceHeight) };
}

function pumpFramesSized(output: ObsLiveOutput, size: () => { width: number; height: number }): { stop(): void } {
  let index = 0;
  const timer = setInterval(() => {
    const { width, height } = size();
    output.send({ index: index++, width, height, rgba: alphaPattern(width, height, 128), capturedAt: performance.now() });
  }, 1000 / FPS);
  return { stop: () => clearInterval(timer) };
}
