import { buildDecode } from '../../native-host/convert/graphs/decode';
import { buildEncodeFrame } from '../../native-host/convert/graphs/encode-frame';
import { expectParity, fixtureWeights, intermediate, paddedFrame, runGraph, toOrt } from '../support/parity-fixture';

const dropObject = (shape: number[]): number[] => [1, ...shape.slice(2)];

describe('decode parity (official intermediates, fp32)', () => {
  const weights = fixtureWeights();
  const decode = buildDecode(weights);

  // call1 decodes frame 0 (first-frame prediction), call5 frame 1 (first propagated frame). The fixture has
  // f8/f4/f2 of frame 0 only, so frame 1's skips come from our encode_frame (itself parity-tested).
  test.each([
    ['call1', 0],
    ['call5', 1],
  ])('%s: logits and sensory from the memory readout', async (call, frame) => {
    const image = toOrt(await paddedFrame(frame));
    const skips =
      frame === 0
        ? Object.fromEntries(['f8', 'f4', 'f2'].map((f) => [f, toOrt(intermediate(`call0.encode_image.out.${f}`))]))
        : await runGraph(buildEncodeFrame(weights), { image }).then((o) => Object.fromEntries(['f8', 'f4', 'f2'].map((f) => [f, toOrt(o[f])])));
    const readout = intermediate(`${call}.readout_query.out`);
    const sensory = intermediate(`${call}.pixel_fusion.in.sensory`);
    const out = await runGraph(decode, {
      image,
      ...skips,
      mem_readout: toOrt(readout, dropObject(readout.shape)),
      sensory: toOrt(sensory, dropObject(sensory.shape)),
    });
    expectParity(`${call} mask_decoder logits`, out.logits, intermediate(`${call}.mask_decoder.out.logits`));
    expectParity(`${call} mask_decoder sensory`, out.new_sensory, intermediate(`${call}.mask_decoder.out.sensory`));
    const expectedLogits = intermediate(`${call}.mask_decoder.out.logits`).data;
    for (let i = 0; i < expectedLogits.length; i += 997) expect(out.alpha.data[i]).toBeCloseTo(Math.min(1, Math.max(0, expectedLogits[i])), 4);
  });
});
