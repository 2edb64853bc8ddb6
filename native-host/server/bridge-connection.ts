import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import WebSocket from 'ws';
import type { EventName, ParsedRequest } from '../../bridge/protocol';
import { HOST_FEATURES, MAX_MESSAGE_BYTES, parseRequest, PROTOCOL_VERSION, ProtocolError, RequestEnvelope } from '../../bridge/protocol';
import type { HostLog } from './host-log';
import { Outbox, OutboxLimits } from './outbox';
import { TokenBucket } from './rate-limit';
import type { RequestRouter } from './request-router';
import { errorPayload, ServerErrors } from './server-errors';

/** What one connection may cost the host. */
export interface ConnectionLimits extends OutboxLimits {
  /** largest message (the WebSocket's maxPayload): bigger ones close the connection with 1009 */
  maxMessageBytes: number;
  /** largest message before hello: a stranger's messages are refused unread beyond this */
  maxHelloBytes: number;
  /** refused messages before a successful hello, after which the connection is closed (1008) */
  maxAuthFailures: number;
  /** a connection that has not said hello by then is closed (1008) */
  helloTimeoutMs: number;
  /** requests a second, on average */
  ratePerSecond: number;
  /** requests at once */
  rateBurst: number;
  /** requests of one connection being handled at once; more get RATE_LIMITED */
  maxInFlight: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxHelloBytes: 64 * 1024,
  maxAuthFailures: 5,
  helloTimeoutMs: 30_000,
  ratePerSecond: 100,
  rateBurst: 200,
  maxInFlight: 64,
  eventBufferBytes: 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
};

/** What a connection needs from its server. */
export interface ConnectionContext {
  token: string;
  hostVersion: string;
  limits: ConnectionLimits;
  log: HostLog;
  route: RequestRouter;
  /** called once, when hello succeeds */
  identified(connection: BridgeConnection): void;
}

/** A connection's counters, for logs and tests. */
export interface ConnectionStats {
  clientId: string | undefined;
  received: number;
  answered: number;
  /** progress events replaced by a later one while the client was not reading */
  droppedProgress: number;
  /** progress events waiting for the client to read (at most one per job) */
  heldProgress: number;
  bufferedAmount: number;
}

