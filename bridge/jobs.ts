import { z } from 'zod';
import { ErrorPayload } from './errors';
import { FrameIndex, FrameRate, HostPath, MaskInput, OutputRequest } from './media';

export const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).describe('job id, as the host gave it');

export const JobState = z.enum(['queued', 'running', 'finished', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

/** One target of a job: its mask on the first frame of the range. */
export const TargetRequest = z.object({
  name: z.string().min(1).max(64).regex(/^[^/\\\0]+$/).optional().describe('label, also the output subfolder with several targets'),
  mask: MaskInput,
});

/** The official procedure's settings, defaults as `matanyone matte`. */
export const MatteSettings = z.object({
  warmup: z.number().int().min(0).max(100).optional(),
  dilate: z.number().int().min(0).max(100).optional(),
  erode: z.number().int().min(0).max(100).optional(),
  maxSize: z.number().int().min(64).max(8192).optional(),
  longTerm: z.boolean().optional(),
});

export const SubmitMatteParams = z.object({
  media: HostPath.describe('video file or folder of numbered frames'),
  range: z.object({ from: FrameIndex.optional(), to: FrameIndex.optional() }).optional().describe('inclusive; masks are for `from`'),
  frameRate: FrameRate.optional().describe('for frame folders (default 24/1)'),
  targets: z.array(TargetRequest).min(1).max(8),
  outputs: z.array(OutputRequest).min(1).max(4),
  outDir: HostPath.optional().describe('where the outputs go (default: a folder next to the media)'),
  model: z.string().min(1).max(4096).optional().describe('model folder, checkpoint or registry name'),
  settings: MatteSettings.optional(),
});
export type SubmitMatteParams = z.infer<typeof SubmitMatteParams>;

export const OutputFileInfo = z.object({
  target: z.string(),
  kind: z.enum(['alpha', 'prores4444', 'luma', 'composite']),
  path: z.string(),
});
export type OutputFileInfo = z.infer<typeof OutputFileInfo>;

export const JobProgress = z.object({
  jobId: JobId,
  phase: z.enum(['matte', 'render']).describe('matte: computing alphas; render: writing the movies'),
  frame: z.number().int().min(0).describe('frames done in this phase'),
  total: z.number().int().min(0).optional(),
  fps: z.number().min(0),
  etaSeconds: z.number().min(0).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobInfo = z.object({
  jobId: JobId,
  state: JobState,
  media: z.string(),
  createdAt: z.string(),
  range: z
    .object({ from: FrameIndex, to: FrameIndex.optional().describe('last frame (from + frameTotal − 1), once known') })
    .describe('source frames of the job, inclusive'),
  frameTotal: z.number().int().min(0).optional().describe('frames in the range, once known'),
  version: z
    .number()
    .int()
    .min(1)
    .describe('which render of the outputs this is: 1 first, +1 per correction after a finished render (files of n ≥ 2 are named -v<n>)'),
  progress: JobProgress.optional(),
  outputs: z.array(OutputFileInfo).optional(),
  error: ErrorPayload.optional(),
  /** corrections applied, frame numbers */
  corrections: z.array(FrameIndex).optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

/** One target of a job, by index or by name. */
export const TargetRef = z.union([z.number().int().min(0).max(7), z.string().min(1).max(64)]).default(0).describe('target index or name');

export const CorrectMaskParams = z.object({
  jobId: JobId,
  frame: FrameIndex.describe('source frame number the mask is for'),
  target: TargetRef,
  mask: MaskInput,
});
export type CorrectMaskParams = z.infer<typeof CorrectMaskParams>;

/** getJobFrame: one source frame of a job with its matte drawn over it. */
export const JobFrameParams = z.object({
  jobId: JobId,
  frame: FrameIndex.describe('source frame number'),
  target: TargetRef,
  maxSize: z.number().int().min(16).max(8192).optional().describe("the PNG's longer side at most (default 1920)"),
});
export type JobFrameParams = z.infer<typeof JobFrameParams>;

export const JobFrameResult = z.object({
  png: z
    .string()
    .describe('base64 PNG: subject pixels as they are, background darkened and tinted: rgb·α + (0.25·rgb + 0.35·magenta)·(1 − α)'),
  width: z.number().int().describe('of the PNG'),
  height: z.number().int(),
  sourceWidth: z.number().int(),
  sourceHeight: z.number().int(),
  frame: FrameIndex,
  hasAlpha: z.boolean().describe('false: the job has not computed this frame yet; the PNG is the plain frame'),
});
export type JobFrameResult = z.infer<typeof JobFrameResult>;
