import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readZipDirectory, readZipEntry } from '../convert/checkpoint/zip-reader';
import { HostError } from '../errors';
import type { CacheLocation } from '../models/cache';
import { downloadFile, mirroredUrl, type DownloadProgress } from '../models/download';
import { elfNeeded } from './elf-needed';
import { onnxruntimeLocation, type OnnxruntimeLocation } from './onnxruntime-location';
import { librariesIntact, libraryDir, providerCacheDir, readInstalled, writeInstalled, type InstalledProviders } from './provider-cache';
import { linkProviders, type LinkState } from './provider-links';
import { findProviderPackage, type ProviderPackage } from './provider-packages';
import { publishedSha512 } from './published-hash';
import { checkPrerequisites, nvidiaLibraries, type LibrarySearch, type PrerequisiteReport } from './prerequisites';

export type GpuInstallProgress =
  | { phase: 'package'; name: string; onnxruntime: string }
  | { phase: 'checksum'; source: string }
  | { phase: 'download'; progress: DownloadProgress }
  | { phase: 'extract'; file: string };

export interface GpuInstallOptions {
  /** the onnxruntime-node to install for (default: the one `require` finds) */
  location?: OnnxruntimeLocation;
  /** `${platform}/${arch}` (default: this machine's) */
  platform?: string;
  env?: NodeJS.ProcessEnv;
  cache?: CacheLocation;
  /** download and extract again even when the cache holds a verified set */
  force?: boolean;
  /** where to look for the driver, CUDA and cuDNN (default: the loader's places) */
  librarySearch?: LibrarySearch;
  onProgress?: (p: GpuInstallProgress) => void;
  signal?: AbortSignal;
}

export interface GpuInstallResult {
  package: ProviderPackage;
  cacheDir: string;
  bindingDir: string;
  record: InstalledProviders;
  links: Record<string, LinkState>;
  /** true when the cache already held the libraries (no download) */
  reused: boolean;
  /** what the CUDA and TensorRT providers need that the loader cannot find */
  cuda?: PrerequisiteReport;
  tensorrt?: PrerequisiteReport;
}

