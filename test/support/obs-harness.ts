import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { OBSWebSocket } from 'obs-websocket-js';
import sharp from 'sharp';
import type { LiveFrame, LiveOutput } from '../../native-host/live/live-output';
import { freeLoopbackPort } from '../../native-host/obs/free-port';

/** A source screenshot decoded to straight RGBA (OBS's source screenshots are not premultiplied). */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Buffer;
}

export interface ObsHarnessOptions {
  /** the canvas (base and output size); 640x360 keeps llvmpipe on 2 cores well within 30 fps */
  width?: number;
  height?: number;
  password?: string;
}

/**
 * A real OBS Studio (Debian's 29.0.2 with obs-websocket 5.1.0) under its own Xvfb, set up exactly as
 * /work/shared/docs/obs-headless.md describes: a temporary HOME per harness, global.ini and basic.ini
 * written and the scene collection deleted before every start (so each start is an empty scene "Scene"),
 * `--multi` (the "already running" modal is machine-wide), a free WebSocket port and a password.
 *
 * `kill()` / `start()` restart OBS with the same config dir, as a user's OBS crash and restart would.
 * `admin` is the harness's own client for setting up and checking; it is reconnected after each start.
 */
export class ObsHarness {
  readonly url: string;
  readonly admin = new OBSWebSocket();
  private obs?: ChildProcess;
  private obsExit?: Promise<void>;
  private xvfb?: ChildProcess;
  private display?: string;

  private constructor(
    readonly runDir: string,
    readonly port: number,
    readonly password: string,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.url = `ws://127.0.0.1:${port}`;
  }

  /** Starts Xvfb and OBS and waits until the harness's own client is identified. */
  static async start(options: ObsHarnessOptions = {}): Promise<ObsHarness> {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-run-'));
    const harness = new ObsHarness(runDir, await freeLoopbackPort(), options.password ?? 'harness-pass-123', options.width ?? 640, options.height ?? 360);
    try {
      await harness.startXvfb();
      await harness.startObs();
    } catch (e) {
      await harness.stop();
      throw e;
    }
    return harness;
  }

  get configDir(): string {
    return path.join(this.runDir, 'home', '.config', 'obs-studio');
  }

  get obsLog(): string {
    return path.join(this.runDir, 'obs.log');
  }

