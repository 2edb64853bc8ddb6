import * as fs from 'fs';
import * as path from 'path';
import type { LiveInput, LiveStatus } from '../../bridge/live';
import type { MaskInput } from '../../bridge/media';
import { EXECUTION_PROVIDERS } from '../engine/providers';
import { HostError } from '../errors';
import { streamLog } from '../server/host-log';
import { createLiveRunner } from '../server/live-runner-impl';
import { DEFAULT_SOURCE_NAME } from '../server/live-runner';
import { integer, oneOf, parseBox, parseCommandArgs, positiveNumber } from './args';
import { ProgressLine } from './progress-line';

export const LIVE_HELP = `Usage: matanyone live --obs ws://127.0.0.1:4455 --input <camera|file> --mask <png|auto> [options]

Mattes a camera (or a file, looped) live and shows the subject over transparency in OBS, as a Media Source
in the current scene. Runs until Ctrl-C. OBS: Tools → WebSocket Server Settings (enable it; the password
is there).

  --obs URL             obs-websocket address (default ws://127.0.0.1:4455)
  --password P          obs-websocket password (or the OBS_WEBSOCKET_PASSWORD environment variable)
  --input IN            a camera as ffmpeg names it (/dev/video0 on Linux, the device index on macOS,
                        the device name on Windows), or a video file, played in a loop
  --camera-size WxH     ask the camera for this size (e.g. 1280x720)
  --camera-fps N        ask the camera for this rate
  --mask M              the subject on the first frame: a PNG (non-zero = subject), or auto (the people
                        found on it)
  --box X,Y,W,H         with --mask auto: only the people this box touches
  --source NAME         the Media Source to create or reuse in OBS (default "${DEFAULT_SOURCE_NAME}")
  --hide-source NAME    hide this source (the camera) while the matte shows; shown again at the end
  --work-size N         the engine's shorter side in pixels (default 288: 1280x720 → 512x288); the
                        matte is brought back to the input's size along its edges
  --reseed SECONDS      drift guard: every SECONDS, compare the matte with the person under it and
                        re-seed it when they disagree (below --reseed-iou, default 0.7)
  --reseed-iou X
  --model M             model folder, checkpoint or registry name (default: matanyone2)
  --ep EP               auto | cpu | cuda | dml | coreml | webgpu (default auto)
  --threads N           CPU threads for the engine

Frames are dropped, never queued: what OBS shows is at most a frame or two behind the camera plus the
engine's time. The status line shows fps, frames dropped and latency.
`;

/** A file path or a camera device: a path that exists and is not a device node is a file. */
function liveInput(text: string, size: string | undefined, fps: number | undefined): LiveInput {
  const isDevice = /^\/dev\//.test(text) || /^\d+$/.test(text) || (process.platform === 'win32' && !fs.existsSync(text));
  if (!isDevice) {
    if (!fs.existsSync(text)) throw new HostError('INVALID_ARGUMENT', `live: --input ${text} is neither a camera (/dev/video0, an index, a device name) nor a file`);
    return { kind: 'file', path: path.resolve(text) };
  }
  const wh = size ? /^(\d+)x(\d+)$/.exec(size) : undefined;
  if (size && !wh) throw new HostError('INVALID_ARGUMENT', `--camera-size: "${size}" should be WIDTHxHEIGHT, e.g. 1280x720`);
  return { kind: 'camera', device: text, ...(wh ? { width: Number(wh[1]), height: Number(wh[2]) } : {}), ...(fps ? { fps } : {}) };
}

/** One status line: state, OBS, fps, drops and latency. */
export function describeLive(s: LiveStatus): string {
  const obs = s.obs.state === 'ready' ? 'OBS ok' : `OBS ${s.obs.state}${s.obs.reason ? ` (${s.obs.reason})` : ''}`;
  if (s.state !== 'running') return `live: ${s.state}${s.message ? `: ${s.message}` : ''} · ${obs}`;
  const figures = [
    `${s.fps.toFixed(1)} fps`,
    `dropped ${s.droppedIn} in / ${s.droppedOut} out`,
    ...(s.latencyMs !== undefined ? [`latency ${s.latencyMs} ms`] : []),
    ...(s.engineMs !== undefined ? [`engine ${s.engineMs} ms`] : []),
    ...(s.reseeds ? [`${s.reseeds} re-seeds`] : []),
  ];
  return `live: ${s.frames} frames · ${figures.join(' · ')} · ${obs}${s.message ? ` · ${s.message}` : ''}`;
}

