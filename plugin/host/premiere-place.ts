/**
 * Putting a matte on the timeline above its clip. Each edit follows Premiere 26.3's rule: read everything with
 * async getters first, then build and commit the actions synchronously inside lockedAccess + executeTransaction.
 *
 * Why two undo steps: actions are only built in the transaction callback and run when it commits, so the matte's
 * track item (and its Motion component) does not exist while the placement is being built. Its Motion can be
 * set only in a second transaction, after reading the new item. The placement step also carries the Track Matte
 * Key, which goes on the original clip and can be built up front.
 */
import { PanelError, type MatteFile, type PlaceOutcome, type Placement, type SelectedClip } from './host-adapter';
import type {
  ClipProjectItemApi,
  CompoundActionApi,
  PremiereApi,
  ProjectApi,
  SequenceApi,
  TrackItemSelectionApi,
  VideoClipTrackItemApi,
} from './premiere-api';
import { importMatte } from './premiere-import';
import { copyMotion } from './premiere-motion';
import { activeSequence, findClip, firstFreeTrackAbove } from './premiere-timeline';
import { planTrackMatte, trackMatteNote, type TrackMattePlan } from './premiere-track-matte';
import { lockedTransaction } from './premiere-transaction';

/** Undo name of the placement (and of a replacement). */
export const PLACE_UNDO = 'Matte Subject';

/**
 * Audio track passed with the video track: the matte movies the host writes carry no audio, so nothing lands
 * there; what Premiere does with -1 is undocumented (uxp.md §11.2).
 */
const AUDIO_TRACK = 0;

/** Everything the edits need, read from the sequence before any lock. */
interface Context {
  project: ProjectApi;
  sequence: SequenceApi;
  /** the original clip, found again where the job said it was, and its media */
  original: VideoClipTrackItemApi;
  originalMedia: ClipProjectItemApi;
  trackMatte?: TrackMattePlan;
}

/** See PremiereAdapter.placeMatte. */
export function placeMatte(ppro: PremiereApi, clip: SelectedClip, matte: MatteFile): Promise<PlaceOutcome> {
  return explainFailure(matte.path, async () => {
    const context = await gather(ppro, clip, matte);
    const matteItem = await importMatte(ppro, context.project, context.originalMedia, matte.path);
    const { videoTrackIndex, trackCount } = await firstFreeTrackAbove(
      ppro,
      context.sequence,
      clip.timeline.videoTrackIndex,
      clip.timeline,
    );
    const start = ppro.TickTime.createWithTicks(clip.timeline.startTicks);
    const editor = ppro.SequenceEditor.getEditor(context.sequence);
    const placed = lockedTransaction(context.project, PLACE_UNDO, (compound) => {
      // UXP has no "add track": inserting at index trackCount makes a new top track (uxp.md §4.3).
      compound.addAction(
        videoTrackIndex < trackCount
          ? editor.createOverwriteItemAction(matteItem, start, videoTrackIndex, AUDIO_TRACK)
          : editor.createInsertProjectItemAction(matteItem, start, trackCount, AUDIO_TRACK, true),
      );
      appendTrackMatte(compound, context.trackMatte);
    });
    if (!placed) throw new Error('Premiere refused the edit');
    return finish(ppro, context, clip, matte, { videoTrackIndex, startTicks: clip.timeline.startTicks });
  });
}

