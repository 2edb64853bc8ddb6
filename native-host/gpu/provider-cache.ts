import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { cacheRoot, type CacheLocation } from '../models/cache';

/** What `gpu install` left in the cache: enough to re-link without the network after `npm ci`. */
export const InstalledProviders = z.object({
  onnxruntime: z.string(),
  platform: z.string(),
  package: z.string(),
  url: z.string(),
  sha512: z.string(),
  /** file name beside onnxruntime's library → its size and SHA-256 in `lib/` */
  files: z.record(z.string().regex(/^[^\\/]+$/), z.object({ bytes: z.number().int(), sha256: z.string() })),
  cudaProvider: z.string().optional(),
});
export type InstalledProviders = z.infer<typeof InstalledProviders>;

const RECORD_FILE = 'install.json';

/**
 * `<cache>/gpu/onnxruntime-<version>-<platform>-<arch>/`: one folder per onnxruntime version, since provider
 * libraries only load into the version they were built with. Outside node_modules, so `npm ci` keeps it.
 */
export function providerCacheDir(onnxruntime: string, platform: string, where: CacheLocation = {}): string {
  return path.join(cacheRoot(where), 'gpu', `onnxruntime-${onnxruntime}-${platform.replace('/', '-')}`);
}

/** The extracted libraries' folder. */
export function libraryDir(cacheDir: string): string {
  return path.join(cacheDir, 'lib');
}

/** The install record, or undefined when there is none (or it does not parse: install again). */
export function readInstalled(cacheDir: string): InstalledProviders | undefined {
  try {
    return InstalledProviders.parse(JSON.parse(fs.readFileSync(path.join(cacheDir, RECORD_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/** Written last, atomically: a record exists only for a complete, verified set of libraries. */
export function writeInstalled(cacheDir: string, record: InstalledProviders): void {
  const file = path.join(cacheDir, RECORD_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/** Whether every recorded library is in `lib/` at its recorded size (the cheap check; SHA-256 was checked on extraction). */
export function librariesIntact(cacheDir: string, record: InstalledProviders): boolean {
  return Object.entries(record.files).every(([name, f]) => fs.statSync(path.join(libraryDir(cacheDir), name), { throwIfNoEntry: false })?.size === f.bytes);
}
