import type { LiveInput, StartLiveParams } from '../../bridge/live';
import type { MaskInput } from '../../bridge/media';
import { HostError } from '../errors';
import type { LiveStartRequest } from './live-runner';

/** The router's path checks, as it applies them to jobs. */
export interface LivePathChecks {
  /** a video file or frame folder under the allowed roots → its real path */
  media(path: string): Promise<string>;
  /** a mask file under the roots → the mask with its real path; other kinds unchanged */
  mask(mask: MaskInput): Promise<MaskInput>;
  /** a model given as a path → `{model}` with its real path; a registry name as it is; none → the host's default */
  model(model: string | undefined): Promise<{ model?: string }>;
}

/**
 * A camera as ffmpeg's capture demuxer takes it. On Linux (v4l2) only `/dev/...` device nodes and bare
 * indices (`0` → /dev/video0) are taken: anything else would be a file path that skipped the allowed roots.
 * DirectShow and AVFoundation names are names, not paths; `:` would select an audio device on macOS.
 */
export function checkCameraDevice(device: string, platform: NodeJS.Platform = process.platform): void {
  const ok = platform === 'linux' ? /^(\d{1,3}|\/dev\/[A-Za-z0-9._\/-]+)$/.test(device) && !device.includes('..') : platform === 'darwin' ? !device.includes(':') : true;
  if (!ok)
    throw new HostError(
      'INVALID_ARGUMENT',
      platform === 'linux'
        ? `camera "${device}" is not a capture device: give /dev/video0 (or its index, 0)`
        : `camera "${device}" may not contain ":"; give the camera's name or index as ffmpeg lists it`,
    );
}

/**
 * startLive's parameters with every path checked against the allowed roots (the input file, a mask file, a
 * model given as a path), so that the live session only ever opens checked paths.
 *
 * @throws HostError PATH_NOT_ALLOWED, INVALID_ARGUMENT (a camera that is not a device; a drawing on base
 *   `alpha`, which needs a live matte and so belongs to remaskLive)
 */
export async function checkStartLive(params: StartLiveParams, check: LivePathChecks): Promise<LiveStartRequest> {
  if (params.mask.kind === 'drawing' && params.mask.base === 'alpha')
    throw new HostError('INVALID_ARGUMENT', "startLive: a drawing on base 'alpha' needs a live matte; draw on base 'empty', or re-mask once the session runs");
  const input: LiveInput = params.input.kind === 'file' ? { kind: 'file', path: await check.media(params.input.path) } : params.input;
  if (input.kind === 'camera') checkCameraDevice(input.device);
  return {
    obs: params.obs,
    input,
    mask: await check.mask(params.mask),
    ...(params.sourceName !== undefined ? { sourceName: params.sourceName } : {}),
    ...(params.hideSource !== undefined ? { hideSource: params.hideSource } : {}),
    ...(params.workSize !== undefined ? { workSize: params.workSize } : {}),
    ...(params.reseed !== undefined ? { reseed: params.reseed } : {}),
    ...(await check.model(params.model)),
  };
}
