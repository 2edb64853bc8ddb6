/**
 * The contract between the panel and the editor it runs in. `premiere.ts` and `photoshop.ts` implement it;
 * `index.ts` picks one by `uxp.host.name`. Nothing outside `plugin/host/` touches a host API, so tests replace
 * the Adobe modules under these adapters and nothing else (docs/style.md §7).
 */

/** The editors the panel supports, as normalised from `uxp.host.name`. */
export type HostName = 'premierepro' | 'photoshop';

/** Premiere ticks as a decimal string (254 016 000 000 per second); strings keep them exact on the wire. */
export type Ticks = string;

/** An exact frame rate (30000/1001 for 29.97), as the bridge's FrameRate. */
export interface Rational {
  num: number;
  den: number;
}

/** A clip selected on the active Premiere sequence: exactly one video clip, at normal speed. */
export interface SelectedClip {
  kind: 'clip';
  /** The track item's name, for the panel. */
  name: string;
  /** Absolute path of the source media file; the host decodes it itself. */
  mediaPath: string;
  /** Source frame rate from the clip's footage interpretation, as an exact fraction. */
  frameRate: Rational;
  /**
   * True when the media's timecode counts drop-frame; only labels change, not frame numbers. Premiere exposes no
   * such flag for media, so every 29.97/59.94 source is taken as drop-frame (premiere-selection.ts).
   */
  dropFrame: boolean;
  /** The source frames the clip uses, 0-based and inclusive, at `frameRate` (what submitMatte's range takes). */
  frames: { from: number; to: number };
  /** The part of the source the clip uses: its source in and out points. */
  sourceRange: { inTicks: Ticks; outTicks: Ticks };
  /** Where the clip sits, so that the matte can go on a track above it at the same time. */
  timeline: { videoTrackIndex: number; startTicks: Ticks; endTicks: Ticks };
}

/** The active layer of the active Photoshop document (still images only, uxp.md §5). */
export interface SelectedLayer {
  kind: 'layer';
  /** The layer's name, for the panel. */
  name: string;
  /** Path of the document on disk; empty for a document that was never saved. */
  mediaPath: string;
  documentId: number;
  layerId: number;
  /** Layer bounds in document pixels; a layer's origin is not always (0, 0). */
  bounds: { left: number; top: number; right: number; bottom: number };
}

export type SelectedMedia = SelectedClip | SelectedLayer;

/** A matte movie the host wrote to disk, imported by path (Premiere). */
export interface MatteFile {
  /** Absolute path of the movie. */
  path: string;
  /** `prores4444`: the subject with its alpha; `luma`: a grey track matte for Track Matte Key. */
  output: 'prores4444' | 'luma';
}

/**
 * Where a matte was placed, enough to find and replace it later (also after a panel reload: it is plain
 * JSON that the panel keeps in storage).
 */
export interface Placement {
  mediaPath: string;
  videoTrackIndex: number;
  startTicks: Ticks;
  endTicks: Ticks;
}

/** The result of placing: where, and sentences for the user about what could not be done automatically. */
export interface PlaceOutcome {
  placement: Placement;
  /** e.g. "Scale and Position were copied onto the matte." or "Add Track Matte Key to … and set Matte to V3." */
  notes: string[];
}

/** Why a host call could not go ahead, in one line the user can act on. */
export type PanelErrorCode = 'UNSUPPORTED_HOST' | 'UNSUPPORTED_SELECTION' | 'NO_PROJECT' | 'PLACE_FAILED' | 'NO_MASK';

