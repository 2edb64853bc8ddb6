/**
 * A fake `premierepro` module for the Premiere adapter: one project, one active sequence, bins, clips with
 * Motion, and Premiere 26.3's edit rules (test/fakes/premiere/engine.ts). It implements PremiereApi, the
 * surface picked from @adobe/premierepro that the adapter is typed against, so the compiler checks each member
 * the adapter calls. No Node API: the same scenarios run in jest and, bundled, in a browser page
 * (browser-premiere.ts).
 *
 * @example
 * const { ppro, state } = createFakePremiere({ tracks: [[{ name: 'speaker', mediaPath: '/m/a.mov', outFrame: 48, selected: true }]] });
 * const adapter = createPremiereAdapter(ppro);
 */
import type { PremiereApi } from '../../plugin/host/premiere-api';
import { FakeComponent, FakeFilterComponent, FakeParam, fixedEffects, MOTION, TRACK_MATTE_KEY } from './premiere/components';
import { Engine, FakeRuleError, type UndoEntry } from './premiere/engine';
import { FakeProject, FakeSequenceEditor, FakeTrackItemSelection, type ImportRecord } from './premiere/project';
import { FakeClipItem, FakeFolderItem, ITEM_TYPE, type MediaInfo } from './premiere/project-items';
import { FakeSequence, FakeTrackItem, TRACK_ITEM_CLIP } from './premiere/timeline';
import { FakeTickTime, framesToTicks, toRate, type FakeParamValue, type Rate, type RateSpec } from './premiere/values';

export { FakeRuleError, type ActionRecord, type UndoEntry } from './premiere/engine';
export { MOTION, TRACK_MATTE_KEY, TIME_REMAPPING } from './premiere/components';
export type { FakeParamValue, RateSpec } from './premiere/values';
export { TICKS_PER_SECOND } from './premiere/values';

/** One clip on the sequence. Times are frames unless `ticks` overrides them. */
export interface FakeClipSpec {
  name: string;
  mediaPath: string;
  /** the media's rate (default 25); 23.976 is [24000, 1001] */
  frameRate?: RateSpec;
  /** what getFrameRate() reports, when it should differ from frameRate (e.g. 23.976 exactly) */
  reportedFps?: number;
  /** source in point (default 0) and exclusive out point, in frames at frameRate */
  inFrame?: number;
  outFrame: number;
  /** media length in frames (default outFrame) */
  mediaFrames?: number;
  /** timeline start in frames at the sequence rate (default 0) */
  startFrame?: number;
  /** exact tick strings overriding the frame fields */
  ticks?: { in?: string; out?: string; start?: string };
  selected?: boolean;
  speed?: number;
  reversed?: boolean;
  adjustmentLayer?: boolean;
  nested?: boolean;
  multicam?: boolean;
  merged?: boolean;
  offline?: boolean;
  /** media that getFrameRate() reports as 0, like a still image */
  still?: boolean;
  /** Time Remapping keyframed on the clip */
  timeRemapped?: boolean;
  /** Motion values other than the defaults, by parameter name ("Scale": 150) */
  motion?: Record<string, FakeParamValue>;
  /** Motion parameters that are keyframed */
  keyframed?: string[];
  /** effects already on the clip, by match name */
  effects?: string[];
}

/** A media file importFiles can import. */
export interface FakeMediaSpec {
  frameRate?: RateSpec;
  frames: number;
}

export interface FakePremiereScenario {
  /** no project open: getActiveProject resolves null */
  noProject?: boolean;
  /** no sequence open: getActiveSequence resolves null */
  noSequence?: boolean;
  sequence?: { name?: string; frameRate?: RateSpec; videoTracks?: number };
  /** clips per video track, V1 first */
  tracks: FakeClipSpec[][];
  /** bins at the project root */
  bins?: string[];
  /** VideoFilterFactory.getMatchNames() (default: a few effects, Track Matte Key among them) */
  matchNames?: string[];
  /** files importFiles accepts, by path */
  media?: Record<string, FakeMediaSpec>;
  /**
   * What an import of any other path gives: by default a movie at the first selected clip's rate and as many
   * frames as it uses (what the host renders); false makes such imports fail.
   */
  otherMedia?: FakeMediaSpec | false;
}

