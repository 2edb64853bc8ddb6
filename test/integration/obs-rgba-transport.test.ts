/**
 * RgbaTransport with a real ffmpeg into a plain loopback TCP receiver standing in for OBS's listening
 * Media Source: frames are dropped (not queued) while the receiver stalls, and ffmpeg is started again
 * after the receiver goes away.
 */
import * as net from 'net';
import { freeLoopbackPort } from '../../native-host/obs/free-port';
import { RgbaTransport } from '../../native-host/obs/rgba-transport';

const W = 320;
const H = 180;
const FRAME = W * H * 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A receiver that can pause reading (like an OBS that stopped decoding) and drop its connection. */
async function receiver(port: number): Promise<{ server: net.Server; sockets: net.Socket[]; bytes: () => number }> {
  const sockets: net.Socket[] = [];
  let bytes = 0;
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => (bytes += d.length));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, sockets, bytes: () => bytes };
}

function picture(): { width: number; height: number; rgba: Uint8Array } {
  return { width: W, height: H, rgba: new Uint8Array(FRAME).fill(7) };
}

test('while the receiver stalls, frames are dropped rather than queued, and flow again once it reads', async () => {
  const port = await freeLoopbackPort();
  const rx = await receiver(port);
  const transport = new RgbaTransport({ port, fps: 30 });
  try {
    expect(transport.send(picture())).toBe(true);
    await waitUntil(() => rx.sockets.length === 1);
    rx.sockets[0].pause();
    let dropped = 0;
    for (let i = 0; i < 90; i++) {
      if (!transport.send(picture())) dropped++;
      await sleep(10);
    }
    // Only what fits in the kernel's socket and pipe buffers plus one frame in Node gets through.
    expect(dropped).toBeGreaterThan(0);
    const receivedWhileStalled = rx.bytes();
    rx.sockets[0].resume();
    await waitUntil(() => rx.bytes() > receivedWhileStalled);
    await waitUntil(() => transport.send(picture()));
  } finally {
    await transport.close();
    rx.server.close();
  }
});

test('when the receiver drops the connection, a later send starts ffmpeg again and it reconnects', async () => {
  const port = await freeLoopbackPort();
  const rx = await receiver(port);
  const transport = new RgbaTransport({ port, fps: 30, firstRetryDelayMs: 50 });
  try {
    transport.send(picture());
    await waitUntil(() => rx.sockets.length === 1);
    rx.sockets[0].destroy();
    await waitUntil(() => {
      transport.send(picture());
      return rx.sockets.length === 2;
    });
    const before = rx.bytes();
    await waitUntil(() => {
      transport.send(picture());
      return rx.bytes() > before + FRAME;
    });
  } finally {
    await transport.close();
    rx.server.close();
  }
});

test('a picture of the wrong byte length is a bug, thrown at once', () => {
  const transport = new RgbaTransport({ port: 9, fps: 30 });
  expect(() => transport.send({ width: W, height: H, rgba: new Uint8Array(10) })).toThrow('RGBA picture of 320x180 has 10 bytes, expected 230400');
});

async function waitUntil(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

test('each frame reaches the receiver as soon as it is sent, not when the next one comes', async () => {
  const port = await freeLoopbackPort();
  const rx = await receiver(port);
  const transport = new RgbaTransport({ port, fps: 30 });
  try {
    // One frame, then nothing: all of it arrives (ffmpeg's encode path used to hold it until the next frame).
    expect(transport.send(picture())).toBe(true);
    await waitUntil(() => rx.bytes() >= FRAME);
    await sleep(300);
    expect(rx.bytes()).toBeLessThan(2 * FRAME);
  } finally {
    await transport.close();
    rx.server.close();
  }
});
