/**
 * The converted MediaPipe selfie segmentation graphs against MediaPipe's own runtime.
 *
 * References: test/data/person-mask/*.mask.png, made by test/data/person-mask/make-reference.js with the
 * @mediapipe/selfie_segmentation solution (wasm + TFLite's WebGL GPU inference, here SwiftShader in headless
 * Chromium) from the *.input.png images, which are already at the model's size so MediaPipe's input and
 * output resizes are identities and only the network is compared. The mask is read back through a 2D canvas:
 * 8 bits (the probability is the alpha channel), so the reference itself is within ±0.5/255 ≈ 0.002.
 *
 * Bounds, and why not 1e-3 max abs: MediaPipe's GPU inference computes in half precision. Our graph runs in
 * float32; running the same graph converted to float16 moves it by up to ~0.036 on its own at a handful of
 * steep edge pixels (and brings it slightly closer to the reference), so the few-pixel maximum reflects the
 * reference's arithmetic, not the conversion. What the test holds: mean abs ≤ 3e-4 (seen ≤ 2.0e-4), the 99th
 * percentile ≤ 0.005 (seen ≤ 0.0035), max ≤ 0.06 (seen ≤ 0.047), on 10 images (5 per model).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { toFloat16 } from '../../native-host/convert/onnx/to-float16';
import { personModelFile } from '../../native-host/person-mask/person-segmenter';
import { readTflite } from '../../native-host/person-mask/tflite-reader';
import { convertTflite } from '../../native-host/person-mask/tflite-to-onnx';
import { loadPersonSegmenter, type PersonModelVariant, type PersonSegmenter } from '../../native-host/person-mask/person-segmenter';

const DATA = path.join(__dirname, '../data/person-mask');
const reference = JSON.parse(fs.readFileSync(path.join(DATA, 'reference.json'), 'utf8')) as {
  maskChannel: string;
  inference: string;
  images: { variant: PersonModelVariant; name: string; input: string; mask: string }[];
};

let home: string;
const segmenters = new Map<PersonModelVariant, PersonSegmenter>();

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'person-mask-parity-'));
  for (const v of ['square', 'landscape'] as const) segmenters.set(v, await loadPersonSegmenter(v, 'cpu', { intraOpNumThreads: 1, cache: { env: { MATANYONE_HOME: home } } }));
});

afterAll(async () => {
  for (const s of segmenters.values()) await s.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('person mask parity with MediaPipe selfie segmentation (its wasm runtime)', () => {
  test('the references are 5 images per model, the mask from the alpha channel', () => {
    expect(reference.maskChannel).toBe('alpha');
    expect(reference.inference).toBe('gpu');
    expect(reference.images.filter((i) => i.variant === 'square')).toHaveLength(5);
    expect(reference.images.filter((i) => i.variant === 'landscape')).toHaveLength(5);
  });

  test.each(reference.images.map((i) => [`${i.variant} ${i.name}`, i] as const))('%s', async (_label, image) => {
    const segmenter = segmenters.get(image.variant)!;
    const { data: rgb, info } = await sharp(path.join(DATA, image.input)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const mask = await sharp(path.join(DATA, image.mask)).extractChannel(0).raw().toBuffer();
    expect([info.width, info.height]).toEqual([segmenter.width, segmenter.height]);
    const probs = await segmenter.run(new Uint8Array(rgb), info.width, info.height);
    expect(probs).toHaveLength(segmenter.width * segmenter.height);
    const diffs = Float64Array.from(probs, (p, i) => Math.abs(p - mask[i] / 255));
    let max = 0;
    let sum = 0;
    for (const d of diffs) {
      max = Math.max(max, d);
      sum += d;
    }
    const sorted = diffs.slice().sort();
    const p99 = sorted[Math.floor(sorted.length * 0.99)];
    const mean = sum / diffs.length;
    console.log(`${image.variant} ${image.name}: max abs ${max.toFixed(4)}, mean abs ${mean.toExponential(2)}, p99 ${p99.toFixed(4)}`);
    expect(mean).toBeLessThanOrEqual(3e-4);
    expect(p99).toBeLessThanOrEqual(0.005);
    expect(max).toBeLessThanOrEqual(0.06);
  });

  test('why the maximum is not 1e-3: the same graph in float16 (as MediaPipe computes on the GPU) lands closer to the reference', async () => {
    let sum32 = 0;
    let sum16 = 0;
    for (const variant of ['square', 'landscape'] as const) {
      const c = convertTflite(readTflite(fs.readFileSync(personModelFile(variant))));
      const s32 = await ort.InferenceSession.create(c.graph.toBytes(17), { intraOpNumThreads: 1 });
      const s16 = await ort.InferenceSession.create(toFloat16(c.graph).toBytes(17), { intraOpNumThreads: 1 });
      try {
        for (const image of reference.images.filter((i) => i.variant === variant)) {
          const rgb = await sharp(path.join(DATA, image.input)).removeAlpha().raw().toBuffer();
          const mask = await sharp(path.join(DATA, image.mask)).extractChannel(0).raw().toBuffer();
          const feeds = { [c.inputName]: new ort.Tensor('float32', Float32Array.from(rgb, (b) => b / 255), c.inputShape) };
          const y32 = (await s32.run(feeds))[c.outputName].data as Float32Array;
          const y16 = (await s16.run(feeds))[c.outputName].data as Float32Array;
          for (let i = 0; i < mask.length; i++) {
            sum32 += Math.abs(y32[i] - mask[i] / 255);
            sum16 += Math.abs(y16[i] - mask[i] / 255);
          }
        }
      } finally {
        await s32.release();
        await s16.release();
      }
    }
    console.log(`sum of abs differences to MediaPipe over all images: float32 graph ${sum32.toFixed(1)}, float16 graph ${sum16.toFixed(1)}`);
    expect(sum16).toBeLessThan(sum32);
  });
});