/** A clip on the sequence, as plain JSON. */
export interface TrackItemSnapshot {
  name: string;
  mediaPath: string;
  startTicks: string;
  endTicks: string;
  inTicks: string;
  outTicks: string;
  selected: boolean;
  /** match names of the clip's effects, in chain order */
  effects: string[];
  /** Motion parameter values by name */
  motion: Record<string, FakeParamValue>;
}

export interface BinSnapshot {
  name: string;
  bins: BinSnapshot[];
  /** media paths of the clips in this bin */
  clips: string[];
}

/** What tests read and do besides the adapter (also exposed to a browser page as globalThis.__fakePremiere). */
export interface FakePremiereState {
  /** one entry per committed transaction, oldest first */
  readonly undoStack: UndoEntry[];
  /** transactions that returned false, and why */
  readonly refused: Array<{ name: string; reason: string }>;
  readonly imports: ImportRecord[];
  /** every video track's clips, V1 first */
  tracks(): TrackItemSnapshot[][];
  /** the project panel from the root bin */
  bins(): BinSnapshot;
  /** Ctrl+Z: reverts the last undo entry */
  undo(): UndoEntry | undefined;
  /** selects exactly the clips called `name` (none for undefined) */
  select(name: string | undefined): void;
}

export const DEFAULT_MATCH_NAMES = ['AE.ADBE Gaussian Blur 2', 'AE.ADBE Lumetri', TRACK_MATTE_KEY, 'AE.ADBE Ultra Key'];

/** The fake's Constants.MediaType.VIDEO value. */
const MEDIA_TYPE_VIDEO = 2;

/** Builds the fake module and the state tests inspect. */
export function createFakePremiere(scenario: FakePremiereScenario): { ppro: PremiereApi; state: FakePremiereState } {
  const engine = new Engine();
  const root = new FakeFolderItem(engine, 'Project', ITEM_TYPE.ROOT);
  for (const bin of scenario.bins ?? []) root.items.push(new FakeFolderItem(engine, bin));
  const clips = () => root.clips();

  const specs = scenario.tracks.flat();
  const sequenceRate = toRate(scenario.sequence?.frameRate ?? specs[0]?.frameRate ?? 25);
  const trackCount = Math.max(scenario.tracks.length, scenario.sequence?.videoTracks ?? 0);
  const sequence = new FakeSequence(engine, scenario.sequence?.name ?? 'Sequence 01', sequenceRate, trackCount, (owner) =>
    fixedEffects(engine, owner),
  );

  const mediaItems = new Map<string, FakeClipItem>();
  scenario.tracks.forEach((trackSpecs, trackIndex) => {
    for (const spec of trackSpecs) {
      const item = mediaItems.get(spec.mediaPath) ?? new FakeClipItem(mediaOf(spec), clips);
      if (!mediaItems.has(spec.mediaPath)) root.items.push(item);
      mediaItems.set(spec.mediaPath, item);
      sequence.tracks[trackIndex].items.push(trackItemOf(engine, spec, item, sequenceRate));
    }
  });

  const imports: ImportRecord[] = [];
  const project = new FakeProject(engine, root, scenario.noSequence ? null : sequence, importable(scenario), imports);
  const matchNames = scenario.matchNames ?? DEFAULT_MATCH_NAMES;

  const ppro = {
    Project: { getActiveProject: async () => (scenario.noProject ? null : project) },
    ProjectItem: { TYPE_BIN: ITEM_TYPE.BIN },
    ClipProjectItem: { cast: (item) => (item instanceof FakeClipItem ? item : null) },
    TickTime: { createWithTicks: (ticks) => new FakeTickTime(BigInt(ticks).toString()) },
    SequenceEditor: {
      getEditor: (candidate) => {
        if (!(candidate instanceof FakeSequence)) throw new FakeRuleError('getEditor takes a sequence of this project');
        return new FakeSequenceEditor(engine, candidate);
      },
    },
    TrackItemSelection: {
      createEmptySelection: (callback) => {
        callback(new FakeTrackItemSelection());
        return true;
      },
    },
    VideoFilterFactory: {
      getMatchNames: async () => [...matchNames],
      createComponent: async (matchName) => {
        if (!matchNames.includes(matchName)) throw new Error(`no video effect "${matchName}"`);
        return new FakeFilterComponent(matchName);
      },
    },
    Constants: { TrackItemType: { CLIP: TRACK_ITEM_CLIP }, MediaType: { VIDEO: MEDIA_TYPE_VIDEO } },
  } satisfies PremiereApi;

  const state: FakePremiereState = {
    undoStack: engine.undoStack,
    refused: engine.refused,
    imports,
    tracks: () => sequence.tracks.map((track) => track.items.map(snapshotOf).sort((a, b) => compareTicks(a.startTicks, b.startTicks))),
    bins: () => binSnapshot(root),
    undo: () => engine.undo(),
    select: (name) => {
      for (const item of sequence.tracks.flatMap((track) => track.items)) item.selected = item.name === name;
    },
  };
  return { ppro, state };
}

