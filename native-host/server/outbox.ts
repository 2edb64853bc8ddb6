import WebSocket from 'ws';
import type { EventName } from '../../bridge/protocol';

/** How much one client may leave unread. */
export interface OutboxLimits {
  /** above this many unsent bytes, progress events wait (only the latest per job is kept) */
  eventBufferBytes: number;
  /** above this many unsent bytes the client is considered gone and dropped */
  maxBufferedBytes: number;
}

/**
 * What the host sends on one WebSocket, never waiting for the client. Invariants: the bytes kept for a
 * client that does not read stay under `maxBufferedBytes` (beyond it the connection is cut, and `onStalled`
 * says so); progress waiting for the client is at most one event per job, always the latest; an event other
 * than progress supersedes the progress of its job that still waits.
 */
export class Outbox {
  /** jobId (or the live session's key) → serialised progress or liveStatus event that waits for the client to read */
  private readonly held = new Map<string, string>();
  /** progress events replaced by a later one while the client was not reading */
  dropped = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: OutboxLimits,
    private readonly onStalled: (unreadBytes: number) => void,
  ) {}

  /** progress events waiting for the client */
  get heldCount(): number {
    return this.held.size;
  }

  /** Sends a message (responses, events other than progress) unless the client is over the hard limit. */
  send(text: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.onStalled(this.socket.bufferedAmount);
      this.socket.terminate();
      return;
    }
    // The callback runs once the bytes are handed to the OS: the moment to send progress that waited.
    this.socket.send(text, (error) => {
      if (!error && this.held.size > 0) this.flush();
    });
  }

  /**
   * Sends one job event, or liveStatus (`jobId` then the live session's key). Progress and liveStatus, each a
   * whole snapshot, wait while the client has more than `eventBufferBytes` unread, or while
   * older progress waits (to keep the order).
   *
   * @param text - the serialised event message (serialised once for all of the owner's connections)
   */
  sendEvent(event: EventName, jobId: string, text: string): void {
    if ((event === 'jobProgress' || event === 'liveStatus') && (this.socket.bufferedAmount > this.limits.eventBufferBytes || this.held.size > 0)) {
      if (this.held.has(jobId)) this.dropped++;
      this.held.set(jobId, text);
      this.flush();
      return;
    }
    this.held.delete(jobId);
    this.flush();
    this.send(text);
  }

  private flush(): void {
    if (this.held.size === 0 || this.socket.bufferedAmount > this.limits.eventBufferBytes) return;
    const texts = [...this.held.values()];
    this.held.clear();
    for (const text of texts) this.send(text);
  }
}
