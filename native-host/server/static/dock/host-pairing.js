// Pairing and staying connected: the token is kept in this page's storage (the host's own origin, so only
// the host's pages can read it), and a lost host is retried until it is back, as an OBS dock stays open for
// hours while the host may restart.

import { BridgeSocket } from './bridge-socket.js';

const TOKEN_KEY = 'matanyone.dock.token';
const INSTANCE_KEY = 'matanyone.dock.instance';
const RETRY_MS = 2000;

/** A random id kept across reloads, so that the host sees the same client (`hello`'s `instance`). */
function instanceId() {
  let id = localStorage.getItem(INSTANCE_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(INSTANCE_KEY, id);
  }
  return id;
}

/**
 * @typedef {object} PairingEvents
 * @property {(text: string, tone: 'good' | 'bad' | '', askToken: boolean) => void} status - what to show
 * @property {(bridge: BridgeSocket) => void} connected
 * @property {() => void} disconnected
 */

export class HostPairing {
  /** @param {PairingEvents} events */
  constructor(events) {
    this.events = events;
    this.url = `ws://${location.host}/bridge`;
    this.retryTimer = undefined;
    /** @type {BridgeSocket | undefined} */
    this.bridge = undefined;
  }

  /** Connects with the stored token, or asks for one. */
  start() {
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) this.connect(token);
    else this.events.status('Paste the pairing token that `npx matanyone serve` printed.', '', true);
  }

  /** @param {string} token */
  pair(token) {
    const trimmed = token.trim();
    if (!trimmed) return this.events.status('Paste the pairing token first.', 'bad', true);
    localStorage.setItem(TOKEN_KEY, trimmed);
    this.connect(trimmed);
  }

  forget() {
    localStorage.removeItem(TOKEN_KEY);
    clearTimeout(this.retryTimer);
    this.bridge?.close();
    this.events.status('Paste the pairing token that `npx matanyone serve` printed.', '', true);
  }

  async connect(token) {
    clearTimeout(this.retryTimer);
    this.events.status('Connecting to the MatAnyone host…', '', false);
    try {
      this.bridge = await BridgeSocket.connect({ url: this.url, token, instance: instanceId() });
    } catch (e) {
      if (e.code === 'UNAUTHORIZED') return this.events.status('The host refused the pairing token: paste it again.', 'bad', true);
      if (e.code === 'PROTOCOL_VERSION') return this.events.status(e.message, 'bad', false);
      this.events.status('The MatAnyone host is not running: start it with `npx matanyone serve`. Retrying…', 'bad', false);
      this.retryTimer = setTimeout(() => this.retryWithStoredToken(), RETRY_MS);
      return;
    }
    const bridge = this.bridge;
    bridge.onClose(() => {
      if (this.bridge !== bridge) return;
      this.bridge = undefined;
      this.events.disconnected();
      if (!localStorage.getItem(TOKEN_KEY)) return;
      this.events.status('Lost the MatAnyone host; reconnecting…', 'bad', false);
      this.retryTimer = setTimeout(() => this.retryWithStoredToken(), RETRY_MS);
    });
    if (!bridge.features.includes('live')) {
      this.events.status('This MatAnyone host has no live sessions: update it.', 'bad', false);
      return;
    }
    this.events.status('Connected to the MatAnyone host', 'good', false);
    this.events.connected(bridge);
  }

  retryWithStoredToken() {
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) this.connect(token);
  }
}
