import { OBSWebSocket, OBSWebSocketError, type OBSEventTypes, type OBSRequestTypes, type OBSResponseTypes } from 'obs-websocket-js';
import { HostError, isHostError } from '../errors';
import type { LiveOutputState } from '../live/live-output';

/** obs-websocket 5 close codes (WebSocketCloseCode) that no retry can fix. */
const CLOSE_AUTHENTICATION_FAILED = 4009;
const CLOSE_UNSUPPORTED_RPC_VERSION = 4010;

export interface ObsConnectionOptions {
  /** `ws://host:port` of OBS's WebSocket server (OBS: Tools → WebSocket Server Settings) */
  url: string;
  /** the server's password; leave out when OBS has authentication off */
  password?: string;
  /** first wait before reconnecting; doubles per failed try up to `maxRetryDelayMs` (defaults 250 / 2000 ms) */
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** how long a connect or a request may take before it counts as lost (default 5000 ms) */
  timeoutMs?: number;
}

/** Runs after every (re)identification, before the state becomes `ready`; a HostError makes the state `failed`. */
export type ObsSetup = () => Promise<void>;

type Listener<T> = (value: T) => void;

/**
 * One obs-websocket-js client that stays connected by itself: when OBS quits, restarts or the socket drops it
 * reconnects with backoff, runs the setup steps again (OBS may have come back with an empty scene
 * collection) and reports each change as a {@link LiveOutputState}. A refused password or a protocol
 * mismatch is `failed` with one sentence and stops retrying. Nothing here throws into the event loop.
 *
 * Each try uses a fresh OBSWebSocket: the library drops its pending request promises without settling them
 * when the socket closes, so every {@link call} is raced against the close and a timeout.
 *
 * @example
 * const obs = new ObsConnection({ url: 'ws://127.0.0.1:4455', password });
 * obs.onState((s) => console.log(s));
 * obs.start();
 */
export class ObsConnection {
  private socket?: OBSWebSocket;
  private identified = false;
  private current: LiveOutputState = { state: 'connecting' };
  private closed = false;
  private retryDelayMs: number;
  private retryTimer?: NodeJS.Timeout;
  private readonly stateListeners = new Set<Listener<LiveOutputState>>();
  private readonly setups: ObsSetup[] = [];
  private readonly eventListeners: Array<[keyof OBSEventTypes, (data: never) => void]> = [];
  private readonly firstRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly timeoutMs: number;

  /** @throws HostError INVALID_ARGUMENT when `url` is not a ws:// or wss:// address */
  constructor(private readonly options: ObsConnectionOptions) {
    if (!isWebSocketUrl(options.url)) {
      throw new HostError('INVALID_ARGUMENT', `OBS address "${options.url}" is not a WebSocket address such as ws://127.0.0.1:4455.`);
    }
    this.firstRetryDelayMs = options.firstRetryDelayMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retryDelayMs = this.firstRetryDelayMs;
  }

  get state(): LiveOutputState {
    return this.current;
  }

  /** Calls `listener` with the current state now, then on every change. */
  onState(listener: Listener<LiveOutputState>): void {
    this.stateListeners.add(listener);
    listener(this.current);
  }

  /** Adds a step run after each (re)connection; add them before {@link start}. */
  onSetup(setup: ObsSetup): void {
    this.setups.push(setup);
  }

  /** Subscribes to an OBS event on this and every later socket. */
  onEvent<K extends keyof OBSEventTypes>(type: K, listener: (data: OBSEventTypes[K]) => void): void {
    this.eventListeners.push([type, listener as (data: never) => void]);
    this.socket?.on(type, listener as never);
  }

  start(): void {
    void this.attempt();
  }

  /**
   * Sends one request on the current socket.
   * @throws when not connected, when the socket closes before the answer, after `timeoutMs`, or
   *   OBSWebSocketError when OBS answers with a failure (code and comment from OBS)
   */
  async call<K extends keyof OBSRequestTypes>(type: K, data?: OBSRequestTypes[K]): Promise<OBSResponseTypes[K]> {
    const socket = this.socket;
    if (!socket || !this.identified) throw new Error(`not connected to OBS at ${this.options.url}`);
    return raceCloseAndTimeout(socket, socket.call(type, data), this.timeoutMs, `${type}`);
  }

