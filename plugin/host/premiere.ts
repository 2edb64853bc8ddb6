import type {
  CompoundAction,
  Project,
  Sequence,
  TickTime,
  VideoClipTrackItem,
  premierepro,
} from '@adobe/premierepro';
import { PanelError, type HostAdapter, type MatteResult, type SelectedClip, type SelectedMedia } from './host-adapter';

/** The undo entry the placement creates. */
const UNDO_NAME = 'Matte Subject';

/**
 * The Premiere Pro adapter (UXP module `premierepro`, Premiere 25.6+).
 * @param ppro - the runtime module; `index.ts` is the only place that requires it
 * @example
 * const adapter = createPremiereAdapter(require('premierepro'));
 * const clip = await adapter.selectedMedia();
 */
export function createPremiereAdapter(ppro: premierepro): HostAdapter {
  return {
    hostName: () => 'premierepro',
    selectedMedia: () => selectedClip(ppro),
    placeMatte: (target, result) => placeMatteAbove(ppro, target, result),
  };
}

interface ActiveSequence {
  project: Project;
  sequence: Sequence;
}

async function activeSequence(ppro: premierepro): Promise<ActiveSequence | undefined> {
  // The type declarations say Promise<Project>, but with no project or sequence open Premiere resolves null.
  const project = await ppro.Project.getActiveProject();
  if (!project) return undefined;
  const sequence = await project.getActiveSequence();
  return sequence ? { project, sequence } : undefined;
}

function clipsOn(ppro: premierepro, sequence: Sequence, videoTrackIndex: number): Promise<VideoClipTrackItem[]> {
  return sequence
    .getVideoTrack(videoTrackIndex)
    .then((track) => track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false));
}

/** The first selected video clip, lowest track first. */
async function selectedClip(ppro: premierepro): Promise<SelectedClip | undefined> {
  const active = await activeSequence(ppro);
  if (!active) return undefined;
  // Walk the video tracks instead of sequence.getSelection(): the selection also holds linked audio and does
  // not say which track an item is on (uxp.md §4.1).
  const trackCount = await active.sequence.getVideoTrackCount();
  for (let videoTrackIndex = 0; videoTrackIndex < trackCount; videoTrackIndex++) {
    for (const item of await clipsOn(ppro, active.sequence, videoTrackIndex)) {
      if (await item.getIsSelected()) return describeClip(ppro, item, videoTrackIndex);
    }
  }
  return undefined;
}

async function describeClip(
  ppro: premierepro,
  item: VideoClipTrackItem,
  videoTrackIndex: number,
): Promise<SelectedClip> {
  const name = await item.getName();
  const clip = ppro.ClipProjectItem.cast(await item.getProjectItem());
  const refuse = (why: string) =>
    new PanelError('UNSUPPORTED_SELECTION', `Clip "${name}" ${why}: select a clip of a video file.`);
  if (!clip) throw refuse('is not a media clip');
  if (await clip.isSequence()) throw refuse('is a nested sequence');
  if (await clip.isMulticamClip()) throw refuse('is a multicam clip');
  if (await clip.isMergedClip()) throw refuse('is a merged clip');
  if (await clip.isOffline()) throw refuse('is offline');

  const [mediaPath, interpretation, inPoint, outPoint, start, end] = await Promise.all([
    clip.getMediaFilePath(),
    clip.getFootageInterpretation(),
    item.getInPoint(),
    item.getOutPoint(),
    item.getStartTime(),
    item.getEndTime(),
  ]);
  return {
    kind: 'clip',
    name,
    mediaPath,
    frameRate: interpretation.getFrameRate(),
    sourceRange: { inTicks: inPoint.ticks, outTicks: outPoint.ticks },
    timeline: { videoTrackIndex, startTicks: start.ticks, endTicks: end.ticks },
  };
}

/**
 * Imports the matte and places it at the clip's start time on the first video track above it that is free
 * for the clip's duration, or on a new top track.
 */
