import type { ErrorCode } from './errors';
import { type EventData, EventMessage, type EventName, Events, type Method, Methods, type Params, PROTOCOL_VERSION, ResponseMessage, type Result } from './protocol';

/** The part of the WebSocket API the client uses: the browser's, UXP's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface BridgeClientOptions {
  /** the pairing token of this host */
  token: string;
  /** `instance`: a random id the panel keeps, so that it is the same client (and sees its jobs) after a reconnect */
  client: { name: string; version?: string; host?: string; instance?: string };
  /** the WebSocket class; defaults to the global one (browsers, UXP) */
  WebSocket?: new (url: string) => WebSocketLike;
  /** per-request timeout (default 30 s) */
  timeoutMs?: number;
}

/** A failed request: the host's stable code and its sentence. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: ErrorCode | 'DISCONNECTED' | 'TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

/**
 * The typed client of the host protocol, for panels and tests: `call('submitMatte', {...})` resolves with
 * that method's result type; `on('jobProgress', …)` receives typed events.
 *
 * @example
 * ```ts
 * const host = await BridgeClient.connect('ws://127.0.0.1:47860/bridge', { token, client: { name: 'premiere-panel' } });
 * host.on('jobProgress', (p) => bar.update(p.frame / (p.total ?? 1)));
 * const { jobId } = await host.call('submitMatte', { media, targets: [{ mask }], outputs: [{ kind: 'prores4444' }] });
 * ```
 */
export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<EventName, Set<(data: never) => void>>();
  private closeHandlers = new Set<(reason: string) => void>();
  clientId = '';
  hostVersion = '';
  /** what the host offers (HOST_FEATURES of its version); check before using a feature */
  hostFeatures: string[] = [];

  private constructor(
    private readonly socket: WebSocketLike,
    private readonly timeoutMs: number,
  ) {
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onclose = (ev) => this.closed(`connection closed${ev?.reason ? `: ${ev.reason}` : ''}`);
    socket.onerror = () => this.closed('connection failed');
  }

  /** Connects and introduces itself with the pairing token; rejects with UNAUTHORIZED for a wrong token. */
  static connect(url: string, options: BridgeClientOptions): Promise<BridgeClient> {
    const Ctor = options.WebSocket ?? (globalThis as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket;
    const socket = new Ctor(url);
    const client = new BridgeClient(socket, options.timeoutMs ?? 30_000);
    return new Promise((resolve, reject) => {
      const fail = (reason: string) => reject(new BridgeError('DISCONNECTED', `cannot reach the MatAnyone host at ${url}: ${reason}`));
      client.closeHandlers.add(fail);
      socket.onopen = () => {
        client
          .call('hello', { token: options.token, protocol: PROTOCOL_VERSION, client: options.client })
          .then((hello) => {
            client.closeHandlers.delete(fail);
            client.clientId = hello.clientId;
            client.hostVersion = hello.host.version;
            client.hostFeatures = hello.host.features;
            resolve(client);
          })
          .catch((e) => {
            client.closeHandlers.delete(fail);
            socket.close();
            reject(e);
          });
      };
    });
  }

  /**
   * Sends a request and resolves with its typed result, or rejects with a BridgeError.
   * @param options - `timeoutMs` for a request that computes before answering (refineStill), instead of the default
   */
  call<M extends Method>(method: M, params: Params<M>, options: { timeoutMs?: number } = {}): Promise<Result<M>> {
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BridgeError('TIMEOUT', `${method}: no answer from the host in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          const parsed = Methods[method].result.safeParse(result);
          if (parsed.success) resolve(parsed.data as Result<M>);
          else reject(new BridgeError('BAD_MESSAGE', `${method}: the host's answer does not match protocol ${PROTOCOL_VERSION}`));
        },
        reject,
        timer,
      });
      try {
        this.socket.send(JSON.stringify({ type: 'request', id, method, params }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new BridgeError('DISCONNECTED', `${method}: ${(e as Error).message}`));
      }
    });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler as (data: never) => void);
    this.handlers.set(event, set);
    return () => set.delete(handler as (data: never) => void);
  }

  /** Called once when the connection ends (host stopped, network, `close()`). */
  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.add(handler);
  }

  close(): void {
    this.socket.close(1000, 'client closed');
  }

  private receive(data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return; // not ours to answer: the host only sends JSON
    }
    const response = ResponseMessage.safeParse(json);
    if (response.success) {
      const id = response.data.id;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!p) return;
      this.pending.delete(id as number);
      clearTimeout(p.timer);
      if (response.data.ok) p.resolve(response.data.result);
      else p.reject(new BridgeError(response.data.error.code, response.data.error.message));
      return;
    }
    const event = EventMessage.safeParse(json);
    if (!event.success) return;
    const parsed = Events[event.data.event].safeParse(event.data.data);
    if (!parsed.success) return;
    for (const h of this.handlers.get(event.data.event) ?? []) (h as (d: unknown) => void)(parsed.data);
  }

  private closed(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new BridgeError('DISCONNECTED', reason));
    }
    this.pending.clear();
    const handlers = [...this.closeHandlers];
    this.closeHandlers.clear();
    for (const h of handlers) h(reason);
  }
}
