import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import { BridgeClient, WebSocketLike } from '../../bridge/client';
import type { CorrectMaskParams, JobInfo, SubmitMatteParams } from '../../bridge/jobs';
import { EventData, EventName, PROTOCOL_VERSION, ResponseMessage } from '../../bridge/protocol';
import type { JobEventListener, JobFrameSource, JobService } from '../../native-host/jobs/job-service';
import { HostError } from '../../native-host/errors';
import type { ConnectionLimits } from '../../native-host/server/bridge-connection';
import { BridgeServer, startBridgeServer } from '../../native-host/server/bridge-server';
import { loadOrCreateToken } from '../../native-host/server/host-config';
import type { HostLog } from '../../native-host/server/host-log';
import { PathPolicy } from '../../native-host/server/path-policy';
import type { LiveRunner } from '../../native-host/server/live-runner';
import type { PreviewRenderer } from '../../native-host/server/preview';

/** A log that keeps its lines (tests assert on them instead of printing). */
export function memoryLog(): HostLog & { lines: string[]; bugs: string[] } {
  const lines: string[] = [];
  const bugs: string[] = [];
  return {
    lines,
    bugs,
    info: (m) => void lines.push(`info: ${m}`),
    warn: (m) => void lines.push(`warn: ${m}`),
    bug(e, context) {
      const id = `bug${bugs.length}`;
      bugs.push(`[${id}] ${context}: ${(e as Error)?.stack ?? String(e)}`);
      return id;
    },
  };
}

/**
 * A JobService that runs no engine: a submitted job is queued, then "runs" on timers, emitting the events
 * the real one emits (queued, started, `frames` progress events, finished). Calls are recorded, so tests
 * see exactly which (checked) parameters reached the jobs layer. `emit` sends any event, for load tests.
 */
export class FakeJobService implements JobService {
  readonly submitted: { clientId: string; params: SubmitMatteParams }[] = [];
  readonly corrected: { clientId: string; params: CorrectMaskParams }[] = [];
  private readonly listeners = new Set<JobEventListener>();
  private readonly jobs = new Map<string, { owner: string; info: JobInfo }>();
  private next = 1;
  closed = false;

  constructor(private readonly options: { frames?: number; frameMs?: number } = {}) {}

  emit<E extends EventName>(clientId: string, event: E, data: EventData<E>): void {
    for (const l of this.listeners) l(clientId, event, data);
  }

  async submit(clientId: string, params: SubmitMatteParams): Promise<{ jobId: string; position: number }> {
    this.submitted.push({ clientId, params });
    const jobId = `job${this.next++}`;
    const info: JobInfo = { jobId, state: 'queued', media: params.media, createdAt: new Date().toISOString(), range: { from: params.range?.from ?? 0 }, version: 1 };
    this.jobs.set(jobId, { owner: clientId, info });
    setImmediate(() => this.run(clientId, info));
    return { jobId, position: 0 };
  }

  private async run(clientId: string, info: JobInfo): Promise<void> {
    const { jobId } = info;
    const frames = this.options.frames ?? 3;
    this.emit(clientId, 'jobQueued', { jobId, position: 0 });
    info.state = 'running';
    this.emit(clientId, 'jobStarted', { jobId });
    for (let frame = 1; frame <= frames; frame++) {
      await new Promise((r) => setTimeout(r, this.options.frameMs ?? 1));
      if ((info.state as JobInfo['state']) === 'cancelled') return;
      info.progress = { jobId, phase: 'matte', frame, total: frames, fps: 25 };
      this.emit(clientId, 'jobProgress', info.progress);
    }
    info.state = 'finished';
    info.outputs = [{ target: 'mask', kind: 'prores4444', path: path.join(os.tmpdir(), `${jobId}.mov`) }];
    this.emit(clientId, 'jobFinished', { jobId, outputs: info.outputs });
  }

  private own(clientId: string, jobId: string): JobInfo {
    const job = this.jobs.get(jobId);
    if (!job || job.owner !== clientId) throw new HostError('JOB_NOT_FOUND', `no job ${jobId}`);
    return job.info;
  }

  async cancel(clientId: string, jobId: string): Promise<{ state: string }> {
    const info = this.own(clientId, jobId);
    if (info.state === 'queued' || info.state === 'running') {
      info.state = 'cancelled';
      this.emit(clientId, 'jobCancelled', { jobId });
    }
    return { state: info.state };
  }

