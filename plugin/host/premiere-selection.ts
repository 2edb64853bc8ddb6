/**
 * The one selected clip, or a sentence saying why it cannot be matted. The host decodes the source file itself
 * at its own frame rate, so anything that makes the timeline show other frames than the file's in→out run
 * (speed, reverse, time remapping, nesting, multicam) is refused rather than rendered wrong.
 */
import { isDropFrameRate, rationalFrameRate, sourceFrames } from './frame-time';
import { PanelError, type SelectedClip } from './host-adapter';
import type { ClipProjectItemApi, PremiereApi, VideoClipTrackItemApi } from './premiere-api';
import { activeSequence, clipProjectItem, selectedVideoClips } from './premiere-timeline';

/** Time Remapping's match name (Premiere's fixed effects keep their After Effects names). */
export const TIME_REMAPPING = 'AE.ADBE Time Remapping';

/** See PremiereAdapter.selectedClip. */
export async function selectedClip(ppro: PremiereApi): Promise<SelectedClip | undefined> {
  const active = await activeSequence(ppro);
  if (!active) return undefined;
  const selected = await selectedVideoClips(ppro, active.sequence);
  if (selected.length === 0) return undefined;
  if (selected.length > 1) {
    throw refuse(`${selected.length} clips are selected: select only the clip to matte`);
  }
  const [{ item, videoTrackIndex }] = selected;
  const name = await item.getName();
  const clip = await checkClip(ppro, item, name);

  const [mediaPath, interpretation, inPoint, outPoint, start, end] = await Promise.all([
    clip.getMediaFilePath(),
    clip.getFootageInterpretation(),
    item.getInPoint(),
    item.getOutPoint(),
    item.getStartTime(),
    item.getEndTime(),
  ]);
  const fps = interpretation.getFrameRate();
  if (!(fps > 0)) throw refuse(`"${name}" has no frame rate (is it a still?): select a video clip`);
  const frameRate = rationalFrameRate(fps);
  const frames = sourceFrames(inPoint.ticks, outPoint.ticks, frameRate);
  if (!frames) throw refuse(`"${name}" is shorter than one frame of its media`);
  return {
    kind: 'clip',
    name,
    mediaPath,
    frameRate,
    // Premiere exposes no drop-frame flag for media (FootageInterpretation has none, and the sequence's
    // display format is the sequence's). 29.97/59.94 sources are taken as drop-frame, as cameras record them
    // by default; it changes labels only, never frame numbers.
    dropFrame: isDropFrameRate(frameRate),
    frames,
    sourceRange: { inTicks: inPoint.ticks, outTicks: outPoint.ticks },
    timeline: { videoTrackIndex, startTicks: start.ticks, endTicks: end.ticks },
  };
}

/** The clip's media item, after every refusal that the track item and its project item can tell. */
async function checkClip(ppro: PremiereApi, item: VideoClipTrackItemApi, name: string): Promise<ClipProjectItemApi> {
  if (await item.isAdjustmentLayer()) throw refuse(`"${name}" is an adjustment layer: select a clip of a video file`);
  const clip = await clipProjectItem(ppro, item);
  if (!clip) throw refuse(`"${name}" is not a clip of a media file: select a video clip`);
  if (await clip.isSequence()) throw refuse(`"${name}" is a nested sequence: select a clip of a video file`);
  if (await clip.isMulticamClip()) throw refuse(`"${name}" is a multicam clip: flatten it first`);
  if (await clip.isMergedClip()) throw refuse(`"${name}" is a merged clip: select a clip of a video file`);
  if (await clip.isOffline()) throw refuse(`"${name}" is offline: relink its media first`);

  // isSpeedReversed resolves a number in the 26.3 types (0 = forward); a negative speed is taken as reverse too.
  const [reversed, speed] = await Promise.all([item.isSpeedReversed(), item.getSpeed()]);
  if (reversed || speed < 0) throw refuse(`"${name}" plays in reverse: turn off Reverse Speed first`);
  if (Math.abs(speed - 1) > 1e-6) {
    throw refuse(`"${name}" plays at ${Math.round(speed * 100)}% speed: set its speed to 100% first`);
  }
  if (await isTimeRemapped(item)) throw refuse(`"${name}" uses time remapping: remove its speed keyframes first`);
  return clip;
}

/**
 * Whether the clip's Time Remapping effect is keyframed. The types have no time-remap getter, and getSpeed()
 * reports the Speed/Duration setting only; Time Remapping is a fixed effect in the component chain whose Speed
 * parameter becomes time-varying once the user ramps it. A static Time Remapping value is not read: its units
 * are undocumented, and misreading them would refuse every clip.
 */
async function isTimeRemapped(item: VideoClipTrackItemApi): Promise<boolean> {
  const chain = await item.getComponentChain();
  for (let index = 0; index < chain.getComponentCount(); index++) {
    const component = chain.getComponentAtIndex(index);
    if ((await component.getMatchName()) !== TIME_REMAPPING) continue;
    for (let param = 0; param < component.getParamCount(); param++) {
      if (component.getParam(param).isTimeVarying()) return true;
    }
  }
  return false;
}

function refuse(sentence: string): PanelError {
  return new PanelError('UNSUPPORTED_SELECTION', `${sentence}.`);
}
