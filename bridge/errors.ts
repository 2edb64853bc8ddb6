import { z } from 'zod';

/**
 * Stable error codes shared by the host, the CLI and every panel. A code names a failure the user can act
 * on; `INTERNAL` is a bug on our side (the host log has the stack).
 */
export const ErrorCode = z
  .enum([
    'CHECKPOINT_NOT_FOUND',
    'CHECKPOINT_LEGACY_FORMAT',
    'CHECKPOINT_CORRUPT',
    'CHECKPOINT_FOREIGN',
    'MODEL_NOT_FOUND',
    'MODEL_INVALID',
    'MODEL_UNKNOWN',
    'DOWNLOAD_FAILED',
    'CHECKSUM_MISMATCH',
    'INVALID_ARGUMENT',
    'FFMPEG_NOT_FOUND',
    'VIDEO_UNREADABLE',
    'MASK_NOT_FOUND',
    'MASK_UNREADABLE',
    'MASK_EMPTY',
    'MASK_ASPECT_MISMATCH',
    'NO_PERSON',
    'OUTPUT_FAILED',
    // the host protocol
    'UNAUTHORIZED',
    'BAD_MESSAGE',
    'MESSAGE_TOO_LARGE',
    'UNKNOWN_METHOD',
    'PROTOCOL_VERSION',
    'RATE_LIMITED',
    'PATH_NOT_ALLOWED',
    'JOB_NOT_FOUND',
    'JOB_STATE',
    'QUEUE_FULL',
    // live sessions
    'LIVE_STATE',
    'OBS_UNAVAILABLE',
    'INTERNAL',
  ])
  .describe('stable machine-readable error code');
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The wire form of an error: a stable code and one human sentence. */
export const ErrorPayload = z.object({
  code: ErrorCode,
  message: z.string().describe('one line a person can act on'),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;
