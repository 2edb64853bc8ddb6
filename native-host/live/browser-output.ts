import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HostError } from '../errors';
import type { LiveFrame, LiveOutput, LiveOutputState } from './live-output';

export interface BrowserLiveOutputOptions {
  /** the loopback port the page is served on (fixed, so an OBS browser source's URL keeps working); 0 or left out: a free one */
  port?: number;
}

/** What the page reports after drawing a frame; times are the page's `performance.now()` (see {@link PageClock}). */
export interface FrameDrawn {
  index: number;
  /** the page received the frame's message */
  receivedAt: number;
  /** putImageData returned */
  drawnAt: number;
  /** host `performance.now()` when the report arrived */
  ackedAt: number;
}

/** page clock − host clock in ms, from the ping with the shortest round trip (error ≤ half of it). */
export interface PageClock {
  offsetMs: number;
  roundTripMs: number;
}

/**
 * Wire format of one frame, host → page, one binary WebSocket message (in two fragments): a 16-byte
 * little-endian header (u32 index, u32 width, u32 height, u32 zero), then width·height·4 bytes of straight
 * RGBA, the bytes putImageData takes as they are. The page answers each drawn frame with a text message
 * `{"type":"drawn",index,receivedAt,drawnAt}`, and each `{"type":"ping",t}` with `{"type":"pong",t,now}`.
 */
export const FRAME_HEADER_BYTES = 16;
const PINGS = 5;

interface PageConnection {
  socket: WebSocket;
  /** a frame was sent and its "drawn" has not come back: the next frames are dropped, not queued */
  busy: boolean;
  clock?: PageClock;
}

/** Where the page's files are, from the sources (ts-node, jest) and from dist/ alike. */
function pageFolder(): string {
  const here = path.join(__dirname, 'browser-source');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '../../..');
  return path.join(root, path.relative(path.join(root, 'dist'), __dirname), 'browser-source');
}

/**
 * A {@link LiveOutput} into a web page, for an OBS Browser Source (which keeps alpha): a small HTTP server on
 * 127.0.0.1 serves the page, and each frame goes to it over a WebSocket as straight RGBA, drawn with
 * putImageData on a canvas over a transparent page as soon as it arrives.
 *
 * Invariant: at most one frame is on its way to each page. A page that has not yet reported the previous
 * frame drawn gets no new one (newest only: send returns false when no page took the frame), so a slow or
 * paused page drops frames instead of building up latency. Pages that reload or come back after the host
 * restarted reconnect by themselves.
 *
 * @example
 * const out = await BrowserLiveOutput.open({ port: 4460 });
 * // OBS: Browser Source, URL out.url, width/height of the frames
 * out.send(frame); // false: dropped
 */