async function placeMatteAbove(ppro: premierepro, target: SelectedMedia, result: MatteResult): Promise<void> {
  if (target.kind !== 'clip') throw new Error(`the Premiere adapter cannot place a matte on a ${target.kind}`);
  if (result.kind !== 'file') throw new Error('Premiere imports a matte from a file, not from pixels');
  const active = await activeSequence(ppro);
  if (!active) throw new PanelError('NO_PROJECT', `Open the sequence that holds "${target.name}" to place its matte.`);
  const { project, sequence } = active;

  const { videoTrackIndex, startTicks, endTicks } = target.timeline;
  const original = await clipStartingAt(ppro, sequence, videoTrackIndex, startTicks);
  const originalClip = original && ppro.ClipProjectItem.cast(await original.getProjectItem());
  if (!originalClip) {
    const where = `the matte is at ${result.path}`;
    throw new PanelError('PLACE_FAILED', `"${target.name}" moved since the job started; ${where}.`);
  }

  // importFiles resolves to a boolean, not to the new item: find the item by its path (uxp.md §4.2).
  const bin = await project.getInsertionBin();
  if (!(await project.importFiles([result.path], true, bin, result.numberedStills))) {
    throw new PanelError('PLACE_FAILED', `Premiere could not import ${result.path}.`);
  }
  const [matteItem] = await originalClip.findItemsMatchingMediaPath(result.path, true);
  if (!matteItem) {
    throw new PanelError('PLACE_FAILED', `Premiere imported ${result.path} but it is not in the project.`);
  }

  const trackCount = await sequence.getVideoTrackCount();
  const freeTrack = await firstFreeTrackAbove(ppro, sequence, videoTrackIndex, trackCount, startTicks, endTicks);
  const start = ppro.TickTime.createWithTicks(startTicks);
  const editor = ppro.SequenceEditor.getEditor(sequence);
  const placed = lockedTransaction(project, (compound) => {
    // There is no "add track" call in UXP: inserting at index trackCount creates a new top track (uxp.md §4.3).
    compound.addAction(
      freeTrack < trackCount
        ? editor.createOverwriteItemAction(matteItem, start, freeTrack, 0)
        : editor.createInsertProjectItemAction(matteItem, start, trackCount, 0, true),
    );
  });
  if (!placed) throw new PanelError('PLACE_FAILED', `Premiere refused to place the matte; it is at ${result.path}.`);
}

async function clipStartingAt(
  ppro: premierepro,
  sequence: Sequence,
  videoTrackIndex: number,
  startTicks: string,
): Promise<VideoClipTrackItem | undefined> {
  if (videoTrackIndex >= (await sequence.getVideoTrackCount())) return undefined;
  for (const item of await clipsOn(ppro, sequence, videoTrackIndex)) {
    if ((await item.getStartTime()).ticks === startTicks) return item;
  }
  return undefined;
}

/** The lowest video track above `below` with no clip in [startTicks, endTicks), or `trackCount` if none. */
async function firstFreeTrackAbove(
  ppro: premierepro,
  sequence: Sequence,
  below: number,
  trackCount: number,
  startTicks: string,
  endTicks: string,
): Promise<number> {
  const start = BigInt(startTicks);
  const end = BigInt(endTicks);
  const ticks = (time: TickTime) => BigInt(time.ticks);
  for (let index = below + 1; index < trackCount; index++) {
    let free = true;
    for (const item of await clipsOn(ppro, sequence, index)) {
      const [itemStart, itemEnd] = await Promise.all([item.getStartTime(), item.getEndTime()]);
      if (ticks(itemStart) < end && ticks(itemEnd) > start) {
        free = false;
        break;
      }
    }
    if (free) return index;
  }
  return trackCount;
}

/**
 * Runs `build` as one undoable transaction inside `lockedAccess`. Since 26.3 every create*Action call must
 * happen inside lockedAccess, and neither callback may await (uxp.md §0.6), so `build` is synchronous.
 * @returns whether Premiere committed the transaction
 */
function lockedTransaction(project: Project, build: (compound: CompoundAction) => void): boolean {
  let committed = false;
  project.lockedAccess(() => {
    committed = project.executeTransaction(build, UNDO_NAME);
  });
  return committed;
}
