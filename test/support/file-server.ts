import * as http from 'http';
import type { AddressInfo } from 'net';

/** How one path is served. Ranges (`bytes=N-`) are honoured unless `ignoreRange`. */
export interface ServedFile {
  body: Buffer;
  /** answer every request with 200 and the whole body, as some servers and proxies do */
  ignoreRange?: boolean;
  /** send this many body bytes, then drop the connection; applies to the next request only */
  dropAfterBytes?: number;
  /** pause between 64 KiB chunks, to give a test time to cancel */
  chunkDelayMs?: number;
}

/** What the server saw and answered, one entry per request. */
export interface LoggedRequest {
  path: string;
  range?: string;
  status: number;
  /** body bytes written before the response ended or the connection was dropped */
  bytesSent: number;
}

const CHUNK = 64 * 1024;

/**
 * A real HTTP server on 127.0.0.1 (random port) for download tests: serves files with `Range` support,
 * redirects, 404s, and connections dropped halfway, and logs every request.
 */
export class FileServer {
  readonly requests: LoggedRequest[] = [];
  private readonly files = new Map<string, ServedFile>();
  private readonly redirects = new Map<string, { status: number; location: string }>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FileServer> {
    const server = http.createServer();
    const fs = new FileServer(server);
    server.on('request', (req, res) => void fs.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fs;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  serve(path: string, file: ServedFile): this {
    this.files.set(path, file);
    return this;
  }

  redirect(from: string, location: string, status = 302): this {
    this.redirects.set(from, { status, location });
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const range = req.headers.range;
    const log: LoggedRequest = { path, range, status: 0, bytesSent: 0 };
    this.requests.push(log);
    const answer = (status: number, headers: http.OutgoingHttpHeaders = {}) => {
      log.status = status;
      return res.writeHead(status, headers);
    };

    const redirect = this.redirects.get(path);
    if (redirect) return void answer(redirect.status, { location: redirect.location, 'content-length': 0 }).end();
    const file = this.files.get(path);
    if (!file) return void answer(404, { 'content-type': 'text/plain' }).end('not found');

    const size = file.body.length;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m && !file.ignoreRange) {
      start = Number(m[1]);
      if (start >= size) return void answer(416, { 'content-range': `bytes */${size}`, 'content-length': 0 }).end();
      answer(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start, 'accept-ranges': 'bytes' });
    } else {
      answer(200, { 'content-length': size, 'accept-ranges': file.ignoreRange ? 'none' : 'bytes' });
    }

    const drop = file.dropAfterBytes;
    file.dropAfterBytes = undefined;
    const end = drop === undefined ? size : Math.min(size, start + drop);
    for (let at = start; at < end; at += CHUNK) {
      const chunk = file.body.subarray(at, Math.min(end, at + CHUNK));
      if (res.destroyed) return;
      await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      log.bytesSent += chunk.length;
      if (file.chunkDelayMs) await new Promise((r) => setTimeout(r, file.chunkDelayMs));
    }
    if (drop === undefined) res.end();
    else res.destroy(); // the client sees the connection close before Content-Length bytes arrived
  }
}
