import * as ort from 'onnxruntime-node';
import { buildDecode } from '../../native-host/convert/graphs/decode';
import { buildEncodeFrame } from '../../native-host/convert/graphs/encode-frame';
import { buildEncodeMask } from '../../native-host/convert/graphs/encode-mask';
import { buildReadout } from '../../native-host/convert/graphs/readout';
import { toFloat16 } from '../../native-host/convert/onnx/to-float16';
import { expectParity, F32Tensor, fixtureWeights, intermediate, paddedFrame, runGraph, toOrt } from '../support/parity-fixture';

/**
 * The float16 export against the official float32 intermediates. Half precision carries ~3 significant
 * digits (ulp 2^-11 relative) and the errors compound through the ResNets, so each module is held to 1% of
 * its value scale: loose enough for half, tight enough that a wrong cast, an overflow or a weight left out
 * of the conversion fails. (Measured: 2e-4 … 1e-3 of scale; sensory 6e-3.) On CPU onnxruntime runs the
 * half graphs through its cast fallbacks, so this checks the graph, not GPU kernels.
 */
const HALF = { scaleRelative: 1e-2 };
const perObject = (t: F32Tensor) => toOrt(t, [1, ...t.shape.slice(t.shape.length === 5 && t.shape[2] === 1 ? 3 : 2)]);

describe('fp16 export (float16 graphs vs official fp32 intermediates)', () => {
  const weights = fixtureWeights();

  test('encode_frame, encode_mask, readout and decode stay within half-precision error', async () => {
    const image = toOrt(await paddedFrame(0));
    const pixFeat = toOrt(intermediate('call0.encode_image.out.pix_feat'));

    const frame = await runGraph(toFloat16(buildEncodeFrame(weights)), { image });
    for (const k of ['f16', 'f8', 'f4', 'f2', 'pix_feat']) expectParity(`fp16 encode_image ${k}`, frame[k], intermediate(`call0.encode_image.out.${k}`), HALF);
    for (const k of ['key', 'shrinkage', 'selection']) expectParity(`fp16 transform_key ${k}`, frame[k], intermediate(`call0.transform_key.out.${k}`), HALF);

    const mask = await runGraph(toFloat16(buildEncodeMask(weights)), {
      image,
      pix_feat: pixFeat,
      sensory: perObject(intermediate('call1.encode_mask.in.sensory')),
      mask: toOrt(intermediate('call1.encode_mask.in.masks')),
    });
    expectParity('fp16 encode_mask mask_value', mask.mask_value, intermediate('call1.encode_mask.out.mask_value'), HALF);
    expectParity('fp16 encode_mask sensory', mask.new_sensory, intermediate('call1.encode_mask.out.sensory'), HALF);
    expectParity('fp16 encode_mask obj_summaries', mask.obj_summary, intermediate('call1.encode_mask.out.obj_summaries'), HALF);

    const previousValue = perObject(intermediate('call1.pixel_fusion.in.pixel'));
    const readout = await runGraph(toFloat16(buildReadout(weights)), {
      pix_feat: pixFeat,
      last_pix_feat: pixFeat,
      visual_readout: previousValue,
      last_msk_value: previousValue,
      use_memory: new ort.Tensor('bool', Uint8Array.from([0]), []),
      sensory: perObject(intermediate('call1.pixel_fusion.in.sensory')),
      last_mask: toOrt(intermediate('call1.pixel_fusion.in.last_mask')),
      obj_memory: perObject(intermediate('call1.readout_query.in.obj_memory')),
    });
    expectParity('fp16 pixel_fusion', readout.pixel_readout, intermediate('call1.pixel_fusion.out'), HALF);
    expectParity('fp16 readout_query', readout.mem_readout, intermediate('call1.readout_query.out'), HALF);

    const decode = await runGraph(toFloat16(buildDecode(weights)), {
      image,
      ...Object.fromEntries(['f8', 'f4', 'f2'].map((f) => [f, toOrt(intermediate(`call0.encode_image.out.${f}`))])),
      mem_readout: perObject(intermediate('call1.readout_query.out')),
      sensory: perObject(intermediate('call1.pixel_fusion.in.sensory')),
    });
    expectParity('fp16 mask_decoder logits', decode.logits, intermediate('call1.mask_decoder.out.logits'), HALF);
    expectParity('fp16 mask_decoder sensory', decode.new_sensory, intermediate('call1.mask_decoder.out.sensory'), HALF);
  });
});
