import type { LiveFrameResult, LiveInput, LiveStatus, ObsConnection } from '../../bridge/live';
import type { MaskInput } from '../../bridge/media';

/** startLive as the server hands it on: paths already checked against the allowed roots (real paths). */
export interface LiveStartRequest {
  obs: ObsConnection;
  input: LiveInput;
  mask: MaskInput;
  /** the Media Source that shows the matte (default {@link DEFAULT_SOURCE_NAME}) */
  sourceName?: string;
  hideSource?: string;
  workSize?: number;
  /** a registry name or a checked path; absent: `serve --model`, else the registry's default */
  model?: string;
  /** the drift guard (see LiveSessionOptions.reseed) */
  reseed?: { everySeconds: number; minIou?: number };
}

/** Listens to the session's status; returns the unsubscribe function. */
export type LiveStatusListener = (status: LiveStatus) => void;

/**
 * The host's one live session, as the server drives it (startLive, stopLive, remaskLive, getLiveStatus,
 * getLiveFrame). Invariants: at most one session runs; `status()` is always answerable; every status change
 * (and, while running, about one a second) reaches the `onStatus` listeners; errors are HostErrors with one
 * sentence (LIVE_STATE when the session is not in a state for the call).
 */
export interface LiveRunner {
  /**
   * Starts the session and resolves once frames are matted and OBS takes them.
   * @throws HostError LIVE_STATE while a session runs; OBS_UNAVAILABLE when OBS refuses or cannot be
   *   reached; the input's and the mask's errors (VIDEO_UNREADABLE, MASK_*, NO_PERSON, MODEL_*)
   */
  start(request: LiveStartRequest): Promise<LiveStatus>;
  /** Stops the session; resolves with the status it ended with. @throws HostError LIVE_STATE when none runs */
  stop(): Promise<LiveStatus>;
  /** Applies a new mask on the current frame, as a correction enters the memory. @throws HostError LIVE_STATE when none runs */
  remask(mask: MaskInput): Promise<{ frame: number }>;
  status(): LiveStatus;
  /** The latest input frame as a PNG. @throws HostError LIVE_STATE when no frame has been read */
  currentFrame(maxSize?: number): Promise<LiveFrameResult>;
  onStatus(listener: LiveStatusListener): () => void;
  /** Stops a running session (the host is shutting down). */
  close(): Promise<void>;
}

/** The name of the Media Source the host creates in OBS when startLive names none. */
export const DEFAULT_SOURCE_NAME = 'MatAnyone';

/** The status of a host with no session. */
export const IDLE_STATUS: LiveStatus = { state: 'idle', obs: { state: 'off' }, frames: 0, fps: 0, droppedIn: 0, droppedOut: 0, remasks: 0 };
