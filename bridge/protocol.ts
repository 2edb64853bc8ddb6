import { z } from 'zod';
import { ErrorPayload } from './errors';
import { CorrectMaskParams, JobFrameParams, JobFrameResult, JobId, JobInfo, JobProgress, OutputFileInfo, SubmitMatteParams } from './jobs';
import { LiveEvents, LiveMethods } from './live';
import { FrameIndex, FrameRate, HostPath } from './media';
import { RefineStillParams, RefineStillResult } from './still';

/**
 * The protocol between panels (Premiere / Photoshop UXP, the OBS dock) and the host, declared once: every
 * message is JSON over one WebSocket (`ws://127.0.0.1:47860/bridge`). Panels send requests; the host sends
 * one response per request (same `id`) and events. Bump the version for incompatible changes.
 */
export const PROTOCOL_VERSION = 2;

/**
 * What this host offers beyond protocol 2's base, as hello announces it: panels enable a feature only when
 * it is listed (later hosts may add names; panels must ignore names they do not know).
 * - drawingMasks: MaskInput kind 'drawing' (boxes and strokes, erase, base 'alpha' in correctMask)
 * - jobFrames: getJobFrame
 * - live: startLive, stopLive, remaskLive, getLiveStatus, getLiveFrame and the liveStatus event (see live.ts)
 * - refineStill: refineStill
 * - versionedOutputs: a render after a correction writes new file names (`matte-v2.mov`…)
 */
export const HOST_FEATURES = ['autoMask', 'drawingMasks', 'jobFrames', 'live', 'refineStill', 'versionedOutputs'] as const;
export type HostFeature = (typeof HOST_FEATURES)[number];
/** The host refuses larger messages (a 4K mask PNG in base64 is well under this). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_PORT = 47860;

/** Each method's parameters and result. */
export const Methods = {
  /** First message of every connection: the pairing token and who is calling. */
  hello: {
    params: z.object({
      token: z.string().min(1).max(256).describe('pairing token (`matanyone serve` prints how to get it)'),
      protocol: z.literal(PROTOCOL_VERSION),
      client: z.object({
        name: z.string().min(1).max(64).regex(/^[A-Za-z0-9._ -]+$/),
        version: z.string().max(32).optional(),
        host: z.string().max(64).optional().describe('premierepro, photoshop, obs…'),
        instance: z
          .string()
          .regex(/^[A-Za-z0-9_-]{8,64}$/)
          .optional()
          .describe('a random id the panel keeps across sessions, so that it sees its jobs again after a reconnect'),
      }),
    }),
    result: z.object({
      host: z.object({ version: z.string(), protocol: z.number(), features: z.array(z.string()).describe('see HOST_FEATURES') }),
      clientId: z.string(),
    }),
  },
  /** Queues a matte job; progress and the result come as events. */
  submitMatte: { params: SubmitMatteParams, result: z.object({ jobId: JobId, position: z.number().int().min(0).describe('jobs ahead in the queue') }) },
  cancelJob: { params: z.object({ jobId: JobId }), result: z.object({ state: z.string() }) },
  /** Re-runs a job from `frame` with a corrected mask; frames before it are kept. */
  correctMask: { params: CorrectMaskParams, result: z.object({ jobId: JobId, fromFrame: FrameIndex }) },
  getJob: { params: z.object({ jobId: JobId }), result: JobInfo },
  listJobs: { params: z.object({}).strict(), result: z.object({ jobs: z.array(JobInfo) }) },
  /** A frame of the media as a PNG, for the panel to draw a mask on. */
  getPreview: {
    params: z.object({ media: HostPath, frame: FrameIndex.default(0), maxSize: z.number().int().min(16).max(8192).optional(), frameRate: FrameRate.optional() }),
    result: z.object({
      png: z.string().describe('base64 PNG'),
      width: z.number().int().describe('of the PNG'),
      height: z.number().int(),
      sourceWidth: z.number().int(),
      sourceHeight: z.number().int(),
      frameCount: z.number().int().optional(),
      frameRate: FrameRate,
    }),
  },
  /** A frame of a job with its matte over it (for panels that cannot composite); owner only, as getJob. */
  getJobFrame: { params: JobFrameParams, result: JobFrameResult },
  /** The first-frame procedure on one still image (Photoshop); one at a time, queued. */
  refineStill: { params: RefineStillParams, result: RefineStillResult },
  ...LiveMethods,
} as const;

