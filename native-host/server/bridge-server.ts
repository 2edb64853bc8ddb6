import type * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { WebSocketServer } from 'ws';
import { DEFAULT_PORT } from '../../bridge/protocol';
import { HostError } from '../errors';
import type { JobService } from '../jobs/job-service';
import { createStillService, type StillService } from '../still/still-service';
import { BridgeConnection, ConnectionLimits, ConnectionStats, DEFAULT_LIMITS } from './bridge-connection';
import { hostVersion, projectRoot } from './host-config';
import { HostLog, streamLog } from './host-log';
import { createHttpServer } from './http-server';
import { JobFrameRenderer, renderJobFrame } from './job-frame';
import type { LiveRunner } from './live-runner';
import { createLiveRunner, LIVE_EVENT_KEY } from './live-runner-impl';
import type { PathPolicy } from './path-policy';
import { PreviewRenderer, renderPreview } from './preview';
import { isAllowedOrigin, isLoopbackAddress, isLoopbackHostHeader } from './request-guards';
import { createRequestRouter } from './request-router';

export interface BridgeServerOptions {
  jobs: JobService;
  /** refineStill; default: one on the CPU-or-GPU `auto` providers, created and closed by the server */
  stills?: StillService;
  /** the live session (startLive…); default: one on the `auto` providers, created and closed by the server */
  live?: LiveRunner;
  /** the allowed roots: every path a client sends is checked here */
  paths: PathPolicy;
  /** the pairing token hello must carry */
  token: string;
  /** address to bind (default 127.0.0.1); non-loopback peers are refused whatever it is */
  host?: string;
  /** default 47860; 0 picks a free port */
  port?: number;
  version?: string;
  /** static pages (default native-host/server/static in the project) */
  staticDir?: string;
  log?: HostLog;
  limits?: Partial<ConnectionLimits>;
  /** how getPreview decodes a frame (default: ffmpeg / sharp) */
  preview?: PreviewRenderer;
  /** how getJobFrame draws a job's frame (default: decoded as getPreview, the matte over it) */
  jobFrame?: JobFrameRenderer;
  /** the model for requests that name none (a folder, checkpoint or registry name; `serve --model`) */
  defaultModel?: string;
  /** seconds between pings; a client that misses one pong is dropped (default 30) */
  heartbeatSeconds?: number;
}

