import { z } from 'zod';

/** Bumped whenever the converter's graphs change in a way that invalidates converted folders. */
export const CONVERTER_VERSION = '1.2.0'; // 1.2.0: no shape arithmetic in the graphs (all nodes on GPU providers)
export const MODEL_MANIFEST_FILE = 'model.json';

const ValueInfo = z.object({
  name: z.string(),
  type: z.enum(['float32', 'float16', 'int64', 'bool', 'int32', 'uint8']),
  dims: z.array(z.union([z.number().int(), z.string()])),
});

/**
 * `model.json` of a converted model folder: what was converted from what, by which converter, and the
 * graphs with their inputs and outputs. Written last, so a folder without it is incomplete.
 */
export const ModelManifest = z.object({
  format: z.literal('matanyone-onnx'),
  architecture: z.literal('matanyone').describe('MatAnyone and MatAnyone 2 share one architecture'),
  converterVersion: z.string(),
  precision: z.enum(['fp32', 'fp16']),
  opset: z.number().int(),
  source: z.object({
    file: z.string().describe('file name of the checkpoint converted'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int(),
    maskStemChannels: z.number().int().describe('4, or 5 in the multi-object layout (the 5th is dropped)'),
  }),
  graphs: z.record(
    z.string(),
    z.object({
      file: z.string(),
      bytes: z.number().int(),
      precision: z.enum(['fp32', 'fp16']),
      inputs: z.array(ValueInfo),
      outputs: z.array(ValueInfo),
    }),
  ),
  createdAt: z.string(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;
export type Precision = ModelManifest['precision'];