type RequestId = string | number | null;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The request id of a small message, for answers given before it is parsed (rate limits); else null. */
function peekId(text: string, limit: number): RequestId {
  if (text.length > limit) return null;
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return (typeof id === 'string' && id.length > 0 && id.length <= 64) || (Number.isSafeInteger(id) && (id as number) >= 0) ? (id as string | number) : null;
  } catch {
    return null;
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function rawLength(data: WebSocket.RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

/**
 * One panel's WebSocket. Invariants: every frame received is answered by exactly one response (or, for a
 * frame over the size limit, by closing with 1009); nothing but hello is handled before a hello with the
 * right token; sending never waits for the client (see {@link Outbox}).
 */
export class BridgeConnection {
  /** `name:instance` from hello (or `name:<random>`); undefined until hello succeeds */
  clientId: string | undefined;
  private failures = 0;
  private inFlight = 0;
  private received = 0;
  private answered = 0;
  private readonly outbox: Outbox;
  private readonly bucket: TokenBucket;
  private readonly helloTimer: NodeJS.Timeout;
  /** false once a ping is sent, true again on the pong */
  alive = true;

  constructor(
    readonly socket: WebSocket,
    private readonly context: ConnectionContext,
  ) {
    const { limits } = context;
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst);
    this.outbox = new Outbox(socket, limits, (bytes) => context.log.warn(`client ${this.clientId ?? '(before hello)'} has not read ${bytes} bytes; dropping it`));
    this.helloTimer = setTimeout(() => {
      if (!this.clientId) socket.close(1008, 'no hello in time');
    }, limits.helloTimeoutMs).unref();
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => clearTimeout(this.helloTimer));
    // ws reports oversized frames, bad framing and socket errors here and closes the connection itself.
    socket.on('error', (e) => context.log.info(`connection ${this.clientId ?? '(before hello)'}: ${e.message}`));
  }

  stats(): ConnectionStats {
    const { clientId, received, answered, outbox } = this;
    return { clientId, received, answered, droppedProgress: outbox.dropped, heldProgress: outbox.heldCount, bufferedAmount: this.socket.bufferedAmount };
  }

  /** Sends one job event of this client (see {@link Outbox.sendEvent}); never waits. */
  sendEvent(event: EventName, jobId: string, text: string): void {
    this.outbox.sendEvent(event, jobId, text);
  }

  private answer(id: RequestId, outcome: { ok: true; result: unknown } | { ok: false; error: unknown }, context: string): void {
    this.answered++;
    const message =
      outcome.ok
        ? { type: 'response', id, ok: true, result: outcome.result }
        : { type: 'response', id, ok: false, error: errorPayload(outcome.error, this.context.log, context) };
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (e) {
      text = JSON.stringify({ type: 'response', id, ok: false, error: errorPayload(e, this.context.log, `${context}: serialising the answer`) });
    }
    this.outbox.send(text);
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    this.received++;
    const at: { id: RequestId; method: string } = { id: null, method: '(unread)' };
    const before = this.clientId === undefined;
    this.handle(data, isBinary, at).then(
      (result) => this.answer(at.id, { ok: true, result }, at.method),
      (error) => {
        this.answer(at.id, { ok: false, error }, at.method);
        if (before && this.clientId === undefined && ++this.failures >= this.context.limits.maxAuthFailures)
          this.socket.close(1008, 'too many failed attempts');
      },
    );
  }

  private async handle(data: WebSocket.RawData, isBinary: boolean, at: { id: RequestId; method: string }): Promise<unknown> {
    const { limits } = this.context;
    const bytes = rawLength(data);
    if (!this.clientId && bytes > limits.maxHelloBytes) throw ServerErrors.tooLarge(bytes, limits.maxHelloBytes, 'a message before hello');
    if (isBinary) throw ServerErrors.binaryFrame();
    const text = rawText(data);
    if (!this.bucket.take()) {
      at.id = peekId(text, limits.maxHelloBytes);
      throw ServerErrors.rateLimited(limits.ratePerSecond);
    }
    if (!this.clientId) return this.hello(text, at);
    if (this.inFlight >= limits.maxInFlight) {
      at.id = peekId(text, limits.maxHelloBytes);
      throw ServerErrors.busy(limits.maxInFlight);
    }
    const request = this.parse(text, at);
    this.inFlight++;
    try {
      return await this.context.route(this.clientId, request);
    } finally {
      this.inFlight--;
    }
  }

  private parse(text: string, at: { id: RequestId; method: string }): ParsedRequest {
    try {
      const request = parseRequest(text);
      at.id = request.id;
      at.method = request.method;
      return request;
    } catch (e) {
      if (e instanceof ProtocolError) at.id = e.id;
      throw e;
    }
  }

  /** The first request: only hello, with this protocol version and the right token. */
  private hello(text: string, at: { id: RequestId; method: string }): unknown {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // parseRequest below answers BAD_MESSAGE
    }
    const envelope = RequestEnvelope.safeParse(json);
    if (envelope.success) {
      at.id = envelope.data.id;
      if (envelope.data.method !== 'hello') throw ServerErrors.unauthorized();
      const protocol = (envelope.data.params as { protocol?: unknown } | null)?.protocol;
      if (typeof protocol === 'number' && protocol !== PROTOCOL_VERSION) throw ServerErrors.protocolVersion(protocol);
    }
    const request = this.parse(text, at);
    if (request.method !== 'hello') throw ServerErrors.unauthorized();
    const { token, client } = request.params;
    if (!timingSafeEqual(digest(token), digest(this.context.token))) throw ServerErrors.wrongToken();
    this.clientId = `${client.name}:${client.instance ?? randomBytes(9).toString('base64url')}`;
    clearTimeout(this.helloTimer);
    this.context.identified(this);
    return { host: { version: this.context.hostVersion, protocol: PROTOCOL_VERSION, features: [...HOST_FEATURES] }, clientId: this.clientId };
  }
}
