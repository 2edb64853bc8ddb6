import * as fs from 'fs';
import * as path from 'path';
import { convertCheckpoint, sha256File } from '../convert/convert-model';
import { readModelManifest } from '../engine/model-sessions';
import { HostError } from '../errors';
import { convertedModelDir } from './cache';
import { MODEL_MANIFEST_FILE, ModelManifest, Precision } from './model-manifest';
import { DEFAULT_MODEL, loadRegistry } from './registry';
import { ModelProgress, pullModel } from './pull-model';

/** File endings taken as checkpoints (the loader itself tells the formats apart by content). */
export const CHECKPOINT_EXTENSIONS = ['.pth', '.pt', '.safetensors'] as const;

export interface ResolveOptions {
  /** precision to convert a checkpoint to; a model folder keeps its own (default fp32) */
  precision?: Precision;
  onProgress?: (p: ModelProgress) => void;
  signal?: AbortSignal;
  /** environment for the cache, registry and mirror variables */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedModel {
  /** the converted model folder to open */
  dir: string;
  manifest: ModelManifest;
  /** what the spec named */
  kind: 'folder' | 'checkpoint' | 'registry';
  /** the registry name, for `kind: 'registry'` */
  name?: string;
}

/**
 * Turns a `--model` argument into a converted model folder, converting or downloading what is missing.
 *
 * The spec is, in this order:
 * 1. a model folder (has `model.json`): used as it is;
 * 2. a checkpoint file (.pth, .pt, .safetensors): converted into the cache, keyed by its sha256 and the
 *    precision, so later runs reuse the conversion;
 * 3. a registry name (`matanyone`, `matanyone2`): pulled into the cache if needed, then converted.
 *
 * @param spec - folder, checkpoint file or registry name; {@link DEFAULT_MODEL} when empty or undefined
 * @throws HostError `MODEL_UNKNOWN` (naming the registry entries) for anything else, `MODEL_NOT_FOUND` /
 * `MODEL_INVALID` for a folder that is not a usable model, and the codes of the converter and
 * {@link pullModel}
 * @example
 * ```ts
 * const { dir } = await resolveModel(argv.model, { precision: 'fp16', onProgress: show });
 * ```
 */
export async function resolveModel(spec: string | undefined, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const env = options.env ?? process.env;
  const precision = options.precision ?? 'fp32';
  const wanted = spec || DEFAULT_MODEL;
  const stat = fs.statSync(wanted, { throwIfNoEntry: false });

  if (stat?.isDirectory() && fs.existsSync(path.join(wanted, MODEL_MANIFEST_FILE))) {
    const dir = path.resolve(wanted);
    return { dir, manifest: readModelManifest(dir), kind: 'folder' };
  }
  if (stat?.isFile() && (CHECKPOINT_EXTENSIONS as readonly string[]).includes(path.extname(wanted).toLowerCase())) {
    const sha256 = await sha256File(wanted);
    const result = await convertCheckpoint({
      checkpoint: wanted,
      outDir: convertedModelDir(sha256, precision, { env }),
      precision,
      onProgress: (progress) => options.onProgress?.({ step: 'convert', progress }),
    });
    return { dir: result.dir, manifest: result.manifest, kind: 'checkpoint' };
  }
  const registry = loadRegistry(env);
  if (registry.some((e) => e.name === wanted)) {
    const pulled = await pullModel(wanted, { precision, onProgress: options.onProgress, signal: options.signal, env });
    return { dir: pulled.dir, manifest: pulled.manifest, kind: 'registry', name: wanted };
  }
  if (stat?.isDirectory()) readModelManifest(wanted); // throws: says the folder has no model.json
  throw new HostError(
    'MODEL_UNKNOWN',
    `unknown model "${wanted}": not a model folder, a checkpoint file (${CHECKPOINT_EXTENSIONS.join(', ')}) or a registry name; ` +
      `should be one of: ${registry.map((e) => e.name).join(', ')}`,
  );
}
