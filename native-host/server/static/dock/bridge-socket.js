// The dock's side of the bridge protocol (bridge/protocol.ts, version 2): JSON requests and responses over
// one WebSocket, hello with the pairing token first, events pushed by the host. Plain JavaScript so the host
// serves it as it is (no build step); the schemas stay in bridge/, where the host checks every message.

export const PROTOCOL_VERSION = 2;

/** A failed request: the host's stable code and its one sentence. */
export class BridgeError extends Error {
  /**
   * @param {string} code - the host's error code, or DISCONNECTED / TIMEOUT
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}

/**
 * One paired connection to the host. `call(method, params)` resolves with the result or rejects with a
 * BridgeError; `on(event, handler)` receives events; `onClose` is called once when the connection ends.
 */
export class BridgeSocket {
  /** @param {WebSocket} socket */
  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    /** @type {Map<number, {resolve: (v: unknown) => void, reject: (e: Error) => void, timer: number}>} */
    this.pending = new Map();
    /** @type {Map<string, Set<(data: any) => void>>} */
    this.handlers = new Map();
    /** @type {((reason: string) => void)[]} */
    this.closeHandlers = [];
    this.features = [];
    this.clientId = '';
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onclose = (ev) => this.closed(ev.reason ? `connection closed: ${ev.reason}` : 'connection closed');
  }

  /**
   * Opens the bridge of the host that served this page and says hello.
   * @param {{url: string, token: string, instance: string}} options
   * @returns {Promise<BridgeSocket>} rejects with DISCONNECTED when the host is not there, UNAUTHORIZED for a wrong token
   */
  static connect({ url, token, instance }) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(url);
      } catch (e) {
        reject(new BridgeError('DISCONNECTED', String(e)));
        return;
      }
      const bridge = new BridgeSocket(socket);
      const fail = (reason) => reject(new BridgeError('DISCONNECTED', `cannot reach the MatAnyone host (${reason})`));
      bridge.closeHandlers.push(fail);
      socket.onopen = () => {
        const client = { name: 'obs-dock', version: '1', host: 'obs', instance };
        bridge
          .call('hello', { token, protocol: PROTOCOL_VERSION, client })
          .then((hello) => {
            bridge.closeHandlers = bridge.closeHandlers.filter((h) => h !== fail);
            bridge.features = hello.host.features;
            bridge.clientId = hello.clientId;
            resolve(bridge);
          })
          .catch((e) => {
            bridge.closeHandlers = bridge.closeHandlers.filter((h) => h !== fail);
            socket.close();
            reject(e);
          });
      };
    });
  }

  /**
   * @param {string} method
   * @param {object} params
   * @param {number} [timeoutMs] - for requests that work before answering (startLive loads the model)
   */
  call(method, params, timeoutMs = 30_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BridgeError('TIMEOUT', `${method}: no answer from the host in ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.socket.send(JSON.stringify({ type: 'request', id, method, params }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new BridgeError('DISCONNECTED', `${method}: ${e.message}`));
      }
    });
  }

  /** @param {string} event @param {(data: any) => void} handler */
  on(event, handler) {
    const set = this.handlers.get(event) ?? new Set();
    set.add(handler);
    this.handlers.set(event, set);
  }

  /** @param {(reason: string) => void} handler */
  onClose(handler) {
    this.closeHandlers.push(handler);
  }

  close() {
    this.socket.close(1000, 'dock closed');
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(String(data));
    } catch {
      return; // the host only sends JSON
    }
    if (message.type === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      clearTimeout(p.timer);
      if (message.ok) p.resolve(message.result);
      else p.reject(new BridgeError(message.error.code, message.error.message));
    } else if (message.type === 'event') {
      for (const handler of this.handlers.get(message.event) ?? []) handler(message.data);
    }
  }

  closed(reason) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new BridgeError('DISCONNECTED', reason));
    }
    this.pending.clear();
    const handlers = this.closeHandlers;
    this.closeHandlers = [];
    for (const h of handlers) h(reason);
  }
}
