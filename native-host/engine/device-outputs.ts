import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../convert/graphs';
import type { ExecutionProviderName } from './providers';

/**
 * Graph outputs the engine only feeds to another graph of the same frame, or never reads: on a provider
 * that can hand them over in device memory they stay there (onnxruntime's `preferredOutputLocation`), so a
 * frame's host↔device traffic is the frame in, the alphas and the recurrent state out. The decoder's skip
 * features f8/f4/f2 are most of it (1080p: 335 MB a frame each way). What the engine keeps across frames
 * (memory keys and values, sensory, the previous frame's features) stays on the host: it is the state that
 * snapshots save, and a provider that fails must leave it readable.
 */
const DEVICE_RESIDENT: Partial<Record<GraphName, string[]>> = {
  encode_frame: ['f16', 'f8', 'f4', 'f2'],
  readout: ['mem_readout', 'pixel_readout', 'uncert_logits', 'uncert_prob'],
  decode: ['logits'],
};

/**
 * Where `graph`'s outputs go on `provider`. Only WebGPU: onnxruntime-node hands device tensors over as
 * `gpu-buffer` for WebGPU alone (its CUDA tensors are not exposed to JavaScript), and a `gpu-buffer` tensor
 * fed to a CPU session is read as garbage, so nothing else may see one (see FallbackRunner).
 */
export function deviceOutputLocation(graph: GraphName, provider: ExecutionProviderName): ort.InferenceSession.SessionOptions['preferredOutputLocation'] {
  const names = DEVICE_RESIDENT[graph];
  if (provider !== 'webgpu' || !names) return undefined;
  return Object.fromEntries(names.map((n) => [n, 'gpu-buffer' as const]));
}

/** True for a tensor in device memory (an output kept there by an earlier run). */
export function isDeviceTensor(t: ort.Tensor): boolean {
  return t.location !== 'cpu' && t.location !== 'cpu-pinned';
}

/** Releases the device memory of tensors the engine is done with (a no-op for host tensors it no longer reads). */
export function disposeDeviceTensors(...tensors: (ort.Tensor | undefined)[]): void {
  for (const t of tensors) if (t && t.location === 'gpu-buffer') t.dispose();
}
