import type { MemoryStore } from './memory/memory-store';

/** Object memory: 16 summaries × (256 sums + area), a running sum over memory frames (spec §3.4). */
export const OBJ_MEMORY_SIZE = 16 * 257;

/**
 * The recurrent state of one target (one matte), named as in the official InferenceCore / MemoryManager.
 * Padded sizes: H×W frame, h×w = H/16 × W/16 tokens.
 */
export interface TargetState {
  /** sensory `[256,h,w]` (GRU hidden state) */
  sensory: Float32Array;
  /** obj_v running sum `[16,257]` */
  objMemory: Float32Array;
  /** last_msk_value: mask value of the previous frame's alpha `[256,h,w]` */
  lastMaskValue: Float32Array;
  /** last_mask: previous alpha, padded `[H,W]` */
  lastMask: Float32Array;
  /** last_pix_feat `[256,h,w]` */
  lastPixFeat: Float32Array;
  memory: MemoryStore;
  /** last_mem_ti: frame index of the last memory write */
  lastMemoryFrame: number;
}
