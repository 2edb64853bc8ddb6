import * as fs from 'fs';
import { createServer, type Server } from 'http';
import * as os from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import type { WebSocketLike } from '../../bridge/client';
import { PROTOCOL_VERSION } from '../../bridge/protocol';
import { startBridgeServer, type BridgeServer } from '../../native-host/server/bridge-server';
import { loadOrCreateToken } from '../../native-host/server/host-config';
import { PathPolicy } from '../../native-host/server/path-policy';
import { FakeJobService, memoryLog } from '../support/bridge-host';
import { freePort } from '../support/panel-page';

// The panel's connection (plugin/ui/host-connection.ts) against the real host server on loopback: the states a
// user sees, and reconnection after the host restarts. Plugin code is loaded with require(): the root
// tsconfig does not compile plugin/.
type State = { kind: string; reason?: string; message?: string; hostVersion?: string };
interface ConnectionModule {
  HostConnection: new (options: Record<string, unknown>) => {
    state: State;
    onState(f: (s: State) => void): () => void;
    onConnected(f: (client: { clientId: string }) => void): () => void;
    start(): void;
    setToken(token: string): void;
    stop(): void;
  };
}
const { HostConnection } = require('../../plugin/ui/host-connection') as ConnectionModule;

describe('panel connection states (plugin/ui/host-connection.ts)', () => {
  let configDir: string;
  let token: string;
  let port: number;
  let server: BridgeServer | undefined;
  const connections: { stop(): void }[] = [];

  const startHost = async () => {
    const { policy } = await PathPolicy.create([]);
    server = await startBridgeServer({ jobs: new FakeJobService(), paths: policy, token, port, log: memoryLog() });
  };
  const stopHost = async () => {
    await server?.close();
    server = undefined;
  };
  const connection = (withToken: string | undefined, origin = `http://127.0.0.1:${port}`) => {
    const c = new HostConnection({
      origin,
      bridgeUrl: `ws://127.0.0.1:${port}/bridge`,
      token: withToken,
      client: { name: 'matanyone-panel', host: 'premierepro', instance: 'instance-1234' },
      WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike,
      retryMs: 50,
      maxRetryMs: 200,
    });
    connections.push(c);
    return c;
  };
  /** Resolves when the connection reaches a state of `kind`. */
  const reaches = (c: ReturnType<typeof connection>, kind: string) =>
    new Promise<State>((resolve) => {
      if (c.state.kind === kind) return resolve(c.state);
      const off = c.onState((s) => {
        if (s.kind !== kind) return;
        off();
        resolve(s);
      });
    });

  beforeAll(async () => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-connection-'));
    token = loadOrCreateToken(configDir).token;
    port = await freePort();
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) c.stop();
    await stopHost();
  });
  afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

  test('no token: asks for one, then pairs with the pasted token', async () => {
    await startHost();
    const c = connection(undefined);
    c.start();
    await reaches(c, 'needs-token');
    c.setToken(` ${token} `);
    expect((await reaches(c, 'connected')).hostVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('host offline: says so, then connects by itself once the host starts', async () => {
    const c = connection(token);
    c.start();
    expect((await reaches(c, 'offline')).reason).toContain(`nothing answers at http://127.0.0.1:${port}`);
    await startHost();
    await reaches(c, 'connected');
  });

  test('a wrong token: asks to paste it again, and stops retrying until it is', async () => {
    await startHost();
    const c = connection('not-the-token');
    let attempts = 0;
    c.onState((s) => s.kind === 'connecting' && attempts++);
    c.start();
    await reaches(c, 'wrong-token');
    await new Promise((r) => setTimeout(r, 400));
    expect(c.state.kind).toBe('wrong-token');
    expect(attempts).toBe(1);
    c.setToken(token);
    await reaches(c, 'connected');
  });

  test.each([
    [PROTOCOL_VERSION - 1, 'older than this panel'],
    [PROTOCOL_VERSION + 1, 'newer than this panel'],
  ])('a host speaking protocol %i: %s', async (protocol, words) => {
    const other: Server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '9.9.9', protocol })));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const c = connection(token);
      c.start();
      expect((await reaches(c, 'incompatible')).message).toContain(words);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  test('the host restarts: reconnecting, then connected again as the same client', async () => {
    await startHost();
    const c = connection(token);
    const clients: string[] = [];
    c.onConnected((client) => clients.push(client.clientId));
    c.start();
    await reaches(c, 'connected');
    await stopHost();
    await reaches(c, 'reconnecting');
    await startHost();
    await reaches(c, 'connected');
    expect(clients).toEqual(['matanyone-panel:instance-1234', 'matanyone-panel:instance-1234']);
  });
});