/** See PremiereAdapter.replaceMatte. */
export function replaceMatte(
  ppro: PremiereApi,
  clip: SelectedClip,
  previous: Placement,
  matte: MatteFile,
): Promise<PlaceOutcome> {
  return explainFailure(matte.path, async () => {
    const context = await gather(ppro, clip, matte);
    const old = await findClip(ppro, context.sequence, previous);
    if (!old) {
      // The user moved or deleted the old matte: place the new one as if it were the first.
      const outcome = await placeMatte(ppro, clip, matte);
      const where = `V${previous.videoTrackIndex + 1}`;
      const note = `The previous matte was no longer on ${where}, so this one was placed anew.`;
      return { ...outcome, notes: [note, ...outcome.notes] };
    }
    const matteItem = await importMatte(ppro, context.project, old.clip, matte.path);
    const selection = selectionOf(ppro, old.item);
    const start = ppro.TickTime.createWithTicks(previous.startTicks);
    const editor = ppro.SequenceEditor.getEditor(context.sequence);
    const replaced = lockedTransaction(context.project, PLACE_UNDO, (compound) => {
      compound.addAction(editor.createRemoveItemsAction(selection, false, ppro.Constants.MediaType.VIDEO));
      compound.addAction(editor.createOverwriteItemAction(matteItem, start, previous.videoTrackIndex, AUDIO_TRACK));
      appendTrackMatte(compound, context.trackMatte);
    });
    if (!replaced) throw new Error('Premiere refused the edit');
    return finish(ppro, context, clip, matte, previous);
  });
}

/** The active sequence, the original clip where the job found it, and the Track Matte Key plan for a luma matte. */
async function gather(ppro: PremiereApi, clip: SelectedClip, matte: MatteFile): Promise<Context> {
  const active = await activeSequence(ppro);
  if (!active) {
    throw new PanelError('NO_PROJECT', `Open the sequence that holds "${clip.name}"; the matte is saved at ${matte.path}.`);
  }
  const where = { ...clip.timeline, mediaPath: clip.mediaPath };
  const found = await findClip(ppro, active.sequence, where);
  if (!found) {
    throw new PanelError(
      'PLACE_FAILED',
      `"${clip.name}" is no longer where it was on V${clip.timeline.videoTrackIndex + 1} of the active sequence; ` +
        `the matte is saved at ${matte.path}.`,
    );
  }
  const trackMatte = matte.output === 'luma' ? await planTrackMatte(ppro, found.item) : undefined;
  return { ...active, original: found.item, originalMedia: found.clip, trackMatte };
}

/** After the placement committed: read the new item back, copy Motion, and say what is left to do. */
async function finish(
  ppro: PremiereApi,
  context: Context,
  clip: SelectedClip,
  matte: MatteFile,
  at: { videoTrackIndex: number; startTicks: string },
): Promise<PlaceOutcome> {
  const notes: string[] = [];
  const placedItem = await findClip(ppro, context.sequence, { ...at, mediaPath: matte.path });
  let endTicks = clip.timeline.endTicks;
  if (placedItem) {
    endTicks = (await placedItem.item.getEndTime()).ticks;
    notes.push(...(await copyMotion(context.project, context.original, placedItem.item, clip.name)));
  } else {
    notes.push(`The matte is on V${at.videoTrackIndex + 1}, but Premiere did not show it to the panel: copy Motion by hand.`);
  }
  if (context.trackMatte) notes.push(trackMatteNote(context.trackMatte, clip.name, at.videoTrackIndex));
  const placement: Placement = {
    mediaPath: matte.path,
    videoTrackIndex: at.videoTrackIndex,
    startTicks: at.startTicks,
    endTicks,
  };
  return { placement, notes };
}

function appendTrackMatte(compound: CompoundActionApi, plan: TrackMattePlan | undefined): void {
  if (plan?.component) compound.addAction(plan.chain.createAppendComponentAction(plan.component));
}

/** A selection holding only `item`, for createRemoveItemsAction (not an action: it may be built outside the lock). */
function selectionOf(ppro: PremiereApi, item: VideoClipTrackItemApi): TrackItemSelectionApi {
  let selection: TrackItemSelectionApi | undefined;
  ppro.TrackItemSelection.createEmptySelection((empty) => {
    empty.addItem(item);
    selection = empty;
  });
  if (!selection) throw new Error('Premiere did not create a track item selection');
  return selection;
}

/** Any failure becomes a PanelError that says where the matte file is, so the user can place it by hand. */
async function explainFailure<T>(mattePath: string, place: () => Promise<T>): Promise<T> {
  try {
    return await place();
  } catch (error) {
    if (error instanceof PanelError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PanelError('PLACE_FAILED', `Premiere could not place the matte (${reason}); it is saved at ${mattePath}.`, {
      cause: error,
    });
  }
}
