/**
 * The part of the `premierepro` module (types: @adobe/premierepro 26.3.0) that the Premiere adapter calls, and
 * nothing more. Each interface picks members from the official type; where a member returns another host object
 * it is re-declared to return that object's own narrow interface. The assertion at the end makes the compiler
 * prove that the official module fits this surface, so the adapter only calls real members with real
 * signatures, and a fake that implements the surface (test/fakes/premierepro.ts) fakes all it needs.
 */
import type {
  Action,
  ClipProjectItem,
  Component,
  ComponentParam,
  CompoundAction,
  Constants,
  FolderItem,
  FootageInterpretation,
  Keyframe,
  ProjectItem,
  ProjectItemStatic,
  Sequence,
  TickTime,
  VideoClipTrackItem,
  VideoComponentChain,
  VideoFilterComponent,
  VideoFilterFactoryStatic,
  premierepro,
} from '@adobe/premierepro';

export type { Action, VideoFilterComponent };

/** What a component parameter can hold (ComponentParam.createKeyframe's argument). */
export type ParamValue = Parameters<ComponentParam['createKeyframe']>[0];

export type TickTimeApi = Pick<TickTime, 'ticks'>;

export type FootageInterpretationApi = Pick<FootageInterpretation, 'getFrameRate'>;

export type KeyframeApi = Pick<Keyframe, 'value'>;

export interface ComponentParamApi extends Pick<ComponentParam, 'displayName' | 'isTimeVarying'> {
  getStartValue(): Promise<KeyframeApi>;
  createKeyframe(value: ParamValue): KeyframeApi;
  createSetValueAction(keyframe: KeyframeApi, safeForPlayback?: boolean): Action;
}

export interface ComponentApi extends Pick<Component, 'getMatchName' | 'getParamCount'> {
  getParam(index?: number): ComponentParamApi;
}

export interface VideoComponentChainApi
  extends Pick<VideoComponentChain, 'getComponentCount' | 'createAppendComponentAction'> {
  getComponentAtIndex(index: number): ComponentApi;
}

export type ProjectItemApi = Pick<ProjectItem, 'name' | 'type'>;

export interface FolderItemApi extends Pick<FolderItem, 'name' | 'type' | 'createBinAction'> {
  getItems(): Promise<ProjectItemApi[]>;
}

export interface ClipProjectItemApi
  extends Pick<ClipProjectItem, 'isSequence' | 'isMulticamClip' | 'isMergedClip' | 'isOffline' | 'getMediaFilePath'> {
  getFootageInterpretation(): Promise<FootageInterpretationApi>;
  findItemsMatchingMediaPath(matchString: string, ignoreSubclips?: boolean): Promise<ProjectItemApi[]>;
}

export interface VideoClipTrackItemApi
  extends Pick<VideoClipTrackItem, 'getName' | 'getIsSelected' | 'getSpeed' | 'isSpeedReversed' | 'isAdjustmentLayer'> {
  getInPoint(): Promise<TickTimeApi>;
  getOutPoint(): Promise<TickTimeApi>;
  getStartTime(): Promise<TickTimeApi>;
  getEndTime(): Promise<TickTimeApi>;
  getProjectItem(): Promise<ProjectItemApi>;
  getComponentChain(): Promise<VideoComponentChainApi>;
}

export interface VideoTrackApi {
  getTrackItems(trackItemType: Constants.TrackItemType, includeEmptyTrackItems: boolean): VideoClipTrackItemApi[];
}

export interface SequenceApi extends Pick<Sequence, 'getVideoTrackCount'> {
  getVideoTrack(trackIndex: number): Promise<VideoTrackApi>;
}

export type CompoundActionApi = Pick<CompoundAction, 'addAction'>;

export interface TrackItemSelectionApi {
  addItem(trackItem: VideoClipTrackItemApi, skipDuplicateCheck?: boolean): boolean;
}

export interface SequenceEditorApi {
  createOverwriteItemAction(item: ProjectItemApi, time: TickTimeApi, videoTrack: number, audioTrack: number): Action;
  createInsertProjectItemAction(
    item: ProjectItemApi,
    time: TickTimeApi,
    videoTrack: number,
    audioTrack: number,
    limitShift: boolean,
  ): Action;
  createRemoveItemsAction(
    selection: TrackItemSelectionApi,
    ripple: boolean,
    mediaType: Constants.MediaType,
    shiftOverLapping?: boolean,
  ): Action;
}

export interface ProjectApi {
  /** Typed Promise<Sequence>, but Premiere resolves null when no sequence is open. */
  getActiveSequence(): Promise<SequenceApi | null>;
  getRootItem(): Promise<FolderItemApi>;
  importFiles(
    filePaths: string[],
    suppressUI?: boolean,
    targetBin?: ProjectItemApi,
    asNumberedStills?: boolean,
  ): Promise<boolean>;
  lockedAccess(callback: () => void): void;
  executeTransaction(callback: (compoundAction: CompoundActionApi) => void, undoString?: string): boolean;
}

/** The module object, as `require('premierepro')` returns it, narrowed to what the adapter uses. */
export interface PremiereApi {
  Project: {
    /** Typed Promise<Project>, but Premiere resolves null when no project is open. */
    getActiveProject(): Promise<ProjectApi | null>;
  };
  ProjectItem: Pick<ProjectItemStatic, 'TYPE_BIN'>;
  /** cast() of an item that is not a clip (a bin, a graphic) gives null in practice. */
  ClipProjectItem: { cast(projectItem: ProjectItemApi): ClipProjectItemApi | null };
  TickTime: { createWithTicks(ticks: string): TickTimeApi };
  SequenceEditor: { getEditor(sequence: SequenceApi): SequenceEditorApi };
  TrackItemSelection: { createEmptySelection(callback: (selection: TrackItemSelectionApi) => void): boolean };
  VideoFilterFactory: Pick<VideoFilterFactoryStatic, 'getMatchNames' | 'createComponent'>;
  Constants: {
    TrackItemType: Pick<typeof Constants.TrackItemType, 'CLIP'>;
    MediaType: Pick<typeof Constants.MediaType, 'VIDEO'>;
  };
}

/** Compile-time proof that the official module satisfies the surface (a type error here means it drifted). */
type Satisfies<Official extends Surface, Surface> = Official;
export type OfficialPremiere = Satisfies<premierepro, PremiereApi>;
