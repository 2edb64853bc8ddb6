/**
 * Latency of the browser-source transport: from `BrowserLiveOutput.send()` to the frame being what the page
 * shows, in Debian's headless Chromium (the engine, CEF, that OBS's Browser Source embeds; OBS's own
 * compositing of the page into its scene is not measured: Debian's OBS has no browser source). Same barcode
 * method as obs-transport-bench.ts: a screenshot (CDP Page.captureScreenshot, transparent background, one
 * row across the barcode) names the frame it shows; its age lies between the request's start (lower bound)
 * and its answer (upper bound). The page's own reports split that into transport (send → message received,
 * through the page's clock offset) and drawing (received → putImageData done).
 *
 * Then, with no screenshots, the CPU time per frame of Node + Chromium (`--cpu`: and of Node + OBS + ffmpeg
 * for the Media Source path), and a frame of every alpha 0…255 read back from a full screenshot.
 * Printed, never asserted.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/test/bench/browser-transport-bench.js [seconds] [screenshotEveryMs] [--cpu]`
 */
import * as fs from 'fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import sharp from 'sharp';
import { BrowserLiveOutput, type FrameDrawn, type PageClock } from '../../native-host/live/browser-output';
import type { LiveOutput } from '../../native-host/live/live-output';
import { ObsLiveOutput } from '../../native-host/obs/obs-live-output';
import { ObsHarness } from '../support/obs-harness';
import { CHROMIUM } from '../support/panel-page';
import { BITS, barcodeFrame, readBarcode, rounded, stats, type Stats } from './barcode';
import type { TransportLatency } from './obs-transport-bench';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The Media Source bench's figures, plus the page's own split of the time. */
export interface BrowserTransportLatency extends TransportLatency {
  /** send() → the page received the message (page clock, offset applied) */
  transport: Stats;
  /** message received → putImageData returned */
  draw: Stats;
  /** send() → the page's "drawn" back at the host */
  ack: Stats;
  clockErrorMs: number;
  /** screenshots showing an older frame than one the page had already reported drawn before the request */
  staleScreenshots: number;
}

/** A headless Chromium page of `width`x`height` showing the output's page, its background transparent. */
export async function openSourcePage(url: string, width: number, height: number): Promise<{ browser: Browser; page: Page; cdp: CDPSession }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width, height } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDefaultBackgroundColorOverride', { color: { r: 0, g: 0, b: 0, a: 0 } });
  await page.goto(url);
  return { browser, page, cdp };
}

/** A screenshot of the page's rectangle as straight RGBA (Chromium un-premultiplies it into the PNG). */
export async function screenshotRgba(cdp: CDPSession, clip: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
  const { data } = await cdp.send('Page.captureScreenshot', { format: 'png', clip: { ...clip, scale: 1 }, captureBeyondViewport: false });
  return sharp(Buffer.from(data, 'base64')).ensureAlpha().raw().toBuffer();
}