  /** (Re)starts OBS after {@link kill}: fresh ini files, no scene collection, then waits for the websocket. */
  async startObs(): Promise<void> {
    if (this.obs) throw new Error('OBS is already running');
    this.writeConfig();
    const home = path.join(this.runDir, 'home');
    const runtimeDir = path.join(this.runDir, 'xdg');
    fs.mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    const log = fs.openSync(this.obsLog, 'a');
    const child = spawn(
      'obs',
      ['--multi', '--disable-updater', '--disable-missing-files-check', '--websocket_port', String(this.port), '--websocket_password', this.password, '--websocket_ipv4_only'],
      {
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_RUNTIME_DIR: runtimeDir, DISPLAY: this.display, LIBGL_ALWAYS_SOFTWARE: '1', QT_QPA_PLATFORM: 'xcb' },
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    this.obs = child;
    // 'error' instead of 'exit' when there is no obs binary (apt-get install obs-studio)
    this.obsExit = new Promise((resolve) => {
      const gone = () => {
        if (this.obs === child) this.obs = undefined;
        resolve();
      };
      child.once('exit', gone);
      child.once('error', gone);
    });
    await this.waitReady();
  }

  /** Waits until OBS's websocket takes the harness's client (it listens about 0.5 s after start). */
  async waitReady(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.obs) throw new Error(`OBS exited before its websocket came up; see ${this.obsLog}`);
      try {
        await this.admin.connect(this.url, this.password);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`OBS's websocket did not come up within ${timeoutMs} ms; see ${this.obsLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Kills OBS (SIGKILL by default, as a crash) and waits for it to exit; Xvfb and the config dir stay. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
    const obs = this.obs;
    if (!obs) return;
    obs.kill(signal);
    await this.obsExit;
  }

  /** Kills OBS, then starts it again on the same port and config dir with an empty scene collection. */
  async restart(): Promise<void> {
    await this.kill();
    await this.startObs();
  }

  /** Stops OBS and Xvfb and deletes the run dir. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    if (this.xvfb && this.xvfb.exitCode === null) {
      const exited = new Promise((r) => this.xvfb!.once('exit', r));
      this.xvfb.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }

  /** The source as OBS renders it right now, at `width`x`height`, decoded from PNG to straight RGBA. */
  async screenshot(sourceName: string, width: number, height: number): Promise<RgbaImage> {
    const r = await this.admin.call('GetSourceScreenshot', { sourceName, imageFormat: 'png', imageWidth: width, imageHeight: height });
    const png = Buffer.from(r.imageData.slice(r.imageData.indexOf(',') + 1), 'base64');
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, rgba: data };
  }

  /** Polls `check` (screenshots, requests) until it returns a value, or throws with its last error. */
  async until<T>(check: () => Promise<T | undefined>, timeoutMs = 10000, intervalMs = 50): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = 'no value';
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : String(last)})`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  private writeConfig(): void {
    const c = this.configDir;
    fs.mkdirSync(path.join(c, 'basic', 'profiles', 'Untitled'), { recursive: true });
    fs.mkdirSync(path.join(c, 'basic', 'scenes'), { recursive: true });
    // OBS saves the scene collection on every change: without this, inputs of an earlier start come back.
    for (const f of fs.readdirSync(path.join(c, 'basic', 'scenes'))) {
      if (/\.json/.test(f)) fs.rmSync(path.join(c, 'basic', 'scenes', f));
    }
    // FirstRun=true skips the modal auto-configuration wizard; obs-websocket 5.1.0 reads [OBSWebSocket] here.
    fs.writeFileSync(
      path.join(c, 'global.ini'),
      [
        '[General]', 'FirstRun=true', `LastVersion=${(29 << 24) | (0 << 16) | 2}`, 'EnableAutoUpdates=false', '',
        '[BasicWindow]', 'PreviewEnabled=false', 'SysTrayEnabled=false', '',
        '[Basic]', 'Profile=Untitled', 'ProfileDir=Untitled', 'SceneCollection=Untitled', 'SceneCollectionFile=Untitled', '',
        '[OBSWebSocket]', 'FirstLoad=false', 'ServerEnabled=true', `ServerPort=${this.port}`, 'AlertsEnabled=false', 'AuthRequired=true', `ServerPassword=${this.password}`, '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(c, 'basic', 'profiles', 'Untitled', 'basic.ini'),
      [
        '[General]', 'Name=Untitled', '',
        '[Video]', `BaseCX=${this.width}`, `BaseCY=${this.height}`, `OutputCX=${this.width}`, `OutputCY=${this.height}`, 'FPSType=0', 'FPSCommon=30', '',
        '[Audio]', 'SampleRate=48000', 'ChannelSetup=Stereo', '',
      ].join('\n'),
    );
  }

  /** Xvfb picks a free display number and writes it to fd 3 (`-displayfd`). */
  private async startXvfb(): Promise<void> {
    const log = fs.openSync(path.join(this.runDir, 'xvfb.log'), 'a');
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', log, log, 'pipe'] });
    fs.closeSync(log);
    this.xvfb = xvfb;
    const fd3 = xvfb.stdio[3] as net.Socket;
    this.display = await new Promise<string>((resolve, reject) => {
      let text = '';
      fd3.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(`:${text.trim()}`);
      });
      xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it picked a display`)));
      xvfb.once('error', reject);
    });
  }
}

/**
 * A test picture with known alphas: left half 0, right half 255, and a full-width band across the middle
 * fifth at `bandAlpha`. RGB is `rgb` everywhere (OBS keeps RGB under alpha 0, but tests assert on alpha).
 */
export function alphaPattern(width: number, height: number, bandAlpha: number, rgb: [number, number, number] = [200, 40, 90]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const inBand = y >= Math.floor(height * 0.4) && y < Math.floor(height * 0.6);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = rgb[0];
      rgba[i + 1] = rgb[1];
      rgba[i + 2] = rgb[2];
      rgba[i + 3] = inBand ? bandAlpha : x < width / 2 ? 0 : 255;
    }
  }
  return rgba;
}

/** Alphas at the middle of the pattern's four regions, as read back from a screenshot. */
export function patternAlphas(image: RgbaImage): { left: number; right: number; bandLeft: number; bandRight: number } {
  const at = (fx: number, fy: number) => image.rgba[(Math.floor(fy * image.height) * image.width + Math.floor(fx * image.width)) * 4 + 3];
  return { left: at(0.25, 0.2), right: at(0.75, 0.2), bandLeft: at(0.25, 0.5), bandRight: at(0.75, 0.5) };
}

/**
 * Sends `picture()` to `output` at `fps` like a live session would (fresh buffer per frame), counting
 * what was sent and dropped, until stopped.
 */
export function pumpFrames(output: LiveOutput, width: number, height: number, fps: number, picture: () => Uint8Array): { stop(): void; sent: number; dropped: number } {
  let index = 0;
  const counts = { sent: 0, dropped: 0 };
  const timer = setInterval(() => {
    const frame: LiveFrame = { index: index++, width, height, rgba: picture().slice(), capturedAt: performance.now() };
    if (output.send(frame)) counts.sent++;
    else counts.dropped++;
  }, 1000 / fps);
  return {
    stop: () => clearInterval(timer),
    get sent() {
      return counts.sent;
    },
    get dropped() {
      return counts.dropped;
    },
  };
}
