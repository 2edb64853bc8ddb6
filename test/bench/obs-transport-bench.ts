/**
 * Latency of the OBS transport: from `ObsLiveOutput.send()` to the frame being what
 * `GetSourceScreenshot` shows, with a real OBS under Xvfb. Each frame carries its index as a barcode
 * (16 opaque black/white stripes); a screenshot's barcode names the frame it shows. The screenshot
 * renders the source when OBS handles the request, so the age lies between the request's start (lower
 * bound) and its answer (upper bound). Printed, never asserted.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/test/bench/obs-transport-bench.js [seconds] [screenshotEveryMs] [sendFps]`
 */
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { ObsHarness } from '../support/obs-harness';
import { BITS, barcodeFrame, readBarcode, stats, type Stats } from './barcode';

export type { Stats } from './barcode';

export interface TransportLatency {
  width: number;
  height: number;
  fps: number;
  /** screenshots that showed a frame we sent */
  samples: number;
  /** ms from send() to the screenshot request (lower bound) and to its answer (upper bound) */
  lower: Stats;
  upper: Stats;
  framesSent: number;
  framesDropped: number;
}

/**
 * Starts its own OBS (640x360 canvas), streams barcode frames through ObsLiveOutput for `seconds` and
 * screenshots the source every `screenshotEveryMs` (a screenshot loop as fast as OBS answers loads OBS and
 * adds its own latency).
 */
export async function measureTransportLatency(options: { width?: number; height?: number; fps?: number; seconds?: number; screenshotEveryMs?: number; sendFps?: number } = {}): Promise<TransportLatency> {
  const { width = 640, height = 360, fps = 30, seconds = 8, screenshotEveryMs = 100 } = options;
  // a live session slower than the rate it declares (matting on a CPU) sends fewer frames than `fps`
  const sendFps = options.sendFps ?? fps;
  const obs = await ObsHarness.start({ width: 640, height: 360 });
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Latency', width, height, fps });
  const sentAt = new Map<number, number>();
  let index = 0;
  let dropped = 0;
  const timer = setInterval(() => {
    const i = index++ % (1 << BITS);
    const rgba = barcodeFrame(i, width, height);
    if (output.send({ index: i, width, height, rgba, capturedAt: performance.now() })) sentAt.set(i, performance.now());
    else dropped++;
  }, 1000 / sendFps);
  const lower: number[] = [];
  const upper: number[] = [];
  try {
    await obs.until(async () => (readBarcode((await obs.screenshot('Latency', width, height)).rgba, width, height) !== undefined ? true : undefined), 20000);
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, screenshotEveryMs));
      const asked = performance.now();
      const shot = await obs.screenshot('Latency', width, height);
      const answered = performance.now();
      const shown = readBarcode(shot.rgba, width, height);
      const sent = shown === undefined ? undefined : sentAt.get(shown);
      if (sent === undefined) continue;
      lower.push(asked - sent);
      upper.push(answered - sent);
    }
  } finally {
    clearInterval(timer);
    await output.close();
    await obs.stop();
  }
  return { width, height, fps, samples: lower.length, lower: stats(lower), upper: stats(upper), framesSent: sentAt.size, framesDropped: dropped };
}

if (require.main === module) {
  const round = (s: Stats) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v)]));
  measureTransportLatency({ seconds: Number(process.argv[2] ?? 8), screenshotEveryMs: Number(process.argv[3] ?? 100), sendFps: process.argv[4] ? Number(process.argv[4]) : undefined }).then(
    (r) => console.log(`OBS transport ${r.width}x${r.height}@${r.fps}: ${r.samples} screenshots; send→visible lower ${JSON.stringify(round(r.lower))} ms, upper ${JSON.stringify(round(r.upper))} ms; frames sent ${r.framesSent}, dropped ${r.framesDropped}`),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