function streamBarcodes(output: LiveOutput, width: number, height: number, fps: number) {
  const sentAt = new Map<number, number>();
  let index = 0;
  let dropped = 0;
  const timer = setInterval(() => {
    const i = index++ % (1 << BITS);
    const rgba = barcodeFrame(i, width, height);
    const t = performance.now();
    if (output.send({ index: i, width, height, rgba, capturedAt: t })) sentAt.set(i, t);
    else dropped++;
  }, 1000 / fps);
  return { sentAt, dropped: () => dropped, stop: () => clearInterval(timer) };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function measureBrowserTransport(options: { width: number; height: number; fps?: number; seconds?: number; screenshotEveryMs?: number }): Promise<BrowserTransportLatency> {
  const { width, height, fps = 30, seconds = 8, screenshotEveryMs = 100 } = options;
  const output = await BrowserLiveOutput.open();
  const drawn: FrameDrawn[] = [];
  let newestDrawn = -1;
  output.onDrawn((d) => {
    drawn.push(d);
    newestDrawn = Math.max(newestDrawn, d.index);
  });
  const { browser, cdp } = await openSourcePage(output.url, width, height);
  const stream = streamBarcodes(output, width, height, fps);
  const row = { x: 0, y: Math.floor(height / 4), width, height: 1 };
  const lower: number[] = [];
  const upper: number[] = [];
  let clock: PageClock | undefined;
  let stale = 0;
  try {
    await until(async () => readBarcode(await screenshotRgba(cdp, row), width, 1, 0) !== undefined, 20000, 'the first frame on the page');
    drawn.length = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, screenshotEveryMs));
      const asked = performance.now();
      const drawnBeforeAsked = newestDrawn;
      const shot = await screenshotRgba(cdp, row);
      const answered = performance.now();
      const shown = readBarcode(shot, width, 1, 0);
      const sent = shown === undefined ? undefined : stream.sentAt.get(shown);
      if (sent === undefined) continue;
      if (shown! < drawnBeforeAsked) stale++;
      lower.push(asked - sent);
      upper.push(answered - sent);
    }
    clock = output.pageClocks[0];
  } finally {
    stream.stop();
    await browser.close();
    await output.close();
  }
  if (!clock) throw new Error('the page never answered the clock pings');
  const reports = drawn.filter((d) => stream.sentAt.has(d.index));
  const sent = (d: FrameDrawn) => stream.sentAt.get(d.index)!;
  return {
    width,
    height,
    fps,
    samples: lower.length,
    lower: stats(lower),
    upper: stats(upper),
    transport: stats(reports.map((d) => d.receivedAt - clock!.offsetMs - sent(d))),
    draw: stats(reports.map((d) => d.drawnAt - d.receivedAt)),
    ack: stats(reports.map((d) => d.ackedAt - sent(d))),
    clockErrorMs: clock.roundTripMs / 2,
    staleScreenshots: stale,
    framesSent: stream.sentAt.size,
    framesDropped: stream.dropped(),
  };
}