/** A running host. */
export interface BridgeServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/bridge` */
  readonly bridgeUrl: string;
  connections(): ConnectionStats[];
  /** Closes every connection (1001) and stops listening; the JobService (and a given StillService or LiveRunner) stay the caller's to close. */
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 256;

function refuseUpgrade(socket: import('stream').Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * Starts the host: HTTP (health, version, static pages) and the bridge WebSocket at `/bridge`, on
 * 127.0.0.1. Job events go to the open connections of the job's owner.
 *
 * @throws HostError INVALID_ARGUMENT when the port is taken
 * @example
 * ```ts
 * const server = await startBridgeServer({ jobs, paths: policy, token });
 * console.log(`listening on ${server.url}`);
 * process.on('SIGTERM', () => server.close().then(() => jobs.close()));
 * ```
 */
export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const log = options.log ?? streamLog();
  const version = options.version ?? hostVersion();
  const limits: ConnectionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const ownStills = options.stills ? undefined : createStillService();
  const stills = options.stills ?? ownStills!;
  const ownLive = options.live ? undefined : createLiveRunner({ log, defaultModel: options.defaultModel });
  const live = options.live ?? ownLive!;
  const route = createRequestRouter({ jobs: options.jobs, stills, live, paths: options.paths, preview: options.preview ?? renderPreview, jobFrame: options.jobFrame ?? renderJobFrame, defaultModel: options.defaultModel });
  const byClient = new Map<string, Set<BridgeConnection>>();
  const all = new Set<BridgeConnection>();

  const httpServer = createHttpServer({ version, staticDir: options.staticDir ?? path.join(projectRoot(), 'native-host', 'server', 'static'), log });
  // UXP's WebSocket has no extensions; skipping UTF-8 validation keeps a connection that sends a bad text
  // frame open, so it is answered BAD_MESSAGE (the text is decoded with replacement characters).
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false, skipUTF8Validation: true });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new HostError('INVALID_ARGUMENT', `port ${options.port ?? DEFAULT_PORT} is in use (another \`matanyone serve\`?); stop it, or use --port N and list that port in the panels' manifests`)
          : e,
      ),
    );
    httpServer.listen(options.port ?? DEFAULT_PORT, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  // Panels hold one connection each; a local program opening thousands would exhaust file descriptors.
  httpServer.maxConnections = MAX_CONNECTIONS;
  httpServer.on('error', (e) => log.bug(e, 'HTTP server'));

  httpServer.on('upgrade', (req: http.IncomingMessage, socket, head) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (!isLoopbackAddress(req.socket.remoteAddress)) return refuseUpgrade(socket, '403 Forbidden');
    if ((req.url ?? '').split('?')[0] !== '/bridge') return refuseUpgrade(socket, '404 Not Found');
    if (!isLoopbackHostHeader(req.headers.host) || !isAllowedOrigin(origin, port)) {
      log.warn(`refused a WebSocket from origin ${origin ?? '(none)'}, host ${req.headers.host ?? '(none)'}: only panels and this host's pages may connect`);
      return refuseUpgrade(socket, '403 Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new BridgeConnection(ws, {
        token: options.token,
        hostVersion: version,
        limits,
        log,
        route,
        identified: (c) => {
          const set = byClient.get(c.clientId!) ?? new Set();
          set.add(c);
          byClient.set(c.clientId!, set);
        },
      });
      all.add(connection);
      ws.on('close', () => {
        all.delete(connection);
        const set = connection.clientId ? byClient.get(connection.clientId) : undefined;
        set?.delete(connection);
        if (set?.size === 0) byClient.delete(connection.clientId!);
      });
    });
  });

  // Events come from the jobs layer's loop: routing them must neither throw into it nor wait for a client.
  const unsubscribe = options.jobs.subscribe((clientId, event, data) => {
    try {
      const connections = byClient.get(clientId);
      // Every job event names its job; liveStatus (no jobId) comes from the live runner, below.
      if (!connections || !('jobId' in data)) return;
      const text = JSON.stringify({ type: 'event', event, data });
      for (const c of connections) c.sendEvent(event, data.jobId, text);
    } catch (e) {
      log.bug(e, `routing ${event} to ${clientId}`);
    }
  });

  // The live session is the host's, not one panel's: every paired connection follows its status (the dock
  // in OBS and a panel or a browser tab may drive it together).
  const unsubscribeLive = live.onStatus((status) => {
    try {
      const text = JSON.stringify({ type: 'event', event: 'liveStatus', data: status });
      for (const c of all) if (c.clientId) c.sendEvent('liveStatus', LIVE_EVENT_KEY, text);
    } catch (e) {
      log.bug(e, 'routing liveStatus');
    }
  });

  // A client that vanished without closing (sleep, crash) misses its pong and is dropped.
  const heartbeat = setInterval(() => {
    for (const c of all) {
      if (!c.alive) c.socket.terminate();
      else {
        c.alive = false;
        c.socket.ping(undefined, undefined, () => undefined);
      }
    }
  }, (options.heartbeatSeconds ?? 30) * 1000).unref();

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    bridgeUrl: `ws://127.0.0.1:${port}/bridge`,
    connections: () => [...all].map((c) => c.stats()),
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeLive();
      for (const c of all) c.socket.close(1001, 'host shutting down');
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      wss.close();
      // Sockets that do not finish the closing handshake in time are cut.
      const cut = setTimeout(() => {
        for (const c of all) c.socket.terminate();
        httpServer.closeAllConnections();
      }, 2000).unref();
      httpServer.closeIdleConnections();
      await closed;
      clearTimeout(cut);
      await Promise.all([ownStills?.close(), ownLive?.close()]);
    },
  };
}