export class BrowserLiveOutput implements LiveOutput {
  private readonly pages = new Set<PageConnection>();
  private readonly stateListeners: ((s: LiveOutputState) => void)[] = [];
  private readonly drawnListeners: ((d: FrameDrawn) => void)[] = [];
  private current: LiveOutputState = { state: 'connecting' };
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    private readonly sockets: WebSocketServer,
    /** the page's address, for the browser source's URL */
    readonly url: string,
  ) {}

  /**
   * Serves the page and waits for pages to connect (state `connecting` until the first one does).
   * @throws HostError INVALID_ARGUMENT for a bad port or one already taken
   */
  static async open(options: BrowserLiveOutputOptions = {}): Promise<BrowserLiveOutput> {
    const port = options.port ?? 0;
    if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new HostError('INVALID_ARGUMENT', `The browser source port ${port} is not a TCP port (1–65535, or 0 for a free one).`);
    const folder = pageFolder();
    const files = new Map<string, { body: Buffer; type: string }>([
      ['/', { body: fs.readFileSync(path.join(folder, 'index.html')), type: 'text/html; charset=utf-8' }],
      ['/index.js', { body: fs.readFileSync(path.join(folder, 'index.js')), type: 'text/javascript; charset=utf-8' }],
      ['/index.css', { body: fs.readFileSync(path.join(folder, 'index.css')), type: 'text/css; charset=utf-8' }],
    ]);
    let origins: string[] = [];
    const server = http.createServer((req, res) => {
      const file = files.get(req.url === '/index.html' ? '/' : (req.url ?? ''));
      // A page from another site that resolves its name to 127.0.0.1 (DNS rebinding) sends its own Host.
      if (!origins.some((o) => o === `http://${req.headers.host}`)) {
        res.writeHead(403).end('forbidden');
      } else if (req.method !== 'GET' || !file) {
        res.writeHead(404).end('not found');
      } else {
        res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*" }).end(file.body);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new HostError('INVALID_ARGUMENT', `Port ${port} is already in use on 127.0.0.1: choose another port for the browser source.`) : e),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    origins = [`http://127.0.0.1:${bound}`, `http://localhost:${bound}`];
    // Attached once listening (it would re-emit a failed listen as its own unhandled error).
    // Frames are the camera's picture: only our own page (or a local non-browser client) may read them.
    const sockets = new WebSocketServer({ server, path: '/frames', perMessageDeflate: false, verifyClient: (info: { origin?: string }) => !info.origin || origins.includes(info.origin) });
    const output = new BrowserLiveOutput(server, sockets, `http://127.0.0.1:${bound}/`);
    sockets.on('connection', (socket) => output.accept(socket));
    return output;
  }

  get state(): LiveOutputState {
    return this.current;
  }

  /** pages connected now */
  get pageCount(): number {
    return this.pages.size;
  }

  /** The clock offset of each connected page that has answered its pings. */
  get pageClocks(): PageClock[] {
    return [...this.pages].flatMap((p) => (p.clock ? [p.clock] : []));
  }

  /** @remarks the pixels are written from `frame.rgba` itself, later: do not reuse that buffer. */
  send(frame: LiveFrame): boolean {
    const bytes = frame.width * frame.height * 4;
    if (frame.rgba.byteLength !== bytes) throw new Error(`RGBA frame of ${frame.width}x${frame.height} has ${frame.rgba.byteLength} bytes, expected ${bytes}`);
    // The header and the pixels go as two fragments of one message: the pixels are not copied into a new buffer.
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32LE(frame.index >>> 0, 0);
    header.writeUInt32LE(frame.width, 4);
    header.writeUInt32LE(frame.height, 8);
    const pixels = Buffer.from(frame.rgba.buffer, frame.rgba.byteOffset, bytes);
    let taken = false;
    for (const page of this.pages) {
      if (page.busy || page.socket.readyState !== page.socket.OPEN || page.socket.bufferedAmount > 0) continue;
      page.busy = true;
      page.socket.send(header, { binary: true, fin: false });
      page.socket.send(pixels, { binary: true, fin: true });
      taken = true;
    }
    return taken;
  }

  /** Calls `listener` with the current state now, then on every change. */
  onState(listener: (s: LiveOutputState) => void): void {
    this.stateListeners.push(listener);
    listener(this.current);
  }

  /** Each frame a page reports drawn (for benches and diagnostics). */
  onDrawn(listener: (d: FrameDrawn) => void): void {
    this.drawnListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const page of this.pages) page.socket.terminate();
    this.pages.clear();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const page: PageConnection = { socket, busy: false };
    this.pages.add(page);
    this.setState({ state: 'ready' });
    let pings = 0;
    const ping = () => socket.readyState === socket.OPEN && socket.send(JSON.stringify({ type: 'ping', t: performance.now() }));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const now = performance.now();
      let m: { type?: unknown; index?: unknown; receivedAt?: unknown; drawnAt?: unknown; t?: unknown; now?: unknown };
      try {
        m = JSON.parse(data.toString());
      } catch {
        return; // not ours: ignored, as the page ignores what it does not know
      }
      if (m.type === 'drawn' && typeof m.index === 'number' && typeof m.receivedAt === 'number' && typeof m.drawnAt === 'number') {
        page.busy = false;
        const drawn: FrameDrawn = { index: m.index, receivedAt: m.receivedAt, drawnAt: m.drawnAt, ackedAt: now };
        for (const l of this.drawnListeners) l(drawn);
      } else if (m.type === 'pong' && typeof m.t === 'number' && typeof m.now === 'number') {
        const roundTripMs = now - m.t;
        if (!page.clock || roundTripMs < page.clock.roundTripMs) page.clock = { offsetMs: m.now - (m.t + now) / 2, roundTripMs };
        if (++pings < PINGS) ping();
      }
    });
    socket.on('error', () => undefined); // the close that follows is what matters
    socket.on('close', () => {
      this.pages.delete(page);
      if (!this.closed && this.pages.size === 0) this.setState({ state: 'reconnecting', reason: 'no browser source page is connected' });
    });
    ping();
  }

  private setState(s: LiveOutputState): void {
    if (s.state === this.current.state) return;
    this.current = s;
    for (const l of this.stateListeners) l(s);
  }
}
