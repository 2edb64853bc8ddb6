import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** What a missing library belongs to, and where to get it. */
export interface Prerequisite {
  what: string;
  where: string;
}

const DRIVER: Prerequisite = { what: 'the NVIDIA driver', where: 'https://www.nvidia.com/Download/index.aspx' };
const CUDNN: Prerequisite = { what: 'cuDNN 9 for CUDA 12', where: 'https://developer.nvidia.com/cudnn-downloads' };
const TENSORRT: Prerequisite = { what: 'TensorRT 10 for CUDA 12', where: 'https://developer.nvidia.com/tensorrt' };
const CUDA_RUNTIME: Prerequisite = { what: 'the CUDA 12.x runtime', where: 'https://developer.nvidia.com/cuda-toolkit-archive' };

/** The driver's library: loaded by the CUDA runtime at run time, so never among a provider's DT_NEEDED. */
export const DRIVER_LIBRARY = 'libcuda.so.1';

/** Libraries every Linux system has (glibc, the C++ runtime) and onnxruntime's own: not prerequisites. */
const SYSTEM_LIBRARY = /^(libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|ld-linux[-\w]*|libonnxruntime[\w]*)\.so(\.|$)/;

/** Which download a library comes with, by its name. */
export function prerequisiteOf(library: string): Prerequisite {
  if (/^libcuda\.so/.test(library) || /^libnvidia-/.test(library)) return DRIVER;
  if (/^libcudnn/.test(library)) return CUDNN;
  if (/^libnv(infer|onnxparser)/.test(library)) return TENSORRT;
  return CUDA_RUNTIME;
}

export interface LibrarySearch {
  /** folders searched first, in order (default: `$LD_LIBRARY_PATH`) */
  dirs?: string[];
  /** consult the loader cache, `ldconfig -p` (default true) */
  ldconfig?: boolean;
  /** the loader's default folders (default: the usual multiarch ones and /usr/local/cuda) */
  defaultDirs?: string[];
}

const DEFAULT_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/lib/wsl/lib'];

/** Library names → paths the loader cache knows (`ldconfig -p`); empty where ldconfig is missing. */
function loaderCache(): Map<string, string> {
  const known = new Map<string, string>();
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    let out: string;
    try {
      out = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    } catch {
      continue;
    }
    for (const line of out.split('\n')) {
      const m = /^\s*(\S+)\s+\(([^)]*)\).*=>\s*(\S+)/.exec(line);
      if (m && !m[2].includes('32') && !known.has(m[1])) known.set(m[1], m[3]);
    }
    break;
  }
  return known;
}

/**
 * Where the dynamic loader would find each library, or undefined where it would not: `dirs`
 * (`$LD_LIBRARY_PATH`), the loader cache, then the default folders. A file existing is taken as loadable:
 * loading CUDA libraries into this process to be sure would be slow and leave them loaded.
 */
export function locateLibraries(libraries: readonly string[], search: LibrarySearch = {}): Map<string, string | undefined> {
  const dirs = search.dirs ?? (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const cache = search.ldconfig === false ? new Map<string, string>() : loaderCache();
  const defaults = search.defaultDirs ?? DEFAULT_DIRS;
  const found = new Map<string, string | undefined>();
  for (const library of libraries) {
    const inDir = (dir: string) => (fs.existsSync(path.join(dir, library)) ? path.join(dir, library) : undefined);
    found.set(library, dirs.map(inDir).find(Boolean) ?? cache.get(library) ?? defaults.map(inDir).find(Boolean));
  }
  return found;
}

/** The libraries a provider library needs from NVIDIA: its DT_NEEDED less the system's, plus the driver. */
export function nvidiaLibraries(needed: readonly string[]): string[] {
  return [DRIVER_LIBRARY, ...needed.filter((l) => !SYSTEM_LIBRARY.test(l) && l !== DRIVER_LIBRARY)];
}

export interface PrerequisiteReport {
  missing: string[];
  /** what is missing and where to get it, as a clause: "the NVIDIA driver (libcuda.so.1; https://…)" */
  summary?: string;
  /** one sentence naming what is missing and where to get it; undefined when nothing is */
  sentence?: string;
}

/**
 * Which of `libraries` the loader cannot find, grouped by what provides them, as one sentence:
 * "CUDA cannot run here: missing the NVIDIA driver (libcuda.so.1; https://…) and cuDNN 9 for CUDA 12
 * (libcudnn.so.9; https://…)."
 */
export function checkPrerequisites(provider: string, libraries: readonly string[], search: LibrarySearch = {}): PrerequisiteReport {
  const located = locateLibraries(libraries, search);
  const missing = libraries.filter((l) => !located.get(l));
  if (missing.length === 0) return { missing };
  const groups = new Map<Prerequisite, string[]>();
  for (const library of missing) groups.set(prerequisiteOf(library), [...(groups.get(prerequisiteOf(library)) ?? []), library]);
  const parts = [...groups].map(([p, libs]) => `${p.what} (${libs.join(', ')}; ${p.where})`);
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  const them = groups.size > 1 ? 'them, or add their folders' : 'it, or add its folder';
  return { missing, summary: list, sentence: `${provider} cannot run here: missing ${list}; install ${them} to LD_LIBRARY_PATH.` };
}