function mediaOf(spec: FakeClipSpec): MediaInfo {
  const rate = toRate(spec.frameRate ?? 25);
  return {
    path: spec.mediaPath,
    rate,
    reportedFps: spec.still ? 0 : (spec.reportedFps ?? rate.num / rate.den),
    frames: spec.mediaFrames ?? spec.outFrame,
    nested: spec.nested,
    multicam: spec.multicam,
    merged: spec.merged,
    offline: spec.offline,
  };
}

function trackItemOf(engine: Engine, spec: FakeClipSpec, item: FakeClipItem, sequenceRate: Rate): FakeTrackItem {
  const rate = item.media.rate;
  const inTicks = BigInt(spec.ticks?.in ?? framesToTicks(spec.inFrame ?? 0, rate));
  const outTicks = BigInt(spec.ticks?.out ?? framesToTicks(spec.outFrame, rate));
  const start = BigInt(spec.ticks?.start ?? framesToTicks(spec.startFrame ?? 0, sequenceRate));
  const speed = spec.speed ?? 1;
  const end = start + BigInt(Math.round(Number(outTicks - inTicks) / speed));
  const components = (owner: () => string) => [
    ...fixedEffects(engine, owner, spec),
    ...(spec.effects ?? []).map((matchName) => effectComponent(engine, owner, matchName)),
  ];
  return new FakeTrackItem(engine, spec.name, item, { start, end, in: inTicks, out: outTicks }, { ...spec, components });
}

/** An effect the scenario puts on a clip from the start (one parameter, enough to be found by match name). */
function effectComponent(engine: Engine, owner: () => string, matchName: string): FakeComponent {
  return new FakeComponent(matchName, [new FakeParam(engine, owner, 'Amount', 0)]);
}

/** The media an import of `path` gives, per the scenario. */
function importable(scenario: FakePremiereScenario): (path: string) => MediaInfo | undefined {
  const selected = scenario.tracks.flat().find((spec) => spec.selected);
  const fallback: FakeMediaSpec | false =
    scenario.otherMedia ??
    (selected
      ? { frameRate: selected.frameRate, frames: selected.outFrame - (selected.inFrame ?? 0) }
      : { frames: 25 });
  return (path) => {
    const spec = scenario.media?.[path] ?? (fallback || undefined);
    if (!spec) return undefined;
    const rate = toRate(spec.frameRate ?? 25);
    return { path, rate, reportedFps: rate.num / rate.den, frames: spec.frames };
  };
}

function snapshotOf(item: FakeTrackItem): TrackItemSnapshot {
  const motion = item.chain.components.find((component) => component.matchName === MOTION);
  return {
    name: item.name,
    mediaPath: item.projectItem.media.path,
    startTicks: item.span.start.toString(),
    endTicks: item.span.end.toString(),
    inTicks: item.span.in.toString(),
    outTicks: item.span.out.toString(),
    selected: item.selected,
    effects: item.chain.components.map((component) => component.matchName),
    motion: Object.fromEntries((motion?.params ?? []).map((param) => [param.displayName, param.value])),
  };
}

function binSnapshot(bin: FakeFolderItem): BinSnapshot {
  return {
    name: bin.name,
    bins: bin.items.filter((item): item is FakeFolderItem => item instanceof FakeFolderItem).map(binSnapshot),
    clips: bin.items.filter((item): item is FakeClipItem => item instanceof FakeClipItem).map((item) => item.media.path),
  };
}

function compareTicks(a: string, b: string): number {
  return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
}
