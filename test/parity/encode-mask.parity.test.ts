import { buildEncodeMask, buildEncodeMaskValue } from '../../native-host/convert/graphs/encode-mask';
import { expectParity, fixtureWeights, intermediate, paddedFrame, runGraph, toOrt } from '../support/parity-fixture';

/** Drops the official object axis: `[1,1,C,h,w]` → `[1,C,h,w]`, `[1,1,16,257]` → `[1,16,257]`. */
const squeezeObject = (shape: number[]): number[] => [1, ...shape.slice(2)];

// Object summaries are sums over all h·w tokens and reach |x| ≈ 1,300, where one fp32 ulp is 1.2e-4: an
// absolute 1e-4 is below the format's resolution, so they are held to their scale (as f16 is).
const SUMMARY_BOUND = { scaleRelative: 2e-6 };

describe('encode_mask parity (official intermediates, fp32)', () => {
  const weights = fixtureWeights();
  const graph = buildEncodeMask(weights);

  // call0: the given first-frame mask; call1: the first prediction of frame 0; call5: frame 1 (a memory
  // frame is not due there, but encode_mask is still recorded with its summaries).
  test.each([
    ['call0', 0],
    ['call1', 0],
    ['call5', 1],
  ])('%s: mask value, sensory and object summaries', async (call, frame) => {
    const pixFeat = intermediate(`${call === 'call5' ? 'call5' : 'call0'}.encode_image.out.pix_feat`);
    const sensoryIn = intermediate(`${call === 'call5' ? 'call5.encode_mask.in.sensory' : `${call}.encode_mask.in.sensory`}`);
    const mask = intermediate(`${call}.encode_mask.in.masks`);
    const out = await runGraph(graph, {
      image: toOrt(await paddedFrame(frame)),
      pix_feat: toOrt(pixFeat),
      sensory: toOrt(sensoryIn, squeezeObject(sensoryIn.shape)),
      mask: toOrt(mask),
    });
    expectParity(`${call} encode_mask mask_value`, out.mask_value, intermediate(`${call}.encode_mask.out.mask_value`));
    expectParity(`${call} encode_mask obj_summaries`, out.obj_summary, intermediate(`${call}.encode_mask.out.obj_summaries`), SUMMARY_BOUND);
    if (call !== 'call5') expectParity(`${call} encode_mask sensory`, out.new_sensory, intermediate(`${call}.encode_mask.out.sensory`));
  });

  test('the value-only variant computes the same value', async () => {
    const feeds = {
      image: toOrt(await paddedFrame(0)),
      pix_feat: toOrt(intermediate('call0.encode_image.out.pix_feat')),
      mask: toOrt(intermediate('call1.encode_mask.in.masks')),
    };
    const out = await runGraph(buildEncodeMaskValue(weights), feeds);
    expectParity('call1 encode_mask_value mask_value', out.mask_value, intermediate('call1.encode_mask.out.mask_value'));
  });
});
