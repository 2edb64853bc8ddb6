/**
 * The sequence: video tracks of clips, and the edits actions make to them (overwrite, insert, remove). Clips
 * play at speed 1 as far as edits go (the adapter refuses other speeds before it edits anything).
 */
import type { Constants } from '@adobe/premierepro';
import type { SequenceApi, VideoClipTrackItemApi, VideoTrackApi } from '../../../plugin/host/premiere-api';
import { FakeChain, type FakeComponent } from './components';
import { FakeEditRefused, type Engine } from './engine';
import type { FakeClipItem } from './project-items';
import { FakeTickTime, framesToTicks, type Rate } from './values';

/** The fake's Constants.TrackItemType.CLIP value. */
export const TRACK_ITEM_CLIP = 1;

export interface TrackItemOptions {
  selected?: boolean;
  speed?: number;
  reversed?: boolean;
  adjustmentLayer?: boolean;
  /** the fixed effects, built for this item (see fixedEffects) */
  components: (owner: () => string) => FakeComponent[];
}

export class FakeTrackItem implements VideoClipTrackItemApi {
  readonly chain: FakeChain;
  selected: boolean;

  constructor(
    engine: Engine,
    public name: string,
    readonly projectItem: FakeClipItem,
    public span: { start: bigint; end: bigint; in: bigint; out: bigint },
    private readonly options: TrackItemOptions,
    chain?: FakeChain,
  ) {
    this.selected = options.selected ?? false;
    this.chain = chain ?? new FakeChain(engine, () => this.name, options.components(() => this.name));
  }

  async getName(): Promise<string> {
    return this.name;
  }

  async getIsSelected(): Promise<boolean> {
    return this.selected;
  }

  async getSpeed(): Promise<number> {
    return this.options.speed ?? 1;
  }

  /** A number in the 26.3 types, not a boolean. */
  async isSpeedReversed(): Promise<number> {
    return this.options.reversed ? 1 : 0;
  }

  async isAdjustmentLayer(): Promise<boolean> {
    return this.options.adjustmentLayer ?? false;
  }

  async getInPoint(): Promise<FakeTickTime> {
    return FakeTickTime.of(this.span.in);
  }

  async getOutPoint(): Promise<FakeTickTime> {
    return FakeTickTime.of(this.span.out);
  }

  async getStartTime(): Promise<FakeTickTime> {
    return FakeTickTime.of(this.span.start);
  }

  async getEndTime(): Promise<FakeTickTime> {
    return FakeTickTime.of(this.span.end);
  }

  async getProjectItem(): Promise<FakeClipItem> {
    return this.projectItem;
  }

  async getComponentChain(): Promise<FakeChain> {
    return this.chain;
  }

  /** The part of this clip from `at` on, as a clip of its own (this one is then trimmed to end at `at`). */
  splitOff(engine: Engine, at: bigint): FakeTrackItem {
    const offset = at - this.span.start;
    const right = { start: at, end: this.span.end, in: this.span.in + offset, out: this.span.out };
    const options = { ...this.options, selected: false };
    const part: FakeTrackItem = new FakeTrackItem(engine, this.name, this.projectItem, right, options, this.chain.clone(() => part.name));
    this.span = { ...this.span, end: at, out: this.span.in + offset };
    return part;
  }
}

export class FakeTrack implements VideoTrackApi {
  items: FakeTrackItem[] = [];

  getTrackItems(trackItemType: Constants.TrackItemType, includeEmptyTrackItems: boolean): VideoClipTrackItemApi[] {
    void includeEmptyTrackItems; // the fake has no empty items to include
    if (Number(trackItemType) !== TRACK_ITEM_CLIP) return [];
    return [...this.items].sort((a, b) => (a.span.start < b.span.start ? -1 : 1));
  }
}

export class FakeSequence implements SequenceApi {
  tracks: FakeTrack[];

