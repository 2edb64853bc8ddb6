/**
 * Track Matte Key for a luma matte: the clip shows through the matte's brightness. The effect can be appended in
 * the placement's own transaction, but not set up: createComponent() returns a VideoFilterComponent with no
 * params in the 26.3 types, and the "Matte" popup (a track choice) has no documented value encoding. So the
 * user sets Matte and Composite Using, and the note says exactly to what.
 */
import type { PremiereApi, VideoClipTrackItemApi, VideoComponentChainApi, VideoFilterComponent } from './premiere-api';

/** The match name a third-party fixture records (uxp.md §4.3); any other "Track Matte" name is taken too. */
export const TRACK_MATTE_KEY = 'AE.ADBE Track Matte Key';

export interface TrackMattePlan {
  /** The clip's chain, to append to. */
  chain: VideoComponentChainApi;
  /** The clip has a Track Matte Key already (from an earlier matte): nothing to add. */
  present: boolean;
  /** The new effect to append; undefined when present, or when this Premiere has no Track Matte Key. */
  component?: VideoFilterComponent;
}

/** Everything async for the Track Matte Key, gathered before the placement's lockedAccess. */
export async function planTrackMatte(ppro: PremiereApi, clip: VideoClipTrackItemApi): Promise<TrackMattePlan> {
  const chain = await clip.getComponentChain();
  for (let index = 0; index < chain.getComponentCount(); index++) {
    if (isTrackMatteKey(await chain.getComponentAtIndex(index).getMatchName())) return { chain, present: true };
  }
  const names = await ppro.VideoFilterFactory.getMatchNames();
  const matchName = names.find((name) => name === TRACK_MATTE_KEY) ?? names.find(isTrackMatteKey);
  const component = matchName ? await ppro.VideoFilterFactory.createComponent(matchName) : undefined;
  return { chain, present: false, component };
}

/** What the user still has to do, with the matte on video track `matteTrackIndex` (0 = V1). */
export function trackMatteNote(plan: TrackMattePlan, clipName: string, matteTrackIndex: number): string {
  const track = `V${matteTrackIndex + 1}`;
  const settings = `Matte to ${track} and Composite Using to Matte Luma`;
  if (plan.present) {
    return `"${clipName}" already has Track Matte Key: check that its Matte is ${track} and Composite Using is Matte Luma.`;
  }
  if (plan.component) return `Track Matte Key was added to "${clipName}": set its ${settings}.`;
  return `Add Track Matte Key (Effects > Keying) to "${clipName}" and set its ${settings}.`;
}

function isTrackMatteKey(matchName: string): boolean {
  return /track ?matte/i.test(matchName);
}
