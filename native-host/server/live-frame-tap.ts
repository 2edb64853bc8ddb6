import sharp from 'sharp';
import type { LiveFrameResult } from '../../bridge/live';
import type { LiveFrame, LiveOutput, LiveOutputState } from '../live/live-output';
import { LiveErrors } from './live-errors';

/** The longer side of getLiveFrame's PNG when the caller gives none: enough to draw on, quick to send. */
export const DEFAULT_LIVE_FRAME_SIZE = 1280;

/**
 * A {@link LiveOutput} that passes every frame on and keeps the latest one, so that the dock can draw a new
 * mask on what the session is matting now (getLiveFrame) and a drawing on the live matte (base `alpha`)
 * starts from that frame's alpha. Keeping a reference costs nothing: the session makes a fresh buffer per
 * frame and neither side writes into it after `send`.
 */
export class LiveFrameTap implements LiveOutput {
  private latest?: LiveFrame;

  constructor(private readonly output: LiveOutput) {}

  /** The last frame the session produced (sent to OBS or dropped there), or undefined before the first. */
  get frame(): LiveFrame | undefined {
    return this.latest;
  }

  send(frame: LiveFrame): boolean {
    this.latest = frame;
    return this.output.send(frame);
  }

  onState(listener: (s: LiveOutputState) => void): void {
    this.output.onState(listener);
  }

  close(): Promise<void> {
    return this.output.close();
  }

  /** The latest frame's picture (its own RGB, without the matte) as a base64 PNG at most `maxSize` on its longer side. */
  async png(maxSize = DEFAULT_LIVE_FRAME_SIZE): Promise<LiveFrameResult> {
    const frame = this.latest;
    if (!frame) throw LiveErrors.noFrameYet();
    let image = sharp(frame.rgba, { raw: { width: frame.width, height: frame.height, channels: 4 } }).removeAlpha();
    if (Math.max(frame.width, frame.height) > maxSize) image = image.resize({ width: maxSize, height: maxSize, fit: 'inside' });
    const png = await image.png().toBuffer({ resolveWithObject: true });
    return { png: png.data.toString('base64'), width: png.info.width, height: png.info.height, sourceWidth: frame.width, sourceHeight: frame.height, frame: frame.index };
  }

  /** The latest frame as RGB24 and its alpha in [0, 1], for masks drawn on it. */
  pixels(): { index: number; width: number; height: number; rgb: Uint8Array; alpha: Float32Array } {
    const frame = this.latest;
    if (!frame) throw LiveErrors.noFrameYet();
    const n = frame.width * frame.height;
    const rgb = new Uint8Array(n * 3);
    const alpha = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      rgb[i * 3] = frame.rgba[i * 4];
      rgb[i * 3 + 1] = frame.rgba[i * 4 + 1];
      rgb[i * 3 + 2] = frame.rgba[i * 4 + 2];
      alpha[i] = frame.rgba[i * 4 + 3] / 255;
    }
    return { index: frame.index, width: frame.width, height: frame.height, rgb, alpha };
  }
}
