import * as fs from 'fs';
import { convertCheckpoint, ConvertProgress, sha256File } from '../convert/convert-model';
import { isHostError } from '../errors';
import { checkpointFile, convertedModelDir } from './cache';
import { downloadFile, DownloadProgress, mirroredUrl } from './download';
import type { ModelManifest, Precision } from './model-manifest';
import { checkpointFileName, findModel, RegistryEntry } from './registry';

/** What a pull or a resolve is doing: downloading (or checking) the checkpoint, then converting it. */
export type ModelProgress =
  | { step: 'check'; fileName: string }
  | { step: 'download'; fileName: string; progress: DownloadProgress }
  | { step: 'convert'; progress: ConvertProgress };

export interface PullOptions {
  precision?: Precision;
  onProgress?: (p: ModelProgress) => void;
  signal?: AbortSignal;
  /** environment to read `MATANYONE_HOME`, `MATANYONE_REGISTRY` and `MATANYONE_DOWNLOAD_BASE_URL` from */
  env?: NodeJS.ProcessEnv;
}

export interface PullResult {
  entry: RegistryEntry;
  /** the cached checkpoint */
  checkpoint: string;
  /** SHA-256 of the checkpoint */
  sha256: string;
  /** false when the cache already held the checkpoint */
  downloaded: boolean;
  /**
   * `sha256`: matched the registry's checksum; `conversion`: the registry has none, so the file counts as
   * good because the converter accepted all of its tensors
   */
  verifiedBy: 'sha256' | 'conversion';
  /** the converted model folder */
  dir: string;
  manifest: ModelManifest;
  /** false when the folder already held this conversion */
  converted: boolean;
}

/** The cached checkpoint's sha256 when it is there and fits the entry; a stale or damaged copy is removed. */
async function cachedCheckpoint(entry: RegistryEntry, file: string, fileName: string, options: PullOptions): Promise<string | undefined> {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  if (entry.bytes === undefined || stat.size === entry.bytes) {
    options.onProgress?.({ step: 'check', fileName });
    const sha256 = await sha256File(file);
    if (entry.sha256 === undefined || sha256 === entry.sha256) return sha256;
  }
  fs.rmSync(file, { force: true }); // replaced upstream, or damaged on disk: fetch it again
  return undefined;
}

/**
 * Makes a registry model ready to run: downloads its checkpoint into the cache (resuming a broken
 * download, from the mirror in `MATANYONE_DOWNLOAD_BASE_URL` when set), verifies it, and converts it into
 * `convertedModelDir(sha256, precision)`. Each step is skipped when the cache already holds its result.
 *
 * @remarks Where the registry has no checksum, conversion is the check: the converter validates every
 * tensor, and a checkpoint it rejects is deleted from the cache so that it is never used unverified.
 * @throws HostError `MODEL_UNKNOWN`, `DOWNLOAD_FAILED`, `CHECKSUM_MISMATCH`, or a converter code
 * @example
 * ```ts
 * const { dir } = await pullModel('matanyone2', { precision: 'fp16' });
 * ```
 */
export async function pullModel(name: string, options: PullOptions = {}): Promise<PullResult> {
  const env = options.env ?? process.env;
  const precision = options.precision ?? 'fp32';
  const entry = findModel(name, env);
  const fileName = checkpointFileName(entry);
  const file = checkpointFile(fileName, { env });

  let sha256 = await cachedCheckpoint(entry, file, fileName, options);
  const downloaded = sha256 === undefined;
  if (sha256 === undefined) {
    const result = await downloadFile(mirroredUrl(entry.url, env), file, {
      sha256: entry.sha256,
      bytes: entry.bytes,
      signal: options.signal,
      onProgress: (progress) => options.onProgress?.({ step: 'download', fileName, progress }),
    });
    sha256 = result.sha256;
  }

  let conversion;
  try {
    conversion = await convertCheckpoint({
      checkpoint: file,
      outDir: convertedModelDir(sha256, precision, { env }),
      precision,
      onProgress: (progress) => options.onProgress?.({ step: 'convert', progress }),
    });
  } catch (e) {
    if (entry.sha256 === undefined && isHostError(e) && e.code.startsWith('CHECKPOINT_')) fs.rmSync(file, { force: true });
    throw e;
  }
  return {
    entry,
    checkpoint: file,
    sha256,
    downloaded,
    verifiedBy: entry.sha256 === undefined ? 'conversion' : 'sha256',
    dir: conversion.dir,
    manifest: conversion.manifest,
    converted: !conversion.reused,
  };
}
