import * as fs from 'fs';
import * as path from 'path';
import type { CacheLocation } from '../models/cache';
import { onnxruntimeLocation, type OnnxruntimeLocation } from './onnxruntime-location';
import { librariesIntact, libraryDir, providerCacheDir, readInstalled, type InstalledProviders } from './provider-cache';

export type LinkState = 'linked' | 'relinked' | 'present';

/**
 * Puts each cached library beside onnxruntime's own library, where onnxruntime looks for provider libraries
 * (it resolves them relative to libonnxruntime, not through the loader path). A symbolic link on Unix
 * (the CUDA provider is hundreds of MB), a copy where links are refused (Windows without developer mode).
 * A file already there that is not ours (onnxruntime's own install script put it) is left alone.
 *
 * @returns per library: `linked` (done now), `relinked` (a stale link replaced) or `present`
 */
export function linkProviders(record: InstalledProviders, cacheDir: string, bindingDir: string): Record<string, LinkState> {
  const states: Record<string, LinkState> = {};
  for (const name of Object.keys(record.files)) {
    const source = path.join(libraryDir(cacheDir), name);
    const target = path.join(bindingDir, name);
    const existing = fs.lstatSync(target, { throwIfNoEntry: false });
    if (existing?.isSymbolicLink()) {
      if (path.resolve(bindingDir, fs.readlinkSync(target)) === source && fs.existsSync(target)) {
        states[name] = 'present';
        continue;
      }
      fs.rmSync(target, { force: true }); // a link into an older cache folder or a removed one
      states[name] = 'relinked';
    } else if (existing) {
      states[name] = 'present';
      continue;
    } else {
      states[name] = 'linked';
    }
    try {
      fs.symlinkSync(source, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue; // another process linked it meanwhile
      if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') throw e;
      fs.copyFileSync(source, `${target}.tmp`);
      fs.renameSync(`${target}.tmp`, target);
    }
  }
  return states;
}

export interface RelinkResult {
  /** the install record for this onnxruntime version, if `gpu install` ran for it */
  record?: InstalledProviders;
  states?: Record<string, LinkState>;
  /** why nothing could be linked, in one line (cache damaged, node_modules read-only) */
  problem?: string;
}

/**
 * Called at every start: when `gpu install` ran for this onnxruntime version and node_modules was recreated
 * since (`npm ci`), links the cached libraries again, so the command never has to be run twice. Costs a
 * few stats when nothing is to do; never throws (the CPU still works without the links).
 */
export function relinkProviders(where: CacheLocation & { location?: OnnxruntimeLocation } = {}): RelinkResult {
  try {
    const location = where.location ?? onnxruntimeLocation();
    const platform = `${process.platform}/${process.arch}`;
    const cacheDir = providerCacheDir(location.version, platform, where);
    const record = readInstalled(cacheDir);
    if (!record) return {};
    if (!librariesIntact(cacheDir, record)) return { record, problem: `the GPU provider libraries in ${cacheDir} are incomplete; run \`npx matanyone gpu install\` again` };
    return { record, states: linkProviders(record, cacheDir, location.bindingDir) };
  } catch (e) {
    return { problem: `could not link the GPU provider libraries: ${String((e as Error).message).split('\n')[0]}` };
  }
}
