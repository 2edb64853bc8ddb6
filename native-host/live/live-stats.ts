import { performance } from 'perf_hooks';

/** A live session's figures, sent every second (rates and times over that second, counts since start). */
export interface LiveStats {
  /** frames matted and handed to the output per second */
  fps: number;
  /** frames handed to the output since start (accepted or refused) */
  frames: number;
  /** frames the input replaced by a newer one because the engine was busy */
  droppedAtInput: number;
  /** frames the output refused (busy or not connected) */
  droppedAtOutput: number;
  /** capture (`capturedAt`) → handed to the output, over the frames the output accepted; undefined if none */
  latencyMs?: { mean: number; max: number };
  /**
   * engine step per frame, mean: from handing the frame to the worker to its alpha coming back, which
   * includes waiting while the main thread sent the previous frame (the two overlap)
   */
  engineMs?: number;
  /** edge-aware upsample and RGBA composition per frame, mean */
  upsampleMs?: number;
  /** times the input was lost and came back */
  inputRestarts: number;
}

/** Collects per-frame times and turns them into {@link LiveStats} once per interval. */
export class LiveStatsCollector {
  private frames = 0;
  private droppedAtOutput = 0;
  private window = { frames: 0, latencySum: 0, latencyMax: 0, accepted: 0, engine: 0, upsample: 0, since: performance.now() };

  /** One frame handed to the output. */
  frameSent(times: { capturedAt: number; engineMs: number; upsampleMs: number; accepted: boolean }): void {
    const w = this.window;
    this.frames++;
    w.frames++;
    w.engine += times.engineMs;
    w.upsample += times.upsampleMs;
    if (!times.accepted) {
      this.droppedAtOutput++;
      return;
    }
    const latency = performance.now() - times.capturedAt;
    w.accepted++;
    w.latencySum += latency;
    w.latencyMax = Math.max(w.latencyMax, latency);
  }

  /** Counts since start. */
  totals(): { frames: number; droppedAtOutput: number } {
    return { frames: this.frames, droppedAtOutput: this.droppedAtOutput };
  }

  /** The figures since the last call (rates, times) and since start (counts); starts a new interval. */
  take(input: { dropped: number; restarts: number }): LiveStats {
    const w = this.window;
    const now = performance.now();
    const seconds = (now - w.since) / 1000;
    const stats: LiveStats = {
      fps: seconds > 0 ? w.frames / seconds : 0,
      frames: this.frames,
      droppedAtInput: input.dropped,
      droppedAtOutput: this.droppedAtOutput,
      latencyMs: w.accepted > 0 ? { mean: w.latencySum / w.accepted, max: w.latencyMax } : undefined,
      engineMs: w.frames > 0 ? w.engine / w.frames : undefined,
      upsampleMs: w.frames > 0 ? w.upsample / w.frames : undefined,
      inputRestarts: input.restarts,
    };
    this.window = { frames: 0, latencySum: 0, latencyMax: 0, accepted: 0, engine: 0, upsample: 0, since: now };
    return stats;
  }
}
