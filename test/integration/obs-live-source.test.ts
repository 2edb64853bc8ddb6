/**
 * What ObsLiveOutput does to OBS's scene (real OBS under Xvfb): hides the camera and takes its place,
 * reuses a Media Source of the same name, refuses a name held by another kind of source, and on close
 * removes or restores only what it is asked to.
 */
import { mediaSourceSettings } from '../../native-host/obs/live-source';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { alphaPattern, ObsHarness, patternAlphas, pumpFrames } from '../support/obs-harness';

const W = 160;
const H = 90;
const FPS = 30;

let obs: ObsHarness;
let scene: string;

beforeAll(async () => {
  obs = await ObsHarness.start();
  scene = (await obs.admin.call('GetCurrentProgramScene')).currentProgramSceneName;
});

afterAll(async () => {
  await obs?.stop();
});

async function ready(output: ObsLiveOutput): Promise<void> {
  await obs.until(async () => {
    if (output.state.state === 'failed') throw new Error(output.state.reason);
    return output.state.state === 'ready' ? true : undefined;
  });
}

async function item(sourceName: string): Promise<{ id: number; enabled: boolean }> {
  const { sceneItemId } = await obs.admin.call('GetSceneItemId', { sceneName: scene, sourceName });
  const { sceneItemEnabled } = await obs.admin.call('GetSceneItemEnabled', { sceneName: scene, sceneItemId });
  return { id: sceneItemId, enabled: sceneItemEnabled };
}

test('hideSource hides the camera, the matte takes its place, and close() leaves both as they are', async () => {
  const { sceneItemId: cameraId } = await obs.admin.call('CreateInput', {
    sceneName: scene, inputName: 'Camera', inputKind: 'color_source_v3', inputSettings: { color: 0xff00ff00, width: W, height: H }, sceneItemEnabled: true,
  });
  await obs.admin.call('SetSceneItemTransform', { sceneName: scene, sceneItemId: cameraId, sceneItemTransform: { positionX: 120, positionY: 40, scaleX: 2, scaleY: 2 } });

  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte hide', hideSource: 'Camera', width: W, height: H, fps: FPS });
  await ready(output);
  expect(await item('Camera')).toEqual({ id: cameraId, enabled: false });
  const matte = await item('Matte hide');
  expect(matte.enabled).toBe(true);
  const { sceneItemTransform } = await obs.admin.call('GetSceneItemTransform', { sceneName: scene, sceneItemId: matte.id });
  expect(sceneItemTransform).toMatchObject({ positionX: 120, positionY: 40, scaleX: 2, scaleY: 2 });

  await output.close();
  expect((await item('Camera')).enabled).toBe(false);
  expect((await obs.admin.call('GetInputList')).inputs.map((i) => i.inputName)).toContain('Matte hide');
});

test('close({showHiddenSource, removeSource}) shows the camera again and removes the matte source', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte hide', hideSource: 'Camera', width: W, height: H, fps: FPS });
  await ready(output);
  expect((await item('Camera')).enabled).toBe(false);
  await output.close({ showHiddenSource: true, removeSource: true });
  expect((await item('Camera')).enabled).toBe(true);
  // OBS destroys a removed input once its last reference (the media thread) lets go, a moment later
  const names = await obs.until(async () => {
    const list = (await obs.admin.call('GetInputList')).inputs.map((i) => i.inputName);
    return list.includes('Matte hide') ? undefined : list;
  });
  expect(names).toEqual(['Camera']);
});

test('an existing Media Source of that name is reused: its settings are set for the stream and frames show', async () => {
  await obs.admin.call('CreateInput', { sceneName: scene, inputName: 'Matte reuse', inputKind: 'ffmpeg_source', inputSettings: { is_local_file: true, local_file: '/nonexistent.mp4' }, sceneItemEnabled: false });
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte reuse', width: W, height: H, fps: FPS });
  const pump = pumpFrames(output, W, H, FPS, () => alphaPattern(W, H, 128));
  try {
    await ready(output);
    const { inputSettings } = await obs.admin.call('GetInputSettings', { inputName: 'Matte reuse' });
    expect(inputSettings).toMatchObject(mediaSourceSettings(output.port));
    expect((await item('Matte reuse')).enabled).toBe(true);
    const names = (await obs.admin.call('GetInputList')).inputs.map((i) => i.inputName);
    expect(names.filter((n) => n === 'Matte reuse')).toHaveLength(1);
    const alphas = await obs.until(async () => {
      const a = patternAlphas(await obs.screenshot('Matte reuse', W, H));
      return a.right === 255 ? a : undefined;
    });
    expect(alphas).toEqual({ left: 0, right: 255, bandLeft: 128, bandRight: 128 });
  } finally {
    pump.stop();
    await output.close();
  }
});

test('a name held by another kind of source fails with one sentence and leaves that source alone', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Camera', width: W, height: H, fps: FPS });
  try {
    await obs.until(async () => (output.state.state === 'failed' ? true : undefined));
    expect(output.state).toEqual({ state: 'failed', reason: 'OBS already has a source named "Camera" that is not a Media Source (color_source_v3): choose another name.' });
    expect((await obs.admin.call('GetInputSettings', { inputName: 'Camera' })).inputKind).toBe('color_source_v3');
  } finally {
    await output.close();
  }
});

test('when the user switches the program scene, the matte source is added to the new scene', async () => {
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Matte scenes', width: W, height: H, fps: FPS });
  try {
    await ready(output);
    await obs.admin.call('CreateScene', { sceneName: 'Scene 2' });
    await obs.admin.call('SetCurrentProgramScene', { sceneName: 'Scene 2' });
    const { sceneItemId } = await obs.until(() => obs.admin.call('GetSceneItemId', { sceneName: 'Scene 2', sourceName: 'Matte scenes' }));
    expect((await obs.admin.call('GetSceneItemEnabled', { sceneName: 'Scene 2', sceneItemId })).sceneItemEnabled).toBe(true);
  } finally {
    await output.close();
    await obs.admin.call('SetCurrentProgramScene', { sceneName: scene });
  }
});
