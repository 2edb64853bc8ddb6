import type { Precision } from '../models/model-manifest';
import type { ExecutionProviderName } from './providers';

/** `--precision`: a converted model's precision, or `auto`, chosen by the provider that will run it. */
export const PRECISION_CHOICES = ['auto', 'fp32', 'fp16'] as const;
export type PrecisionChoice = (typeof PRECISION_CHOICES)[number];

/**
 * `auto` is fp16 on a GPU provider (half the memory and bandwidth; within the official bf16 run's distance
 * from fp32, test/parity/engine-fp16.parity.test.ts) and fp32 on the CPU, where onnxruntime computes fp16
 * graphs through casts, slower and less exact.
 *
 * @param provider - the provider expected to run the model: the first of a (probed) provider order
 */
export function precisionFor(choice: PrecisionChoice, provider: ExecutionProviderName): Precision {
  if (choice !== 'auto') return choice;
  return provider === 'cpu' ? 'fp32' : 'fp16';
}
