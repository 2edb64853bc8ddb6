/**
 * Reading the active sequence: which clips sit where. All async getters, so call these before lockedAccess,
 * never inside it (uxp.md §4.3).
 */
import type {
  ClipProjectItemApi,
  PremiereApi,
  ProjectApi,
  SequenceApi,
  VideoClipTrackItemApi,
} from './premiere-api';

export interface ActiveSequence {
  project: ProjectApi;
  sequence: SequenceApi;
}

/** A clip and the video track it is on (0 = V1). */
export interface PlacedClip {
  item: VideoClipTrackItemApi;
  videoTrackIndex: number;
}

/** The active project's active sequence, or undefined when either is missing. */
export async function activeSequence(ppro: PremiereApi): Promise<ActiveSequence | undefined> {
  const project = await ppro.Project.getActiveProject();
  if (!project) return undefined;
  const sequence = await project.getActiveSequence();
  return sequence ? { project, sequence } : undefined;
}

/** The clips on one video track (getTrackItems itself is synchronous). */
export async function clipsOn(ppro: PremiereApi, sequence: SequenceApi, videoTrackIndex: number) {
  const track = await sequence.getVideoTrack(videoTrackIndex);
  return track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
}

/**
 * Every selected video clip, lowest track first. Walks the tracks rather than sequence.getSelection(): the
 * selection also holds linked audio and does not say which track an item is on (uxp.md §4.1).
 */
export async function selectedVideoClips(ppro: PremiereApi, sequence: SequenceApi): Promise<PlacedClip[]> {
  const selected: PlacedClip[] = [];
  const trackCount = await sequence.getVideoTrackCount();
  for (let videoTrackIndex = 0; videoTrackIndex < trackCount; videoTrackIndex++) {
    for (const item of await clipsOn(ppro, sequence, videoTrackIndex)) {
      if (await item.getIsSelected()) selected.push({ item, videoTrackIndex });
    }
  }
  return selected;
}

/** The item's project item as a clip, or undefined for anything that is not media (cast gives null). */
export async function clipProjectItem(
  ppro: PremiereApi,
  item: VideoClipTrackItemApi,
): Promise<ClipProjectItemApi | undefined> {
  return ppro.ClipProjectItem.cast(await item.getProjectItem()) ?? undefined;
}

/**
 * The clip on `videoTrackIndex` that starts at `startTicks` and plays `mediaPath`: how the adapter finds a clip
 * again later, since track items have no id that survives a panel reload.
 */
export async function findClip(
  ppro: PremiereApi,
  sequence: SequenceApi,
  where: { videoTrackIndex: number; startTicks: string; mediaPath: string },
): Promise<{ item: VideoClipTrackItemApi; clip: ClipProjectItemApi } | undefined> {
  if (where.videoTrackIndex >= (await sequence.getVideoTrackCount())) return undefined;
  for (const item of await clipsOn(ppro, sequence, where.videoTrackIndex)) {
    if ((await item.getStartTime()).ticks !== where.startTicks) continue;
    const clip = await clipProjectItem(ppro, item);
    if (clip && (await clip.getMediaFilePath()) === where.mediaPath) return { item, clip };
  }
  return undefined;
}

/**
 * The lowest video track above `below` with no clip overlapping [startTicks, endTicks).
 * @returns the track index, or the track count when every track above is busy (insert there for a new track)
 */
export async function firstFreeTrackAbove(
  ppro: PremiereApi,
  sequence: SequenceApi,
  below: number,
  span: { startTicks: string; endTicks: string },
): Promise<{ videoTrackIndex: number; trackCount: number }> {
  const start = BigInt(span.startTicks);
  const end = BigInt(span.endTicks);
  const trackCount = await sequence.getVideoTrackCount();
  for (let index = below + 1; index < trackCount; index++) {
    let free = true;
    for (const item of await clipsOn(ppro, sequence, index)) {
      const [itemStart, itemEnd] = await Promise.all([item.getStartTime(), item.getEndTime()]);
      if (BigInt(itemStart.ticks) < end && BigInt(itemEnd.ticks) > start) {
        free = false;
        break;
      }
    }
    if (free) return { videoTrackIndex: index, trackCount };
  }
  return { videoTrackIndex: trackCount, trackCount };
}
