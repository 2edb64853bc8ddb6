import { z } from 'zod';
import { HostPath, MaskInput } from './media';

/**
 * Live background removal (host feature 'live'): one session per host, frames from a camera or a looped file
 * through the engine into OBS. The OBS dock and any panel drive the same session with these methods and
 * follow it with the `liveStatus` event, which every paired client receives.
 */

/** Where the live frames come from. */
export const LiveInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    path: HostPath.describe('a video file or a folder of numbered frames, under an allowed root; played in a loop at its own rate'),
  }),
  z.object({
    kind: z.literal('camera'),
    device: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^\0-\x1f\x7f]+$/, 'no control characters')
      .describe('the camera as ffmpeg names it on this system: /dev/video0 (Linux), the device index (macOS), the device name (Windows)'),
    width: z.number().int().min(16).max(8192).optional(),
    height: z.number().int().min(16).max(8192).optional(),
    fps: z.number().positive().max(240).optional(),
  }),
]);
export type LiveInput = z.infer<typeof LiveInput>;

/**
 * A live mask: like a job's first mask, on the frame the session is at. A drawing's base `alpha` means the
 * current live matte (only in remaskLive), so that a few strokes touch it up.
 */
export const LiveMask = MaskInput;
export type LiveMask = z.infer<typeof LiveMask>;

/** The obs-websocket server to send the pictures to (OBS → Tools → WebSocket Server Settings). */
export const ObsConnection = z.object({
  url: z
    .string()
    .regex(/^wss?:\/\/[^\s/]+(\/\S*)?$/, 'a ws:// address such as ws://127.0.0.1:4455')
    .max(512)
    .describe('obs-websocket address, e.g. ws://127.0.0.1:4455'),
  password: z.string().max(512).optional().describe('the obs-websocket password, when authentication is on'),
});
export type ObsConnection = z.infer<typeof ObsConnection>;

/** A source's name in OBS. */
const ObsSourceName = z.string().min(1).max(256).regex(/^[^\0-\x1f\x7f]+$/, 'no control characters');

export const StartLiveParams = z.object({
  obs: ObsConnection,
  input: LiveInput,
  mask: LiveMask.describe('the subject on the first live frame'),
  sourceName: ObsSourceName.optional().describe('the Media Source that shows the matte in OBS (default "MatAnyone"; created in the program scene when missing)'),
  hideSource: ObsSourceName.optional().describe('a source in the program scene to hide while the matte shows (usually the camera it is made from)'),
  workSize: z.number().int().min(64).max(4096).optional().describe("the engine's shorter side in pixels; the matte is brought back to the input size"),
  model: z.string().min(1).max(4096).optional().describe('model folder, checkpoint or registry name'),
  reseed: z
    .object({
      everySeconds: z.number().positive().max(3600),
      minIou: z.number().positive().max(1).optional().describe('re-seed below this agreement (default 0.7)'),
    })
    .optional()
    .describe('drift guard: every N seconds compare the matte with the person under it, re-seed it when they disagree'),
});
export type StartLiveParams = z.infer<typeof StartLiveParams>;

export const LiveState = z.enum(['idle', 'starting', 'running', 'stopping', 'failed']);
export type LiveState = z.infer<typeof LiveState>;

export const ObsState = z.enum(['off', 'connecting', 'ready', 'reconnecting', 'failed']);
export type ObsState = z.infer<typeof ObsState>;

/** Where the live session stands; sent as `liveStatus` about once a second and on every change. */
export const LiveStatus = z.object({
  state: LiveState,
  obs: z.object({ state: ObsState, reason: z.string().optional().describe('why OBS is not ready, one sentence') }),
  input: z.string().optional().describe('what is being read (a file path or a camera)'),
  width: z.number().int().optional().describe('input frame size'),
  height: z.number().int().optional(),
  frames: z.number().int().min(0).describe('frames matted since the start'),
  fps: z.number().min(0).describe('frames matted per second over the last 5 s'),
  droppedIn: z.number().int().min(0).describe('input frames skipped because the engine was busy'),
  droppedOut: z.number().int().min(0).describe('matted frames OBS was not ready to take'),
  latencyMs: z.number().min(0).optional().describe('capture to handing the picture to OBS, mean over the last second with frames'),
  engineMs: z.number().min(0).optional().describe('engine time per frame, mean over the last second with frames'),
  remasks: z.number().int().min(0).describe('masks applied since the start (re-masks)'),
  reseeds: z.number().int().min(0).optional().describe('times the drift guard re-seeded the matte from the person mask'),
  message: z.string().optional().describe('one sentence for the user: why it failed or stopped'),
});
export type LiveStatus = z.infer<typeof LiveStatus>;

export const LiveFrameParams = z.object({
  maxSize: z.number().int().min(16).max(8192).optional().describe("the PNG's longer side at most (default 1280)"),
});

export const LiveFrameResult = z.object({
  png: z.string().describe('base64 PNG of the latest input frame'),
  width: z.number().int().describe('of the PNG'),
  height: z.number().int(),
  sourceWidth: z.number().int().describe('input frame size: masks are drawn in these pixels'),
  sourceHeight: z.number().int(),
  frame: z.number().int().min(0).describe('the live frame number'),
});
export type LiveFrameResult = z.infer<typeof LiveFrameResult>;

/** The live methods, merged into the protocol's `Methods`. */
export const LiveMethods = {
  /** Starts the host's live session; refused with LIVE_STATE while one runs. Resolves once frames flow to OBS or fails with why. */
  startLive: { params: StartLiveParams, result: LiveStatus },
  /** Stops the live session; the status it ended with. */
  stopLive: { params: z.object({}).strict(), result: LiveStatus },
  /** A new mask for the subject on the current frame; it enters the memory as a correction, the session goes on. */
  remaskLive: {
    params: z.object({ mask: LiveMask }),
    result: z.object({ frame: z.number().int().min(0).describe('the live frame the mask was applied to') }),
  },
  getLiveStatus: { params: z.object({}).strict(), result: LiveStatus },
  /** The latest input frame, for drawing a box or strokes to re-mask with. */
  getLiveFrame: { params: LiveFrameParams, result: LiveFrameResult },
} as const;

/** The live event, merged into the protocol's `Events`. */
export const LiveEvents = {
  liveStatus: LiveStatus,
} as const;
