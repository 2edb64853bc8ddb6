import { HostError } from '../errors';
import type { LiveFrame, LiveOutput, LiveOutputState } from '../live/live-output';
import { freeLoopbackPort } from './free-port';
import { LiveSource } from './live-source';
import { ObsConnection } from './obs-connection';
import { RgbaTransport } from './rgba-transport';

export interface ObsLiveOutputOptions {
  /** OBS's WebSocket server, `ws://host:port` */
  url: string;
  password?: string;
  /** the Media Source to create or reuse in the program scene */
  sourceName: string;
  /** a source in the program scene to hide while ours shows (usually the camera) */
  hideSource?: string;
  /** the frames' size and rate; a frame of another size restarts the stream at that size */
  width: number;
  height: number;
  fps: number;
  /** loopback port for the RGBA stream; a free one when left out */
  port?: number;
}

export interface ObsCloseOptions {
  /** remove our Media Source from OBS (default: it stays, showing nothing) */
  removeSource?: boolean;
  /** enable `hideSource` again in the program scene (default: it stays hidden) */
  showHiddenSource?: boolean;
}

/**
 * A {@link LiveOutput} into OBS Studio: keeps a websocket to OBS ({@link ObsConnection}), a Media Source in
 * its program scene ({@link LiveSource}) and a raw RGBA stream into it ({@link RgbaTransport}). Frames are
 * sent only while the state is `ready`, and dropped otherwise; after OBS restarts, the source is made again
 * and frames flow again without the caller doing anything.
 *
 * The source is straight RGBA: OBS composites it over whatever is below it in the scene.
 *
 * @example
 * const out = await ObsLiveOutput.open({ url: 'ws://127.0.0.1:4455', password, sourceName: 'MatAnyone', hideSource: 'Camera', width: 1280, height: 720, fps: 30 });
 * out.onState((s) => console.log(s.state));
 * out.send(frame); // false: dropped
 * await out.close();
 */
export class ObsLiveOutput implements LiveOutput {
  private constructor(
    private readonly connection: ObsConnection,
    private readonly source: LiveSource,
    private readonly transport: RgbaTransport,
    readonly port: number,
  ) {}

  /**
   * Checks the options and starts connecting; resolves at once, without waiting for OBS (watch
   * {@link onState}: OBS may be started later, or never).
   * @throws HostError INVALID_ARGUMENT for a bad address, name, size or rate
   */
  static async open(options: ObsLiveOutputOptions): Promise<ObsLiveOutput> {
    checkOptions(options);
    const connection = new ObsConnection({ url: options.url, password: options.password });
    const port = options.port ?? (await freeLoopbackPort());
    const source = new LiveSource(connection, { sourceName: options.sourceName, port, hideSource: options.hideSource });
    const transport = new RgbaTransport({ port, fps: options.fps });
    connection.onSetup(() => source.ensure());
    // A user who switches scenes keeps seeing the matte: put the source into the new program scene too.
    connection.onEvent('CurrentProgramSceneChanged', () => void source.ensure().catch(() => undefined));
    connection.start();
    return new ObsLiveOutput(connection, source, transport, port);
  }

  get state(): LiveOutputState {
    return this.connection.state;
  }

  send(frame: LiveFrame): boolean {
    if (this.connection.state.state !== 'ready') return false;
    return this.transport.send(frame);
  }

  /** Calls `listener` with the current state now, then on every change. */
  onState(listener: (s: LiveOutputState) => void): void {
    this.connection.onState(listener);
  }

  /**
   * Stops the stream and disconnects. By default OBS keeps the Media Source (transparent until the next
   * session) and the hidden source stays hidden; `options` removes the one and shows the other again, when
   * OBS is connected (otherwise there is nothing to do them on). OBS finishes a removal a moment after
   * answering, once the source's media thread has let go.
   */
  async close(options: ObsCloseOptions = {}): Promise<void> {
    await this.transport.close();
    if (this.connection.state.state === 'ready') {
      if (options.showHiddenSource) await this.source.showHidden().catch(() => undefined);
      if (options.removeSource) await this.source.remove().catch(() => undefined);
    }
    await this.connection.close();
  }
}

function checkOptions(o: ObsLiveOutputOptions): void {
  const bad = (message: string) => new HostError('INVALID_ARGUMENT', message);
  if (!o.sourceName.trim()) throw bad('The OBS source name is empty: give the name the matte should have in OBS.');
  for (const [name, value] of [['width', o.width], ['height', o.height]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 16384) throw bad(`The live ${name} ${value} is not a whole number of pixels between 1 and 16384.`);
  }
  if (!(o.fps > 0 && o.fps <= 240)) throw bad(`The live frame rate ${o.fps} is not between 0 and 240 frames per second.`);
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) throw bad(`The stream port ${o.port} is not a TCP port (1–65535).`);
}
