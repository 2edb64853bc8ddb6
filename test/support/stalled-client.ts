import { randomBytes } from 'crypto';
import * as net from 'net';
import { PROTOCOL_VERSION } from '../../bridge/protocol';

/** A client frame: text, masked as RFC 6455 requires of clients. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, 0x80 | n]) : n < 65536 ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255]) : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), Buffer.alloc(8)]);
  if (n >= 65536) header.writeBigUInt64BE(BigInt(n), 2);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([header, mask, body]);
}

/**
 * A WebSocket client on a bare TCP socket, so that a test can stop reading (`socket.pause()`) as a frozen
 * or vanished panel would: the host's sends then pile up in its own buffers.
 */
export class StalledClient {
  private buffer = Buffer.alloc(0);
  /** text messages received so far (while reading) */
  readonly texts: string[] = [];
  closed = false;
  private waiter: (() => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.decode();
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to `/bridge`, says hello with `token`, waits for the answer, then stops reading. */
  static async pairedThenStalled(port: number, token: string, name: string): Promise<StalledClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(
      `GET /bridge HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const head = await new Promise<Buffer>((resolve) => {
      let data = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.unshift(data.subarray(end + 4));
        resolve(data.subarray(0, end));
      };
      socket.on('data', onData);
    });
    if (!head.toString().startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head.toString().split('\r\n')[0]}`);
    const client = new StalledClient(socket);
    socket.write(maskedTextFrame(JSON.stringify({ type: 'request', id: 1, method: 'hello', params: { token, protocol: PROTOCOL_VERSION, client: { name } } })));
    await client.waitForTexts(1);
    if (!client.texts[0].includes('"ok":true')) throw new Error(`hello refused: ${client.texts[0]}`);
    socket.pause();
    return client;
  }

  /** Starts reading again. */
  resume(): void {
    this.socket.resume();
  }

  async waitForTexts(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.texts.length < count && !this.closed) {
      if (Date.now() > deadline) throw new Error(`${this.texts.length} of ${count} messages after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  /** Server frames are unmasked; text frames are collected, pings and everything else skipped. */
  private decode(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      if (opcode === 1) this.texts.push(this.buffer.subarray(offset, offset + length).toString('utf8'));
      this.buffer = this.buffer.subarray(offset + length);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