async function sha512File(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The SHA-512 to check the package against: pinned in the package entry, else the one nuget.org publishes. */
async function expectedHash(pkg: ProviderPackage, onProgress: GpuInstallOptions['onProgress']): Promise<{ sha512: string; bytes?: number }> {
  if (pkg.sha512) return { sha512: pkg.sha512, bytes: pkg.bytes };
  if (!pkg.registrationUrl) throw new HostError('INVALID_ARGUMENT', `${pkg.name} has neither a sha512 nor a registrationUrl to check it against; refusing an unverifiable download`);
  onProgress?.({ phase: 'checksum', source: pkg.registrationUrl });
  const published = await publishedSha512(pkg.registrationUrl);
  return { sha512: published.sha512, bytes: pkg.bytes ?? published.bytes };
}

/** Downloads (resuming a broken download) and verifies the package; a wrong SHA-512 deletes it. */
async function fetchPackage(pkg: ProviderPackage, cacheDir: string, options: GpuInstallOptions): Promise<{ file: string; sha512: string }> {
  const expected = await expectedHash(pkg, options.onProgress);
  const url = mirroredUrl(pkg.url, options.env);
  // Named .unverified until the SHA-512 matches: download.ts checks size and SHA-256 only.
  const file = path.join(cacheDir, 'download', `${path.posix.basename(new URL(pkg.url).pathname)}.unverified`);
  await downloadFile(url, file, { bytes: expected.bytes, signal: options.signal, onProgress: (progress) => options.onProgress?.({ phase: 'download', progress }) });
  const actual = await sha512File(file);
  if (actual !== expected.sha512) {
    fs.rmSync(file, { force: true });
    throw new HostError('CHECKSUM_MISMATCH', `checksum mismatch for ${url}: expected sha512 ${expected.sha512.slice(0, 16)}…, got ${actual.slice(0, 16)}… (download deleted, nothing installed)`);
  }
  return { file, sha512: actual };
}

/** Takes the provider libraries out of the package (a NuGet package is a zip) into `lib/`, each written atomically. */
function extractLibraries(pkg: ProviderPackage, packageFile: string, cacheDir: string, onProgress: GpuInstallOptions['onProgress']): InstalledProviders['files'] {
  // The whole package is read at once (a few hundred MB, once per install): the zip reader works on bytes.
  const bytes = fs.readFileSync(packageFile);
  const files: InstalledProviders['files'] = {};
  const lib = libraryDir(cacheDir);
  fs.mkdirSync(lib, { recursive: true });
  let directory: ReturnType<typeof readZipDirectory>;
  try {
    directory = readZipDirectory(bytes);
  } catch (e) {
    throw new HostError('DOWNLOAD_FAILED', `${pkg.name} (${packageFile}) is not a readable package: ${(e as Error).message}`);
  }
  for (const [name, inPackage] of Object.entries(pkg.files)) {
    onProgress?.({ phase: 'extract', file: name });
    const entry = directory.get(inPackage);
    if (!entry) throw new HostError('DOWNLOAD_FAILED', `${pkg.name} has no ${inPackage}; not the package onnxruntime-node ${pkg.onnxruntime} expects`);
    let data: Uint8Array;
    try {
      data = readZipEntry(bytes, entry);
    } catch (e) {
      throw new HostError('DOWNLOAD_FAILED', `${pkg.name}: ${inPackage} cannot be extracted: ${(e as Error).message}`);
    }
    const target = path.join(lib, name);
    fs.writeFileSync(`${target}.tmp`, data, { mode: 0o755 });
    fs.renameSync(`${target}.tmp`, target);
    files[name] = { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }
  return files;
}

/** What the loader is missing for one provider library: its own dependencies (from its ELF header) and the driver. */
export function providerPrerequisites(provider: string, libraryFile: string, search?: LibrarySearch): PrerequisiteReport {
  let needed: string[];
  try {
    needed = elfNeeded(libraryFile);
  } catch (e) {
    return { missing: [], sentence: `${provider}: cannot read the dependencies of ${libraryFile}: ${(e as Error).message}` };
  }
  return checkPrerequisites(provider, nvidiaLibraries(needed), search);
}

/**
 * `matanyone gpu install`: gets the GPU provider libraries that match the installed onnxruntime-node (its
 * own install script's NuGet package), verified by SHA-512, into the user cache, and links them beside
 * onnxruntime's library. Re-running it with the cache intact downloads nothing; after `npm ci` the host
 * re-links by itself (see `relinkProviders`).
 *
 * @throws HostError `INVALID_ARGUMENT` (no package for this platform or version, with why),
 * `DOWNLOAD_FAILED` (network; a partial download is kept and resumed next time), `CHECKSUM_MISMATCH`
 */
export async function installGpuProviders(options: GpuInstallOptions = {}): Promise<GpuInstallResult> {
  const location = options.location ?? onnxruntimeLocation();
  const platform = options.platform ?? `${process.platform}/${process.arch}`;
  const pkg = findProviderPackage(location.version, platform, options.env);
  options.onProgress?.({ phase: 'package', name: pkg.name, onnxruntime: location.version });
  const cacheDir = providerCacheDir(location.version, platform, { ...options.cache, env: options.cache?.env ?? options.env });

  let record = options.force ? undefined : readInstalled(cacheDir);
  const reused = !!record && librariesIntact(cacheDir, record);
  if (!record || !reused) {
    const { file, sha512 } = await fetchPackage(pkg, cacheDir, options);
    const files = extractLibraries(pkg, file, cacheDir, options.onProgress);
    record = { onnxruntime: location.version, platform, package: pkg.name, url: pkg.url, sha512, files, cudaProvider: pkg.cudaProvider };
    writeInstalled(cacheDir, record);
    fs.rmSync(path.dirname(file), { recursive: true, force: true }); // the libraries are out: the package is not needed again
  }
  fs.mkdirSync(location.bindingDir, { recursive: true });
  const links = linkProviders(record, cacheDir, location.bindingDir);

  const result: GpuInstallResult = { package: pkg, cacheDir, bindingDir: location.bindingDir, record, links, reused };
  if (platform.startsWith('linux/')) {
    if (record.cudaProvider) result.cuda = providerPrerequisites('CUDA', path.join(libraryDir(cacheDir), record.cudaProvider), options.librarySearch);
    const tensorrt = Object.keys(record.files).find((f) => f.includes('tensorrt'));
    if (tensorrt) result.tensorrt = providerPrerequisites('TensorRT', path.join(libraryDir(cacheDir), tensorrt), options.librarySearch);
  }
  return result;
}
