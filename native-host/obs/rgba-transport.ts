import { spawn, type ChildProcessByStdio } from 'child_process';
import type { Readable, Writable } from 'stream';

/** One straight-RGBA picture, width·height·4 bytes. */
export interface RgbaPicture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface RgbaTransportOptions {
  /** the loopback port OBS's Media Source listens on (`tcp://127.0.0.1:PORT?listen=1`) */
  port: number;
  /** the rate written into the stream; frames still go out as they come */
  fps: number;
  /** wait before starting ffmpeg again after it ended; doubles per quick failure up to `maxRetryDelayMs` (defaults 100 / 500 ms; OBS listens again 1 s after a producer left) */
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  ffmpegPath?: string;
}

type Producer = ChildProcessByStdio<Writable, null, Readable>;

/** A producer that ran this long did connect: its end is not a quick failure, so the backoff starts over. */
const HEALTHY_RUN_MS = 2000;

/**
 * The producer side of the transport into OBS: an ffmpeg child that reads raw RGBA on stdin and sends it,
 * still raw RGBA, in a NUT container to OBS over loopback TCP (obs-headless.md §5: the only variant that
 * keeps alpha exactly at about 0.1–0.2 s). OBS listens and ffmpeg connects, so frames are never queued
 * waiting for OBS.
 *
 * Invariant: at most about one frame waits in Node's stdin buffer. A frame that finds it fuller is dropped
 * (send returns false), because queued frames turn straight into latency.
 *
 * ffmpeg is started by the first send, and again by a later send when it ended (OBS quit or restarted, the
 * connection was refused), after a backoff; a new picture size restarts it at once. So nothing runs while
 * no frames come.
 */
export class RgbaTransport {
  private producer?: Producer;
  /** settles when the current producer is gone (exited, or could not start) */
  private producerGone: Promise<void> = Promise.resolve();
  private producerSize?: { width: number; height: number };
  private startedAt = 0;
  private notBefore = 0;
  private retryDelayMs: number;
  private closed = false;
  private stderrTail = '';

  constructor(private readonly options: RgbaTransportOptions) {
    this.retryDelayMs = options.firstRetryDelayMs ?? 100;
  }

  /** The last lines ffmpeg wrote on stderr (why it ended), for logs. */
  get lastError(): string {
    return this.stderrTail.trim();
  }

  /**
   * Writes one picture to ffmpeg without waiting.
   * @returns false when it was dropped: ffmpeg is still busy with the previous one, is waiting to restart,
   *   or the transport is closed
   * @remarks the bytes are written from `picture.rgba` itself, later: do not reuse that buffer.
   */
  send(picture: RgbaPicture): boolean {
    if (this.closed) return false;
    const frameBytes = picture.width * picture.height * 4;
    if (picture.rgba.byteLength !== frameBytes) {
      throw new Error(`RGBA picture of ${picture.width}x${picture.height} has ${picture.rgba.byteLength} bytes, expected ${frameBytes}`);
    }
    const size = this.producerSize;
    if (this.producer && size && (size.width !== picture.width || size.height !== picture.height)) {
      this.stopProducer();
      this.notBefore = 0;
    }
    if (!this.producer) {
      if (performance.now() < this.notBefore) return false;
      this.startProducer(picture.width, picture.height);
    }
    const stdin = this.producer!.stdin;
    if (!stdin.writable || stdin.writableLength >= frameBytes) return false;
    stdin.write(Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, frameBytes));
    return true;
  }

  /** Ends ffmpeg and sends nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    if (!producer) return;
    const gone = this.producerGone;
    this.stopProducer();
    await gone;
  }

  private startProducer(width: number, height: number): void {
    const { port, fps } = this.options;
    // -nostdin only stops ffmpeg's keyboard commands; `-i -` still reads the frames from stdin.
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', '-',
      // Stream copy, not `-c:v rawvideo`: through the decode → filter → encode path ffmpeg holds each frame
      // until the next one arrives, so OBS showed every frame one frame late (1.5 s at the CPU's ~0.8 fps,
      // measured by bench:live); copied, a frame leaves at once. -flush_packets: no tail left in the muxer's buffer.
      '-c:v', 'copy', '-flush_packets', '1', '-f', 'nut', `tcp://127.0.0.1:${port}`,
    ];
    const producer = spawn(this.options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.producer = producer;
    this.producerSize = { width, height };
    this.startedAt = performance.now();
    this.stderrTail = '';
    // EPIPE when ffmpeg ends (OBS went away): the exit handler deals with it.
    producer.stdin.on('error', () => undefined);
    producer.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-1000);
    });
    this.producerGone = new Promise<void>((resolve) => {
      producer.once('error', (e) => {
        this.stderrTail = `cannot run ffmpeg: ${e.message}`;
        this.ended(producer);
        resolve();
      });
      producer.once('close', () => {
        this.ended(producer);
        resolve();
      });
    });
  }

  private ended(producer: Producer): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    const ranMs = performance.now() - this.startedAt;
    if (ranMs >= HEALTHY_RUN_MS) this.retryDelayMs = this.options.firstRetryDelayMs ?? 100;
    this.notBefore = performance.now() + this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 500);
  }

  private stopProducer(): void {
    const producer = this.producer;
    if (!producer) return;
    this.producer = undefined;
    producer.stdin.destroy();
    producer.kill('SIGKILL');
  }
}
