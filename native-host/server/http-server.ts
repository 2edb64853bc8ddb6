import * as http from 'http';
import { PROTOCOL_VERSION } from '../../bridge/protocol';
import type { HostLog } from './host-log';
import { isLoopbackAddress, isLoopbackHostHeader } from './request-guards';
import { findStaticFile } from './static-files';

export interface HttpServerOptions {
  version: string;
  /** folder of static pages (the OBS dock), served at `/` */
  staticDir: string;
  log: HostLog;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; img-src 'self' data:",
};

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** /health and /version may be read from any page (UXP's fetch wants CORS); they say nothing private. */
const json = (res: http.ServerResponse, value: unknown) =>
  send(res, 200, 'application/json', JSON.stringify(value), { 'Access-Control-Allow-Origin': '*' });

/**
 * The host's HTTP side: `GET /health` → `{ok: true, version}` (no token: panels probe it before pairing),
 * `GET /version` → `{version, protocol}`, static pages from `staticDir`, 404 for everything else. The
 * WebSocket upgrade at `/bridge` is handled by the bridge server.
 *
 * Connections from anything but loopback are closed as they arrive (the server may be bound elsewhere by
 * mistake), and requests naming a foreign Host (DNS rebinding) get 403.
 */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    handle(req, res, options).catch((e) => {
      const id = options.log.bug(e, `HTTP ${req.method} ${req.url}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error (log id ${id})\n`);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    if (!isLoopbackAddress(socket.remoteAddress)) {
      options.log.warn(`refused a connection from ${socket.remoteAddress ?? 'an unknown address'}: only this computer may connect`);
      socket.destroy();
    }
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  return server;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: HttpServerOptions): Promise<void> {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return void req.socket.destroy();
  if (!isLoopbackHostHeader(req.headers.host)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden: use http://127.0.0.1\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname === '/health') return json(res, { ok: true, version: options.version });
  if (pathname === '/version') return json(res, { version: options.version, protocol: PROTOCOL_VERSION });
  if (pathname === '/bridge') return send(res, 426, 'text/plain; charset=utf-8', 'the bridge is a WebSocket: connect with ws://\n', { Upgrade: 'websocket' });
  const file = await findStaticFile(options.staticDir, pathname);
  if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  send(res, 200, file.type, file.body);
}