  /** Stops retrying and disconnects; states stop. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.identified = false;
    await socket?.disconnect().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    const socket = new OBSWebSocket();
    this.socket = socket;
    this.identified = false;
    try {
      // connect() settles on close by itself, with the more telling error (ECONNREFUSED rather than code 1006)
      await raceCloseAndTimeout(undefined, socket.connect(this.options.url, this.options.password), this.timeoutMs, 'connect');
    } catch (e) {
      void socket.disconnect().catch(() => undefined);
      if (this.socket !== socket || this.closed) return;
      this.socket = undefined;
      const refusal = refusalSentence(e, this.options);
      if (refusal) this.fail(refusal);
      else this.retry(`OBS is not reachable at ${this.options.url} (${describe(e)}); retrying.`);
      return;
    }
    if (this.socket !== socket || this.closed) {
      void socket.disconnect().catch(() => undefined);
      return;
    }
    this.identified = true;
    socket.on('ConnectionClosed', (e) => this.lost(socket, `OBS closed the connection (${describe(e)}); reconnecting.`));
    for (const [type, listener] of this.eventListeners) socket.on(type, listener as never);
    try {
      for (const setup of this.setups) await setup();
    } catch (e) {
      if (this.socket !== socket || this.closed) return;
      if (isHostError(e)) {
        this.fail(e.message);
        void this.dropSocket();
      } else {
        this.lost(socket, `setting up OBS failed (${describe(e)}); retrying.`);
        void socket.disconnect().catch(() => undefined);
      }
      return;
    }
    if (this.socket !== socket || this.closed) return;
    this.retryDelayMs = this.firstRetryDelayMs;
    this.setState({ state: 'ready' });
  }

  private lost(socket: OBSWebSocket, reason: string): void {
    if (this.socket !== socket || this.closed) return;
    this.socket = undefined;
    this.identified = false;
    this.retry(reason);
  }

  private retry(reason: string): void {
    this.setState({ state: 'reconnecting', reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.maxRetryDelayMs);
  }

  private fail(reason: string): void {
    clearTimeout(this.retryTimer);
    this.setState({ state: 'failed', reason });
  }

  private async dropSocket(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.identified = false;
    await socket?.disconnect().catch(() => undefined);
  }

  private setState(next: LiveOutputState): void {
    const same = next.state === this.current.state && ('reason' in next ? next.reason : '') === ('reason' in this.current ? this.current.reason : '');
    if (same) return;
    this.current = next;
    for (const listener of this.stateListeners) {
      try {
        listener(next);
      } catch {
        // a listener's bug must not stop the reconnect loop
      }
    }
  }
}

function isWebSocketUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'ws:' || protocol === 'wss:';
  } catch {
    return false;
  }
}

/** The one sentence for failures the user has to fix, or undefined when retrying may help. */
function refusalSentence(e: unknown, { url, password }: ObsConnectionOptions): string | undefined {
  if (!(e instanceof OBSWebSocketError)) return undefined;
  if (e.code === CLOSE_AUTHENTICATION_FAILED) {
    return password
      ? `OBS at ${url} refused the password: copy it from OBS (Tools → WebSocket Server Settings → Show Connect Info).`
      : `OBS at ${url} asks for a password: give the one from OBS (Tools → WebSocket Server Settings → Show Connect Info).`;
  }
  if (e.code === CLOSE_UNSUPPORTED_RPC_VERSION) {
    return `OBS at ${url} speaks another obs-websocket protocol version: use OBS 28 or newer (obs-websocket 5).`;
  }
  return undefined;
}

function describe(e: unknown): string {
  if (e instanceof OBSWebSocketError) return e.message ? `${e.message}, code ${e.code}` : `code ${e.code}`;
  return e instanceof Error ? e.message : String(e);
}

/** obs-websocket-js never settles a pending promise when the socket closes: race it with the close and a timer. */
function raceCloseAndTimeout<T>(socket: OBSWebSocket | undefined, work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onClosed: ((e: OBSWebSocketError) => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`OBS did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
    onClosed = (e) => reject(e);
    socket?.once('ConnectionClosed', onClosed);
  });
  stop.catch(() => undefined);
  work.catch(() => undefined);
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(timer);
    if (onClosed) socket?.off('ConnectionClosed', onClosed);
  });
}
