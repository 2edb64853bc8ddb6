/**
 * The seam between a live session (frames in → engine → matte at full size) and where its pictures go
 * (OBS today). Each frame carries its own RGB with its own alpha, so picture and matte never drift apart.
 */
export interface LiveFrame {
  /** 0, 1, 2… in capture order (gaps where frames were dropped) */
  index: number;
  width: number;
  height: number;
  /** straight (not premultiplied) RGBA, width·height·4 bytes */
  rgba: Uint8Array;
  /** when the input frame was read from the camera or file, `performance.now()` in ms */
  capturedAt: number;
}

export type LiveOutputState =
  | { state: 'connecting' }
  | { state: 'ready' }
  /** lost (OBS quit, websocket dropped): it keeps retrying by itself */
  | { state: 'reconnecting'; reason: string }
  /** will not work without the user (wrong password): one sentence */
  | { state: 'failed'; reason: string };

/** Where a live session's pictures go. */
export interface LiveOutput {
  /**
   * Sends one frame, never waiting: returns false when the frame was dropped because the output is still
   * busy with earlier ones (frames are dropped, never queued) or is not connected.
   */
  send(frame: LiveFrame): boolean;
  /** state changes, for the CLI's status line and the dock */
  onState(listener: (s: LiveOutputState) => void): void;
  close(): Promise<void>;
}
