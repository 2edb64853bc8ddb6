import { BridgeClient, BridgeError, type WebSocketLike } from '../../bridge/client';
import { PROTOCOL_VERSION } from '../../bridge/protocol';

/** What the panel says about the host, each state with what the user can do about it. */
export type ConnectionState =
  | { kind: 'needs-token' }
  | { kind: 'connecting' }
  | { kind: 'offline'; reason: string }
  | { kind: 'wrong-token' }
  | { kind: 'incompatible'; message: string }
  | { kind: 'connected'; hostVersion: string; features: string[] }
  | { kind: 'reconnecting'; reason: string };

/** The part of `fetch` the connection uses (UXP's global; tests may pass Node's). */
export type FetchJson = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface ConnectionOptions {
  /** `http://127.0.0.1:<port>`: `/version` is read there before pairing */
  origin: string;
  /** `ws://127.0.0.1:<port>/bridge` */
  bridgeUrl: string;
  client: { name: string; version?: string; host?: string; instance: string };
  /** the saved pairing token, if any */
  token?: string;
  fetch?: FetchJson;
  WebSocket?: new (url: string) => WebSocketLike;
  /** first retry delay; doubles up to `maxRetryMs` while the host stays away (defaults 1 s, 5 s) */
  retryMs?: number;
  maxRetryMs?: number;
}

/** Sentences for the states, in one place: the panel shows them as they are. */
export function describeConnection(state: ConnectionState, origin: string): string {
  switch (state.kind) {
    case 'needs-token':
      return 'Paste the pairing token that "matanyone serve" printed, then press Pair.';
    case 'connecting':
      return `Connecting to the MatAnyone host at ${origin}…`;
    case 'offline':
      return `The MatAnyone host is not running (${state.reason}). Start it in a terminal with "matanyone serve"; the panel connects by itself.`;
    case 'wrong-token':
      return 'The host refused the pairing token. Paste the token that "matanyone serve" printed again.';
    case 'incompatible':
      return state.message;
    case 'connected':
      return `Connected to the MatAnyone host ${state.hostVersion}.`;
    case 'reconnecting':
      return `Lost the MatAnyone host (${state.reason}); reconnecting… Jobs keep running in the host.`;
  }
}

/**
 * Keeps one paired connection to the host, and gets it back by itself after the host restarts. Before each
 * attempt it reads `/version`, so that a host speaking another protocol is named as older or newer instead of
 * failing at pairing. Consumers subscribe with `onConnected` (the BridgeClient changes on every reconnect)
 * and `onState`.
 */
export class HostConnection {
  private current: ConnectionState = { kind: 'connecting' };
  private client: BridgeClient | undefined;
  private token: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay: number;
  private everConnected = false;
  private stopped = false;
  private attempt = 0;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly connectedListeners = new Set<(client: BridgeClient) => void>();

  constructor(private readonly options: ConnectionOptions) {
    this.token = options.token;
    this.delay = options.retryMs ?? 1000;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The paired client, while connected. */
  get bridge(): BridgeClient | undefined {
    return this.current.kind === 'connected' ? this.client : undefined;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onConnected(listener: (client: BridgeClient) => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** A new token from the user: pairs again at once. */
  setToken(token: string): void {
    this.token = token.trim();
    this.delay = this.options.retryMs ?? 1000;
    this.client?.close();
    this.client = undefined;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client?.close();
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => void this.connect(), ms);
  }

  private retryLater(state: ConnectionState): void {
    this.setState(state);
    this.schedule(this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxRetryMs ?? 5000);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const attempt = ++this.attempt;
    if (!this.token) return this.setState({ kind: 'needs-token' });
    if (!this.everConnected) this.setState({ kind: 'connecting' });
    const away = (reason: string): ConnectionState => (this.everConnected ? { kind: 'reconnecting', reason } : { kind: 'offline', reason });

    const version = await this.readVersion();
    if (attempt !== this.attempt) return; // superseded by setToken
    if (typeof version === 'string') return this.retryLater(away(version));
    if (version.protocol !== PROTOCOL_VERSION) return this.retryLater({ kind: 'incompatible', message: incompatibility(version) });

    try {
      const client = await BridgeClient.connect(this.options.bridgeUrl, {
        token: this.token,
        client: this.options.client,
        ...(this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {}),
      });
      if (attempt !== this.attempt || this.stopped) return client.close();
      this.client = client;
      this.everConnected = true;
      this.delay = this.options.retryMs ?? 1000;
      client.onClose((reason) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.retryLater(away(reason));
      });
      this.setState({ kind: 'connected', hostVersion: client.hostVersion, features: client.hostFeatures });
      for (const listener of this.connectedListeners) listener(client);
    } catch (error) {
      if (attempt !== this.attempt) return;
      if (error instanceof BridgeError && error.code === 'UNAUTHORIZED') return this.setState({ kind: 'wrong-token' });
      if (error instanceof BridgeError && error.code === 'PROTOCOL_VERSION') return this.retryLater({ kind: 'incompatible', message: error.message });
      this.retryLater(away(error instanceof Error ? error.message : String(error)));
    }
  }

  /** `/version` of the host, or why it could not be read. */
  private async readVersion(): Promise<{ version: string; protocol: number } | string> {
    const fetchJson: FetchJson = this.options.fetch ?? ((url) => fetch(url));
    try {
      const response = await fetchJson(`${this.options.origin}/version`);
      if (!response.ok) return `HTTP ${response.status} from ${this.options.origin}`;
      const body = (await response.json()) as { version?: unknown; protocol?: unknown };
      if (typeof body?.version !== 'string' || typeof body.protocol !== 'number') return `${this.options.origin} is not a MatAnyone host`;
      return { version: body.version, protocol: body.protocol };
    } catch {
      return `nothing answers at ${this.options.origin}`;
    }
  }
}

function incompatibility(host: { version: string; protocol: number }): string {
  return host.protocol < PROTOCOL_VERSION
    ? `The MatAnyone host ${host.version} is older than this panel (protocol ${host.protocol}, the panel needs ${PROTOCOL_VERSION}): update the host (npm install in its folder), then restart "matanyone serve".`
    : `The MatAnyone host ${host.version} is newer than this panel (protocol ${host.protocol}, the panel speaks ${PROTOCOL_VERSION}): install the panel that comes with it (npm run build:plugin).`;
}
