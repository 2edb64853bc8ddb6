import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { HostError } from '../errors';
import { cacheRoot, type CacheLocation } from '../models/cache';
import { createSessionOn, noProvider, providerError, providerOrder, type ExecutionProviderChoice, type ExecutionProviderName, type ProviderAttempt, type SessionOptions } from '../engine/providers';
import { readTflite } from './tflite-reader';
import { convertTflite } from './tflite-to-onnx';

/**
 * MediaPipe's selfie segmentation models (shipped by the `@mediapipe/selfie_segmentation` npm package),
 * converted to ONNX by this project and run with onnxruntime: a person probability per pixel, at the model's
 * size. `square` is the general model (256×256, MediaPipe's modelSelection 0), `landscape` the faster one for
 * 16:9 video calls (256 wide, 144 high, modelSelection 1).
 */
export type PersonModelVariant = 'square' | 'landscape';

export const PERSON_MODELS: Record<PersonModelVariant, { file: string; width: number; height: number }> = {
  square: { file: 'selfie_segmentation.tflite', width: 256, height: 256 },
  landscape: { file: 'selfie_segmentation_landscape.tflite', width: 256, height: 144 },
};

/** Bumped when the conversion changes, so older cached graphs are not reused. */
export const PERSON_CONVERTER_VERSION = 2;

/** The `.tflite` file of a variant inside the installed npm package. */
export function personModelFile(variant: PersonModelVariant): string {
  const spec = PERSON_MODELS[variant];
  if (!spec) throw new HostError('INVALID_ARGUMENT', `unknown person model "${variant}" (square or landscape)`);
  const pkg = path.dirname(require.resolve('@mediapipe/selfie_segmentation/package.json'));
  return path.join(pkg, spec.file);
}

/**
 * The converted graph for a `.tflite` file, from the cache when it is there:
 * `<cache>/person-mask/<sha256 of the tflite>-v<converter>.onnx`, written through a temporary file and a
 * rename, so a crash never leaves a half-written model under the final name.
 */
export function convertedPersonModel(tfliteFile: string, where: CacheLocation = {}): string {
  const bytes = fs.readFileSync(tfliteFile);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const dir = path.join(cacheRoot(where), 'person-mask');
  const file = path.join(dir, `${sha}-v${PERSON_CONVERTER_VERSION}.onnx`);
  if (fs.existsSync(file)) return file;
  const converted = convertTflite(readTflite(bytes), path.basename(tfliteFile, '.tflite'));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, converted.graph.toBytes(17, { source: path.basename(tfliteFile), source_sha256: sha }));
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
}

export interface PersonSegmenter {
  variant: PersonModelVariant;
  /** the model's input and output size */
  width: number;
  height: number;
  /** the provider the session runs on */
  provider: ExecutionProviderName;
  /**
   * Person probabilities (0…1), row-major, `width × height` of the model. `rgb` is 8-bit RGB, 3 bytes a pixel,
   * of any size: it is stretched to the model's size (bilinear, as MediaPipe's own input transform with
   * keep_aspect_ratio off) and scaled to 0…1, the range the models expect.
   */
  run(rgb: Uint8Array, width: number, height: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Opens a person segmenter on the first provider of `providers` that loads (`'auto'`: this platform's GPU
 * providers, then the CPU).
 */
export async function loadPersonSegmenter(
  variant: PersonModelVariant,
  providers: ExecutionProviderChoice | readonly ExecutionProviderName[] = 'cpu',
  options: SessionOptions & { cache?: CacheLocation } = {},
): Promise<PersonSegmenter> {
  const spec = PERSON_MODELS[variant];
  const modelFile = convertedPersonModel(personModelFile(variant), options.cache);
  const order = typeof providers === 'string' ? providerOrder(providers) : [...providers];
  const skipped: ProviderAttempt[] = [];
  let session: ort.InferenceSession | undefined;
  let provider: ExecutionProviderName | undefined;
  for (const p of order) {
    try {
      session = await createSessionOn(modelFile, p, options);
      provider = p;
      break;
    } catch (e) {
      skipped.push({ provider: p, error: providerError(e) });
    }
  }
  if (!session || !provider) throw noProvider(`the ${variant} person model`, skipped);
  const s = session;
  const { width: mw, height: mh } = spec;
  return {
    variant,
    width: mw,
    height: mh,
    provider,
    async run(rgb, width, height) {
      if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3)
        throw new HostError('INVALID_ARGUMENT', `person mask: ${rgb.length} bytes for a ${width}×${height} RGB image`);
      const input = resizeRgbToUnitFloat(rgb, width, height, mw, mh);
      const out = await s.run({ input_nhwc: new ort.Tensor('float32', input, [1, mh, mw, 3]) });
      const y = out.output_nchw.data as Float32Array;
      return new Float32Array(y);
    },
    close: () => s.release(),
  };
}

/**
 * 8-bit RGB → float NHWC in 0…1 at `dw × dh`, bilinear with half-pixel centres (an identity at the same size).
 */
export function resizeRgbToUnitFloat(rgb: Uint8Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh * 3);
  if (sw === dw && sh === dh) {
    for (let i = 0; i < out.length; i++) out[i] = rgb[i] / 255;
    return out;
  }
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = rgb[(y0 * sw + x0) * 3 + c] * (1 - wx) + rgb[(y0 * sw + x1) * 3 + c] * wx;
        const b = rgb[(y1 * sw + x0) * 3 + c] * (1 - wx) + rgb[(y1 * sw + x1) * 3 + c] * wx;
        out[(y * dw + x) * 3 + c] = (a * (1 - wy) + b * wy) / 255;
      }
    }
  }
  return out;
}
