/** The project object, the sequence editor and track item selections: where the adapter's edits start. */
import type { Constants } from '@adobe/premierepro';
import type {
  CompoundActionApi,
  ProjectApi,
  ProjectItemApi,
  SequenceEditorApi,
  TickTimeApi,
  TrackItemSelectionApi,
  VideoClipTrackItemApi,
} from '../../../plugin/host/premiere-api';
import { FakeRuleError, type Engine } from './engine';
import { FakeClipItem, FakeFolderItem, type MediaInfo } from './project-items';
import { FakeTrackItem, type FakeSequence } from './timeline';

/** One importFiles call, as the tests see it. */
export interface ImportRecord {
  paths: string[];
  bin: string;
  ok: boolean;
}

export class FakeProject implements ProjectApi {
  constructor(
    private readonly engine: Engine,
    readonly root: FakeFolderItem,
    readonly sequence: FakeSequence | null,
    private readonly media: (path: string) => MediaInfo | undefined,
    readonly imports: ImportRecord[],
  ) {}

  async getActiveSequence(): Promise<FakeSequence | null> {
    return this.sequence;
  }

  async getRootItem(): Promise<FakeFolderItem> {
    return this.root;
  }

  /** Resolves a boolean, not the new items (types); a path the scenario does not know fails the import. */
  async importFiles(filePaths: string[], suppressUI?: boolean, targetBin?: ProjectItemApi): Promise<boolean> {
    void suppressUI;
    await Promise.resolve(); // Premiere answers later, never synchronously
    const bin = targetBin ?? this.root;
    const known = filePaths.map(this.media);
    const ok = bin instanceof FakeFolderItem && known.every((media) => media !== undefined);
    this.imports.push({ paths: [...filePaths], bin: bin.name, ok });
    if (!ok) return false;
    for (const media of known) bin.items.push(new FakeClipItem(media!, () => this.root.clips()));
    return true;
  }

  lockedAccess(callback: () => void): void {
    this.engine.lockedAccess(callback);
  }

  executeTransaction(callback: (compoundAction: CompoundActionApi) => void, undoString?: string): boolean {
    return this.engine.executeTransaction(callback, undoString);
  }
}

export class FakeTrackItemSelection implements TrackItemSelectionApi {
  readonly items: FakeTrackItem[] = [];

  addItem(trackItem: VideoClipTrackItemApi): boolean {
    if (!(trackItem instanceof FakeTrackItem)) throw new FakeRuleError('addItem takes a track item of this sequence');
    if (!this.items.includes(trackItem)) this.items.push(trackItem);
    return true;
  }
}

export class FakeSequenceEditor implements SequenceEditorApi {
  constructor(
    private readonly engine: Engine,
    private readonly sequence: FakeSequence,
  ) {}

  createOverwriteItemAction(item: ProjectItemApi, time: TickTimeApi, videoTrack: number, audioTrack: number) {
    return this.placeAction('overwrite', item, time, videoTrack, audioTrack, {});
  }

  createInsertProjectItemAction(
    item: ProjectItemApi,
    time: TickTimeApi,
    videoTrack: number,
    audioTrack: number,
    limitShift: boolean,
  ) {
    return this.placeAction('insert', item, time, videoTrack, audioTrack, { limitShift });
  }

  /** Overwrite and insert differ only in how the sequence takes the clip (and insert's limitShift). */
  private placeAction(kind: 'overwrite' | 'insert', item: ProjectItemApi, time: TickTimeApi, videoTrack: number, audioTrack: number, extra: { limitShift?: boolean }) {
    const clip = clipOf(item);
    const record = { kind, mediaPath: clip.media.path, videoTrackIndex: videoTrack, audioTrackIndex: audioTrack, startTicks: time.ticks, ...extra };
    return this.engine.createAction(record, () => this.sequence.place(clip, BigInt(time.ticks), videoTrack, kind));
  }

  createRemoveItemsAction(selection: TrackItemSelectionApi, ripple: boolean, mediaType: Constants.MediaType) {
    if (!(selection instanceof FakeTrackItemSelection)) {
      throw new FakeRuleError('createRemoveItemsAction takes a TrackItemSelection');
    }
    const items = [...selection.items];
    const record = { kind: 'remove' as const, items: items.map((item) => item.name).join(', '), ripple, mediaType: Number(mediaType) };
    return this.engine.createAction(record, () => this.sequence.remove(items, ripple));
  }
}

function clipOf(item: ProjectItemApi): FakeClipItem {
  if (!(item instanceof FakeClipItem)) throw new FakeRuleError(`"${item.name}" is not a clip project item`);
  return item;
}