  async correct(clientId: string, params: CorrectMaskParams): Promise<{ jobId: string; fromFrame: number }> {
    this.own(clientId, params.jobId);
    this.corrected.push({ clientId, params });
    return { jobId: params.jobId, fromFrame: params.frame };
  }

  get(clientId: string, jobId: string): JobInfo {
    return this.own(clientId, jobId);
  }

  /** The job's media, never a matte (no engine runs here). */
  async frame(clientId: string, params: { jobId: string }): Promise<JobFrameSource> {
    return { media: this.own(clientId, params.jobId).media };
  }

  list(clientId: string): JobInfo[] {
    return [...this.jobs.values()].filter((j) => j.owner === clientId).map((j) => j.info);
  }

  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A server on 127.0.0.1 (free port) with a fresh config folder and token, for one test file. */
export interface TestHost {
  server: BridgeServer;
  jobs: JobService;
  token: string;
  tokenFile: string;
  configDir: string;
  log: ReturnType<typeof memoryLog>;
  /** Connects the real BridgeClient over the `ws` package and says hello. */
  client(options?: { name?: string; instance?: string; token?: string }): Promise<BridgeClient>;
  close(): Promise<void>;
}

export async function startTestHost(
  options: { roots?: string[]; jobs?: JobService; limits?: Partial<ConnectionLimits>; host?: string; preview?: PreviewRenderer; heartbeatSeconds?: number; staticDir?: string; live?: LiveRunner } = {},
): Promise<TestHost> {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-config-'));
  const { token, file } = loadOrCreateToken(configDir);
  const { policy } = await PathPolicy.create(options.roots ?? []);
  const jobs = options.jobs ?? new FakeJobService();
  const log = memoryLog();
  const server = await startBridgeServer({ jobs, paths: policy, token, port: 0, host: options.host, log, limits: options.limits, preview: options.preview, heartbeatSeconds: options.heartbeatSeconds, staticDir: options.staticDir, live: options.live });
  return {
    server,
    jobs,
    token,
    tokenFile: file,
    configDir,
    log,
    client: (o = {}) =>
      BridgeClient.connect(server.bridgeUrl, {
        token: o.token ?? token,
        client: { name: o.name ?? 'test-panel', ...(o.instance ? { instance: o.instance } : {}) },
        WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike,
        timeoutMs: 10_000,
      }),
    async close() {
      await server.close();
      fs.rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * A plain `ws` client that counts what it sends and what comes back, for tests that send what the typed
 * client cannot (bad JSON, binary frames, requests before hello).
 */
export class RawClient {
  readonly responses: ResponseMessage[] = [];
  readonly events: { event: string; data: unknown }[] = [];
  /** messages that were neither a valid response nor an event (should stay empty) */
  readonly strays: string[] = [];
  sent = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      let json: { type?: string; event?: string; data?: unknown } | undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const response = ResponseMessage.safeParse(json);
      if (response.success) this.responses.push(response.data);
      else if (json?.type === 'event') this.events.push({ event: String(json.event), data: json.data });
      else this.strays.push(text.slice(0, 200));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of this.waiters.splice(0)) w();
    }));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, maxPayload: 256 * 1024 * 1024 });
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Opens a connection and says hello with `token`. */
  static async paired(url: string, token: string, name = 'raw-client'): Promise<RawClient> {
    const c = await RawClient.open(url);
    c.request('hello', { token, protocol: PROTOCOL_VERSION, client: { name } }, 'hello');
    await c.waitFor(1);
    const r = c.responses[0];
    if (!r.ok) throw new Error(`hello failed: ${r.error.message}`);
    c.responses.length = 0;
    c.sent = 0;
    return c;
  }

  send(data: string | Buffer, binary = false): void {
    this.sent++;
    this.socket.send(data, { binary });
  }

  request(method: string, params: unknown, id: string | number = this.sent + 1): void {
    this.send(JSON.stringify({ type: 'request', id, method, params }));
  }

  /** Resolves when `count` responses have arrived or the connection closed. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < count && this.socket.readyState !== WebSocket.CLOSED) {
      if (Date.now() > deadline) throw new Error(`${this.responses.length} of ${count} responses after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** How a WebSocket upgrade ends: opened, or the HTTP status / error that refused it. */
export function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
  });
}

/** The error a call fails with, as `{code, message}`; throws when the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('the call succeeded');
}
