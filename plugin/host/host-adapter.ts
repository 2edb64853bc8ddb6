/**
 * The contract between the panel and the editor it runs in. `premiere.ts` and `photoshop.ts` implement it;
 * `index.ts` picks one by `uxp.host.name`. Nothing outside `plugin/host/` touches a host API, so tests replace
 * this interface and nothing else (docs/style.md §7).
 */

/** The editors the panel supports, as normalised from `uxp.host.name`. */
export type HostName = 'premierepro' | 'photoshop';

/** Premiere ticks as a decimal string (254 016 000 000 per second); strings keep them exact on the wire. */
export type Ticks = string;

/** A clip selected on the active Premiere sequence. */
export interface SelectedClip {
  kind: 'clip';
  /** The track item's name, for the panel. */
  name: string;
  /** Absolute path of the source media file; the host decodes it itself. */
  mediaPath: string;
  /** Source frame rate (frames per second) from the clip's footage interpretation. */
  frameRate: number;
  /** The part of the source the clip uses: its source in and out points. */
  sourceRange: { inTicks: Ticks; outTicks: Ticks };
  /** Where the clip sits, so that the matte can go on a track above it at the same time. */
  timeline: { videoTrackIndex: number; startTicks: Ticks; endTicks: Ticks };
}

/** The active layer of the active Photoshop document (v1 scope: still images only, uxp.md §5). */
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

/** A matte the host wrote to disk, imported by path (Premiere). */
export interface MatteFile {
  kind: 'file';
  /** Absolute path: a movie with alpha (ProRes 4444), a luma matte, or the first frame of a PNG sequence. */
  path: string;
  /** True when `path` is the first frame of a numbered still sequence. */
  numberedStills: boolean;
}

/** An 8-bit alpha matte in memory, applied as a layer mask (Photoshop). */
export interface MatteAlpha {
  kind: 'alpha';
  /** alpha [height, width] u8, row-major, 255 = subject. */
  alpha: Uint8Array;
  width: number;
  height: number;
  /** Document position of the matte's top-left pixel. */
  left: number;
  top: number;
}

export type MatteResult = MatteFile | MatteAlpha;

/** Why a host call could not go ahead, in one line the user can act on. */
export type PanelErrorCode = 'UNSUPPORTED_HOST' | 'UNSUPPORTED_SELECTION' | 'NO_PROJECT' | 'PLACE_FAILED';

/** A failure the user can fix (wrong selection, wrong app); anything else thrown by an adapter is a bug. */
export class PanelError extends Error {
  override readonly name = 'PanelError';
  constructor(
    readonly code: PanelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the panel needs from the editor. Every method may be called while the user keeps editing. */
export interface HostAdapter {
  /** Which editor this adapter drives. */
  hostName(): HostName;

  /**
   * The media the user selected, described well enough for the host to matte it.
   * @returns undefined when nothing suitable is selected
   * @remarks Throws a PanelError for a selection the panel cannot matte (a nested sequence, the Background layer).
   */
  selectedMedia(): Promise<SelectedMedia | undefined>;

  /**
   * Puts a finished matte back next to its source, as one undoable step.
   * @param target - what `selectedMedia()` returned when the job started
   * @param result - what the host produced: a file for Premiere, alpha pixels for Photoshop
   */
  placeMatte(target: SelectedMedia, result: MatteResult): Promise<void>;
}
