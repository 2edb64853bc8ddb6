import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { convertedPersonModel, personModelFile, PERSON_CONVERTER_VERSION, PERSON_MODELS, resizeRgbToUnitFloat } from '../../native-host/person-mask/person-segmenter';
import { opInventory, readTflite } from '../../native-host/person-mask/tflite-reader';
import { convertTflite, float16ToNumber, tflitePads } from '../../native-host/person-mask/tflite-to-onnx';

const square = readTflite(fs.readFileSync(personModelFile('square')));
const landscape = readTflite(fs.readFileSync(personModelFile('landscape')));

describe('TFLite reader on MediaPipe selfie segmentation', () => {
  test('op inventory of both models (logged: what the converter maps)', () => {
    const sq = Object.fromEntries(opInventory(square));
    const ls = Object.fromEntries(opInventory(landscape));
    console.log(`square: ${JSON.stringify(sq)}\nlandscape: ${JSON.stringify(ls)}`);
    const common = { DEQUANTIZE: 110, CONV_2D: 43, HARD_SWISH: 11, RELU: 22, DEPTHWISE_CONV_2D: 11, LOGISTIC: 11, MUL: 10, ADD: 14, RESIZE_BILINEAR: 3, Convolution2DTransposeBias: 1 };
    expect(sq).toEqual({ ...common, AVERAGE_POOL_2D: 10 });
    expect(ls).toEqual({ ...common, MEAN: 10 });
  });

  test('inputs, outputs and float16 weights behind DEQUANTIZE', () => {
    for (const [model, spec] of [[square, PERSON_MODELS.square], [landscape, PERSON_MODELS.landscape]] as const) {
      const sg = model.subgraphs[0];
      expect(sg.inputs.map((i) => sg.tensors[i].shape)).toEqual([[1, spec.height, spec.width, 3]]);
      expect(sg.outputs.map((i) => sg.tensors[i].shape)).toEqual([[1, spec.height, spec.width, 1]]);
      const last = sg.operators[sg.operators.length - 1];
      expect(last.opName).toBe('LOGISTIC'); // a sigmoid over one channel: the output is the person probability
      for (const op of sg.operators.filter((o) => o.opName === 'DEQUANTIZE')) expect(sg.tensors[op.inputs[0]].type).toBe('float16');
    }
  });

  test('builtin options: first conv, resize, pooling', () => {
    const ops = square.subgraphs[0].operators;
    expect(ops.find((o) => o.opName === 'CONV_2D')!.options).toEqual({ kind: 'conv2d', padding: 'SAME', strideW: 2, strideH: 2, activation: 'NONE', dilationW: 1, dilationH: 1 });
    expect(ops.find((o) => o.opName === 'RESIZE_BILINEAR')!.options).toEqual({ kind: 'resizeBilinear', alignCorners: false, halfPixelCenters: true });
    expect(ops.find((o) => o.opName === 'AVERAGE_POOL_2D')!.options).toMatchObject({ kind: 'pool2d', padding: 'VALID', filterW: 64, filterH: 64 });
    expect(landscape.subgraphs[0].operators.find((o) => o.opName === 'MEAN')!.options).toEqual({ kind: 'reducer', keepDims: true });
  });

  test("Convolution2DTransposeBias's custom options are a raw {padding SAME, stride 2, 2}", () => {
    for (const model of [square, landscape]) {
      const op = model.subgraphs[0].operators.find((o) => o.opName === 'Convolution2DTransposeBias')!;
      expect(Buffer.from(op.customOptions!).toString('hex')).toBe('010000000200000002000000');
    }
  });

  test('a file that is not TFLite is refused', () => {
    expect(() => readTflite(new Uint8Array(64))).toThrow(/not a TFLite model/);
  });
});

describe('TFLite → ONNX conversion', () => {
  test('SAME pads as TFLite computes them (extra pixel after)', () => {
    expect(tflitePads('SAME', 256, 3, 2, 1, 128)).toEqual([0, 1]);
    expect(tflitePads('SAME', 32, 5, 2, 1, 16)).toEqual([1, 2]);
    expect(tflitePads('SAME', 16, 5, 1, 1, 16)).toEqual([2, 2]);
    expect(tflitePads('VALID', 16, 16, 16, 1, 1)).toEqual([0, 0]);
  });

  test('float16 decoding', () => {
    expect([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00].map(float16ToNumber)).toEqual([1, -2, 2 ** -24, 65504, Infinity]);
  });

  test('an op the converter does not know is refused by name', () => {
    const broken = readTflite(fs.readFileSync(personModelFile('square')));
    broken.subgraphs[0].operators[3].opName = 'SPACE_TO_DEPTH';
    expect(() => convertTflite(broken)).toThrow(/unsupported operators SPACE_TO_DEPTH/);
  });

  test.each([['square'], ['landscape']] as const)('%s: the graph runs in onnxruntime with the tflite output shape, probabilities in 0…1', async (variant) => {
    const model = variant === 'square' ? square : landscape;
    const c = convertTflite(model);
    const { width, height } = PERSON_MODELS[variant];
    expect(c.inputShape).toEqual([1, height, width, 3]);
    expect(c.outputShape).toEqual([1, 1, height, width]);
    const session = await ort.InferenceSession.create(c.graph.toBytes(17), { intraOpNumThreads: 1 });
    try {
      const x = new Float32Array(height * width * 3).map((_, i) => ((i * 37) % 256) / 255);
      const y = (await session.run({ [c.inputName]: new ort.Tensor('float32', x, c.inputShape) }))[c.outputName];
      expect(y.dims).toEqual([1, 1, height, width]);
      for (const v of y.data as Float32Array) expect(v >= 0 && v <= 1).toBe(true);
    } finally {
      await session.release();
    }
  });
});

describe('person model cache and input', () => {
  test('converted once into <cache>/person-mask/<sha256>-v<converter version>.onnx, then reused', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'person-mask-cache-'));
    try {
      const where = { env: { MATANYONE_HOME: home } };
      const file = convertedPersonModel(personModelFile('landscape'), where);
      expect(path.dirname(file)).toBe(path.join(home, 'person-mask'));
      expect(path.basename(file)).toMatch(new RegExp(`^[0-9a-f]{64}-v${PERSON_CONVERTER_VERSION}\\.onnx$`));
      const mtime = fs.statSync(file).mtimeMs;
      expect(convertedPersonModel(personModelFile('landscape'), where)).toBe(file);
      expect(fs.statSync(file).mtimeMs).toBe(mtime);
      expect(fs.readdirSync(path.join(home, 'person-mask'))).toEqual([path.basename(file)]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test('input at the model size is only scaled to 0…1; other sizes are stretched bilinearly', () => {
    const rgb = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 20);
    expect(Array.from(resizeRgbToUnitFloat(rgb, 2, 2, 2, 2))).toEqual(Array.from(rgb, (v) => Math.fround(v / 255)));
    const flat = new Uint8Array(4 * 2 * 3).fill(51);
    expect(Array.from(resizeRgbToUnitFloat(flat, 4, 2, 2, 1))).toEqual(new Array(6).fill(Math.fround(0.2)));
  });
});
