import { OnnxGraph } from '../onnx/onnx-graph';
import { buildDecode } from './decode';
import { buildEncodeFrame } from './encode-frame';
import { buildEncodeMask, buildEncodeMaskValue } from './encode-mask';
import { buildMemoryConsolidate, buildMemoryReadout } from './memory-readout';
import { buildReadout } from './readout';
import { WeightSource } from './weights';

/**
 * The stateless graphs a converted model consists of (spec §5). All recurrent state (memory bank, sensory,
 * object memory, previous frame) is the engine's; per frame it runs encode_frame → memory_readout → readout
 * → decode → encode_mask (memory frames) or encode_mask_value (spec §3.10); memory_consolidate moves old
 * working memory into long-term memory when that is on (§3.9).
 */
export const GRAPH_BUILDERS = {
  encode_frame: buildEncodeFrame,
  encode_mask: buildEncodeMask,
  encode_mask_value: buildEncodeMaskValue,
  memory_readout: buildMemoryReadout,
  memory_consolidate: buildMemoryConsolidate,
  readout: buildReadout,
  decode: buildDecode,
} as const satisfies Record<string, (w: WeightSource) => OnnxGraph>;

export type GraphName = keyof typeof GRAPH_BUILDERS;
export const GRAPH_NAMES = Object.keys(GRAPH_BUILDERS) as GraphName[];

/**
 * Graphs that stay float32 in a float16 model: the memory read decides top-k membership and its softmax has
 * no max subtraction (spec §4.1–4.2), and it has no weights to halve.
 */
export const ALWAYS_FLOAT32_GRAPHS: ReadonlySet<GraphName> = new Set(['memory_readout', 'memory_consolidate']);