export async function liveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('live', argv, {
    obs: { type: 'string', default: 'ws://127.0.0.1:4455' },
    password: { type: 'string' },
    input: { type: 'string', short: 'i' },
    'camera-size': { type: 'string' },
    'camera-fps': { type: 'string' },
    mask: { type: 'string', short: 'm' },
    box: { type: 'string' },
    source: { type: 'string' },
    'hide-source': { type: 'string' },
    'work-size': { type: 'string' },
    reseed: { type: 'string' },
    'reseed-iou': { type: 'string' },
    model: { type: 'string' },
    ep: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(LIVE_HELP);
    return 0;
  }
  if (!values.input) throw new HostError('INVALID_ARGUMENT', 'live: --input <camera|file> is required (see `matanyone live --help`)');
  if (!values.mask) throw new HostError('INVALID_ARGUMENT', 'live: --mask <png|auto> is required');
  const auto = values.mask === 'auto';
  if (values.box !== undefined && !auto) throw new HostError('INVALID_ARGUMENT', 'live: --box selects people for --mask auto; give --mask auto');
  const mask: MaskInput = auto
    ? { kind: 'auto', ...(values.box !== undefined ? { box: parseBox(values.box as string) } : {}) }
    : { kind: 'path', path: path.resolve(values.mask as string) };
  const reseedSeconds = positiveNumber('reseed', values.reseed as string | undefined);
  const reseedIou = positiveNumber('reseed-iou', values['reseed-iou'] as string | undefined, 1);
  if (reseedIou !== undefined && reseedSeconds === undefined) throw new HostError('INVALID_ARGUMENT', 'live: --reseed-iou goes with --reseed SECONDS');
  const input = liveInput(values.input as string, values['camera-size'] as string | undefined, positiveNumber('camera-fps', values['camera-fps'] as string | undefined, 240));
  const workSize = integer('work-size', values['work-size'] as string | undefined, 64, 4096);

  const runner = createLiveRunner({
    log: streamLog(),
    providers: oneOf('execution provider', values.ep as string, EXECUTION_PROVIDERS),
    threads: integer('threads', values.threads as string | undefined, 1),
  });
  const line = new ProgressLine();
  let last: LiveStatus | undefined;
  runner.onStatus((s) => {
    // State changes get their own line; running figures update one line in place.
    if (last && last.state !== s.state) line.done();
    last = s;
    line.update(describeLive(s));
  });

  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const onSigint = () => {
      if (stopping) process.exit(130);
      stopping = true;
      line.done('live: stopping (Ctrl-C again to quit at once)');
      resolve();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
  });
  try {
    await runner.start({
      obs: { url: values.obs as string, password: (values.password as string | undefined) ?? process.env.OBS_WEBSOCKET_PASSWORD },
      input,
      mask,
      ...(values.source ? { sourceName: values.source as string } : {}),
      ...(values['hide-source'] ? { hideSource: values['hide-source'] as string } : {}),
      ...(workSize !== undefined ? { workSize } : {}),
      ...(values.model ? { model: values.model as string } : {}),
      ...(reseedSeconds !== undefined ? { reseed: { everySeconds: reseedSeconds, minIou: reseedIou } } : {}),
    });
    // Runs until Ctrl-C, or until the session fails by itself (the engine died).
    const failed = new Promise<void>((resolve) => runner.onStatus((s) => s.state === 'failed' && resolve()));
    await Promise.race([stopped, failed]);
    if (runner.status().state === 'failed') {
      line.done();
      process.stderr.write(`live: ${runner.status().message ?? 'the session failed'}\n`);
      return 1;
    }
    await runner.stop().catch(() => undefined);
    line.done();
    return 0;
  } finally {
    await runner.close();
    line.done();
  }
}