/** CPU seconds (user + system) of this process and all its descendants so far, from /proc. */
function treeCpuSeconds(): number {
  const tick = 100; // USER_HZ on Linux
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      cpu.set(Number(name), (Number(fields[11]) + Number(fields[12])) / tick);
    } catch {
      // the process ended while we listed
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

export interface CpuCost {
  /** CPU ms per frame sent, everything in the process tree */
  msPerFrame: number;
  /** the same less what the tree costs while idle (receiver up, no frames) */
  extraMsPerFrame: number;
  sent: number;
  dropped: number;
}

/** Idles `seconds`, then streams barcodes for `seconds` with nothing watching but the receiver. */
async function cpuPerFrame(output: LiveOutput, width: number, height: number, fps: number, seconds: number): Promise<CpuCost> {
  const idleBefore = treeCpuSeconds();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const idle = treeCpuSeconds() - idleBefore;
  const before = treeCpuSeconds();
  const stream = streamBarcodes(output, width, height, fps);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stream.stop();
  const used = treeCpuSeconds() - before;
  const sent = Math.max(1, stream.sentAt.size);
  return { msPerFrame: (used * 1000) / sent, extraMsPerFrame: ((used - idle) * 1000) / sent, sent: stream.sentAt.size, dropped: stream.dropped() };
}

export async function browserCpu(width: number, height: number, fps: number, seconds: number) {
  const output = await BrowserLiveOutput.open();
  const { browser } = await openSourcePage(output.url, width, height);
  try {
    await until(async () => output.pageCount > 0, 20000, 'the page connecting');
    await new Promise((r) => setTimeout(r, 1000)); // let the page settle
    return await cpuPerFrame(output, width, height, fps, seconds);
  } finally {
    await browser.close();
    await output.close();
  }
}

export async function obsCpu(width: number, height: number, fps: number, seconds: number) {
  const obs = await ObsHarness.start({ width: 640, height: 360 });
  const output = await ObsLiveOutput.open({ url: obs.url, password: obs.password, sourceName: 'Cpu', width, height, fps });
  try {
    await until(async () => output.state.state === 'ready', 20000, 'OBS ready');
    await new Promise((r) => setTimeout(r, 1000));
    return await cpuPerFrame(output, width, height, fps, seconds);
  } finally {
    await output.close();
    await obs.stop();
  }
}

/**
 * Sends one frame holding every alpha 0…255 (a column each, scaled to the width) in two colours, and reads
 * the page back: the largest alpha difference, and the largest colour difference per alpha range.
 */
export async function alphaReadback(width: number, height: number): Promise<{ maxAlphaError: number; maxColorError: { alpha: string; error: number }[] }> {
  const colors = [
    [200, 100, 50],
    [17, 230, 129],
  ];
  const rgba = new Uint8Array(width * height * 4);
  const alphaAt = (x: number) => Math.round((x * 255) / (width - 1));
  for (let y = 0; y < height; y++) {
    const c = colors[y < height / 2 ? 0 : 1];
    for (let x = 0; x < width; x++) rgba.set([c[0], c[1], c[2], alphaAt(x)], (y * width + x) * 4);
  }
  const output = await BrowserLiveOutput.open();
  let drawnCount = 0;
  output.onDrawn(() => drawnCount++);
  const { browser, cdp } = await openSourcePage(output.url, width, height);
  try {
    await until(async () => output.send({ index: 0, width, height, rgba, capturedAt: performance.now() }) || drawnCount > 0, 20000, 'sending the alpha frame');
    await until(async () => drawnCount > 0, 20000, 'the alpha frame drawn');
    const shot = await screenshotRgba(cdp, { x: 0, y: 0, width, height });
    let maxAlphaError = 0;
    const bands = [
      { alpha: '1–15', lo: 1, hi: 15, error: 0 },
      { alpha: '16–63', lo: 16, hi: 63, error: 0 },
      { alpha: '64–127', lo: 64, hi: 127, error: 0 },
      { alpha: '128–254', lo: 128, hi: 254, error: 0 },
      { alpha: '255', lo: 255, hi: 255, error: 0 },
    ];
    for (let i = 0; i < rgba.length; i += 4) {
      const a = rgba[i + 3];
      maxAlphaError = Math.max(maxAlphaError, Math.abs(shot[i + 3] - a));
      const band = bands.find((b) => a >= b.lo && a <= b.hi);
      if (band) for (let k = 0; k < 3; k++) band.error = Math.max(band.error, Math.abs(shot[i + k] - rgba[i + k]));
    }
    return { maxAlphaError, maxColorError: bands.map(({ alpha, error }) => ({ alpha, error })) };
  } finally {
    await browser.close();
    await output.close();
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const screenshotEveryMs = Number(process.argv[3] ?? 100);
  const withObsCpu = process.argv.includes('--cpu');
  for (const [width, height] of [
    [640, 360],
    [1280, 720],
  ]) {
    const r = await measureBrowserTransport({ width, height, seconds, screenshotEveryMs });
    console.log(
      `Browser transport ${r.width}x${r.height}@${r.fps}: ${r.samples} screenshots; send→visible lower ${JSON.stringify(rounded(r.lower))} ms, upper ${JSON.stringify(rounded(r.upper))} ms; ` +
        `send→received ${JSON.stringify(rounded(r.transport))} ms (clock ±${r.clockErrorMs.toFixed(2)}), received→drawn ${JSON.stringify(rounded(r.draw))} ms, send→ack ${JSON.stringify(rounded(r.ack))} ms; ${r.staleScreenshots} screenshots older than a frame drawn before they were asked for; frames sent ${r.framesSent}, dropped ${r.framesDropped}`,
    );
    const alpha = await alphaReadback(width, height);
    console.log(`  alpha readback ${width}x${height}: max alpha error ${alpha.maxAlphaError}; max RGB error by alpha ${alpha.maxColorError.map((b) => `${b.alpha}: ${b.error}`).join(', ')}`);
    const cpu = await browserCpu(width, height, 30, seconds);
    console.log(`  CPU (Node + Chromium, no screenshots) ${width}x${height}@30: ${cpu.msPerFrame.toFixed(1)} ms per frame sent, ${cpu.extraMsPerFrame.toFixed(1)} above idle (${cpu.sent} sent, ${cpu.dropped} dropped)`);
    if (withObsCpu) {
      const o = await obsCpu(width, height, 30, seconds);
      console.log(`  CPU (Node + OBS + Xvfb + ffmpeg, no screenshots) ${width}x${height}@30: ${o.msPerFrame.toFixed(1)} ms per frame sent, ${o.extraMsPerFrame.toFixed(1)} above idle (${o.sent} sent, ${o.dropped} dropped)`);
    }
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