  /**
   * @param newEffects - the fixed effects of a clip an edit puts on the sequence
   */
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    readonly rate: Rate,
    trackCount: number,
    private readonly newEffects: TrackItemOptions['components'],
  ) {
    this.tracks = Array.from({ length: trackCount }, () => new FakeTrack());
  }

  async getVideoTrackCount(): Promise<number> {
    return this.tracks.length;
  }

  async getVideoTrack(trackIndex: number): Promise<FakeTrack> {
    const track = this.tracks[trackIndex];
    if (!track) throw new Error(`the sequence has no video track ${trackIndex}`);
    return track;
  }

  /** Puts a new clip of `item` on a track, as the overwrite and insert edits do; returns the revert. */
  place(item: FakeClipItem, start: bigint, trackIndex: number, mode: 'overwrite' | 'insert'): () => void {
    const restore = this.snapshot();
    const duration = framesToTicks(item.media.frames, item.media.rate);
    if (mode === 'overwrite' && trackIndex >= this.tracks.length) {
      // Under CEP an overwrite to a missing track "succeeded" and placed nothing (uxp.md §4.3); refuse it here.
      throw new FakeEditRefused(`overwrite to video track ${trackIndex}, which does not exist`);
    }
    if (trackIndex >= this.tracks.length) this.tracks.push(new FakeTrack()); // "a new track will be created"
    const track = this.tracks[Math.min(trackIndex, this.tracks.length - 1)];
    if (mode === 'overwrite') this.clear(track, start, start + duration);
    else this.shift(track, start, duration);
    const span = { start, end: start + duration, in: 0n, out: duration };
    track.items.push(new FakeTrackItem(this.engine, item.name, item, span, { components: this.newEffects }));
    return restore;
  }

  /** Removes clips (ripple: later clips on the track close the gap); returns the revert. */
  remove(items: FakeTrackItem[], ripple: boolean): () => void {
    const restore = this.snapshot();
    for (const item of items) {
      const track = this.tracks.find((candidate) => candidate.items.includes(item));
      if (!track) throw new FakeEditRefused(`"${item.name}" is not in the sequence`);
      track.items = track.items.filter((other) => other !== item);
      if (ripple) this.shift(track, item.span.end, item.span.start - item.span.end);
    }
    return restore;
  }

  /** Empties [start, end) on a track: clips inside go, clips across an edge are trimmed or split. */
  private clear(track: FakeTrack, start: bigint, end: bigint): void {
    for (const item of [...track.items]) {
      const { span } = item;
      if (span.end <= start || span.start >= end) continue;
      if (span.start < start && span.end > end) {
        const right = item.splitOff(this.engine, start);
        track.items.push(right.splitOff(this.engine, end));
      } else if (span.start < start) {
        item.splitOff(this.engine, start);
      } else if (span.end > end) {
        const kept = item.splitOff(this.engine, end);
        track.items[track.items.indexOf(item)] = kept;
      } else {
        track.items = track.items.filter((other) => other !== item);
      }
    }
  }

  /** Moves clips at or after `at` by `by` ticks, splitting one that crosses `at`. */
  private shift(track: FakeTrack, at: bigint, by: bigint): void {
    for (const item of [...track.items]) {
      if (item.span.start < at && item.span.end > at) track.items.push(item.splitOff(this.engine, at));
    }
    for (const item of track.items) {
      if (item.span.start >= at) item.span = { ...item.span, start: item.span.start + by, end: item.span.end + by };
    }
  }

  /** The tracks, their clips and the clips' spans as they are now, to put back on undo or refusal. */
  private snapshot(): () => void {
    const tracks = [...this.tracks];
    const items = tracks.map((track) => [...track.items]);
    const spans = new Map(items.flat().map((item) => [item, { ...item.span }]));
    return () => {
      this.tracks = tracks;
      tracks.forEach((track, index) => (track.items = items[index]));
      for (const [item, span] of spans) item.span = span;
    };
  }
}
