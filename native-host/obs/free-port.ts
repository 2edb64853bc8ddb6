import * as net from 'net';

/**
 * A TCP port on 127.0.0.1 that nobody listens on right now (the kernel picks it; we close it at once).
 * Another process could take it before our listener does; on a desktop or CI machine that is rare enough.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