/** A failure the user can fix (wrong selection, wrong app); anything else thrown by an adapter is a bug. */
export class PanelError extends Error {
  override readonly name = 'PanelError';
  /**
   * @param options - `cause`: the host app's own error, kept for the log when the message rephrases it
   */
  constructor(
    readonly code: PanelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Premiere Pro: clips in, matte movies placed on the timeline. */
export interface PremiereAdapter {
  hostName(): 'premierepro';
  /**
   * The one selected video clip, described well enough for the host to matte it.
   * @returns undefined when no project, sequence or clip is open or selected
   * @remarks Throws a PanelError UNSUPPORTED_SELECTION with one sentence for several selected clips, a nested
   * sequence, a multicam or merged clip, an offline clip, an adjustment layer, a still, a speed change, reverse,
   * or time remapping.
   */
  selectedClip(): Promise<SelectedClip | undefined>;
  /**
   * Imports the matte into the "MatAnyone" bin and places it on the first free video track above the clip (or
   * a new top track), at the clip's start, in one undo step "Matte Subject"; for a luma matte the same step
   * appends Track Matte Key to the clip where the app has it. Then copies the clip's Motion (position, scale,
   * rotation, anchor ...) onto the matte in a second undo step "Matte Subject: Motion", only when the clip's
   * Motion differs from the matte's: the matte's track item exists only once the first step is committed, and
   * Premiere builds every action before it commits any (see premiere-place.ts).
   * @param clip - what selectedClip() returned when the job started
   * @returns where the matte went, and a sentence for each thing the user still has to do by hand
   * @throws PanelError PLACE_FAILED naming the matte's path when it could not be placed
   */
  placeMatte(clip: SelectedClip, matte: MatteFile): Promise<PlaceOutcome>;
  /**
   * Replaces a placed matte by a new version (a new file) at the same track and time: removing the old item and
   * placing the new one is one undo step, copying Motion a second one (as in placeMatte).
   * @param clip - the clip the matte belongs to (for Motion and Track Matte Key)
   * @throws PanelError PLACE_FAILED naming the new matte's path when it could not be placed
   */
  replaceMatte(clip: SelectedClip, previous: Placement, matte: MatteFile): Promise<PlaceOutcome>;
}

/** Raw pixels written to the plugin's temp folder for the host to read (no base64 in JSON, uxp.md §5). */
export interface RawImageFile {
  /** Native path of the file (the host reads it). */
  path: string;
  width: number;
  height: number;
  /** 3 (RGB), 4 (RGBA) or 1 (grey), 8 bits each, interleaved, row-major. */
  channels: 1 | 3 | 4;
}

/** What the Photoshop panel sends the host for one layer: its pixels and a first mask of the same size. */
export interface StillForMatte {
  image: RawImageFile;
  mask: RawImageFile;
  /** Where the first mask came from, for the panel to say. */
  maskSource: 'selection' | 'layerMask';
  /** Document position of the image's top-left pixel. */
  left: number;
  top: number;
}

/** Photoshop: a pixel layer and its selection or mask in, a layer mask out. */
export interface PhotoshopAdapter {
  hostName(): 'photoshop';
  /**
   * The active pixel layer.
   * @returns undefined when no document is open or no layer is active
   * @remarks Throws a PanelError UNSUPPORTED_SELECTION for the Background layer, a layer that is not a pixel
   * layer, or several active layers.
   */
  selectedLayer(): Promise<SelectedLayer | undefined>;
  /**
   * Reads the layer's pixels (RGB, 8 bits) and the current selection, else the layer's user mask, cropped to
   * the same rectangle, inside one short executeAsModal, then writes both as raw files into the plugin's temp
   * folder (after leaving the modal state).
   * @throws PanelError NO_MASK when there is neither a selection nor a layer mask, or it misses the layer
   */
  readStill(layer: SelectedLayer): Promise<StillForMatte>;
  /**
   * Writes an 8-bit alpha file (width·height bytes of `still.image`, as the host wrote it) as the layer's mask
   * at `still.left/top`, replacing any mask it had, in one history step "Matte Subject" (executeAsModal around
   * the write only).
   * @param alphaPath - a file in the plugin's temp folder (the only place a "plugin" file permission can read)
   */
  writeLayerMask(layer: SelectedLayer, alphaPath: string, still: StillForMatte): Promise<void>;
}

export type HostAdapter = PremiereAdapter | PhotoshopAdapter;
