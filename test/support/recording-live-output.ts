import type { LiveFrame, LiveOutput, LiveOutputState } from '../../native-host/live/live-output';

/**
 * A LiveOutput that keeps what it is sent (our own seam, not a stand-in for OBS): frames it accepts, and a
 * count of those it refuses while `accepting` is false, as a busy or disconnected output would.
 * `keep` bounds the frames held (the soak bench keeps none).
 */
export class RecordingLiveOutput implements LiveOutput {
  readonly frames: LiveFrame[] = [];
  accepted = 0;
  refused = 0;
  accepting = true;
  private readonly listeners: ((s: LiveOutputState) => void)[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly keep = Infinity) {}

  send(frame: LiveFrame): boolean {
    if (!this.accepting) {
      this.refused++;
      return false;
    }
    this.accepted++;
    this.frames.push(frame);
    if (this.frames.length > this.keep) this.frames.shift();
    for (const w of this.waiters.filter((w) => this.accepted >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    return true;
  }

  onState(listener: (s: LiveOutputState) => void): void {
    this.listeners.push(listener);
  }

  /** Tells the session about a state change, as a real output would. */
  setState(s: LiveOutputState): void {
    for (const l of this.listeners) l(s);
  }

  /** Resolves once `n` more frames than now have been accepted. */
  waitForFrames(n: number): Promise<void> {
    const count = this.accepted + n;
    return count <= this.accepted ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {}
}