export type Method = keyof typeof Methods;
export type Params<M extends Method> = z.input<(typeof Methods)[M]['params']>;
export type Result<M extends Method> = z.infer<(typeof Methods)[M]['result']>;

const RequestId = z.union([z.string().min(1).max(64), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);

/** A request as sent; `params` is checked against the method's schema by `parseRequest`. */
export const RequestEnvelope = z.object({
  type: z.literal('request'),
  id: RequestId,
  method: z.string().max(64),
  params: z.unknown(),
});

export const ResponseMessage = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: RequestId.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: RequestId.nullable().describe('null when the request could not be read'), ok: z.literal(false), error: ErrorPayload }),
]);
export type ResponseMessage = z.infer<typeof ResponseMessage>;

/** Events: what happened to a job (each client receives the events of its own jobs), and the live session's status (every client). */
export const Events = {
  jobQueued: z.object({ jobId: JobId, position: z.number().int().min(0) }),
  jobStarted: z.object({ jobId: JobId, resumedFrom: FrameIndex.optional().describe('set when resumed after a restart or a correction') }),
  jobProgress: JobProgress,
  jobFinished: z.object({ jobId: JobId, outputs: z.array(OutputFileInfo) }),
  jobFailed: z.object({ jobId: JobId, error: ErrorPayload }),
  jobCancelled: z.object({ jobId: JobId }),
  ...LiveEvents,
} as const;
export type EventName = keyof typeof Events;
export type EventData<E extends EventName> = z.infer<(typeof Events)[E]>;

export const EventMessage = z.object({ type: z.literal('event'), event: z.enum(Object.keys(Events) as [EventName, ...EventName[]]), data: z.unknown() });

export type ParsedRequest = { [M in Method]: { id: z.infer<typeof RequestId>; method: M; params: z.infer<(typeof Methods)[M]['params']> } }[Method];

/** Why a message could not be taken: the error to answer with, and the request id if it was readable. */
export class ProtocolError extends Error {
  constructor(
    readonly payload: ErrorPayload,
    readonly id: string | number | null,
  ) {
    super(payload.message);
  }
}

function firstIssue(e: z.ZodError): string {
  const issue = e.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'message';
  return `${where}: ${issue.message}`;
}

/**
 * Parses one text frame into a typed request, or throws ProtocolError with the code to answer: BAD_MESSAGE
 * (not JSON / not a request / bad params), UNKNOWN_METHOD.
 */
export function parseRequest(text: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError({ code: 'BAD_MESSAGE', message: 'the message is not JSON' }, null);
  }
  const envelope = RequestEnvelope.safeParse(json);
  const id = typeof json === 'object' && json !== null && RequestId.safeParse((json as { id?: unknown }).id).success ? ((json as { id: string | number }).id) : null;
  if (!envelope.success) throw new ProtocolError({ code: 'BAD_MESSAGE', message: `not a request: ${firstIssue(envelope.error)}` }, id);
  const { method } = envelope.data;
  if (!Object.prototype.hasOwnProperty.call(Methods, method))
    throw new ProtocolError({ code: 'UNKNOWN_METHOD', message: `unknown method "${method}"; methods: ${Object.keys(Methods).join(', ')}` }, envelope.data.id);
  const schema = Methods[method as Method].params;
  const params = schema.safeParse(envelope.data.params ?? {});
  if (!params.success) throw new ProtocolError({ code: 'BAD_MESSAGE', message: `${method}: ${firstIssue(params.error)}` }, envelope.data.id);
  return { id: envelope.data.id, method, params: params.data } as ParsedRequest;
}
