import { execFileSync } from 'child_process';

export interface GpuInfo {
  name: string;
  /** total memory in MiB */
  memoryMiB?: number;
  driver?: string;
}

export interface GpuListing {
  gpus: GpuInfo[];
  /** where the names came from, or why there are none */
  source: string;
}

/** `nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits` → one entry per GPU. */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, memory, driver] = line.split(',').map((f) => f.trim());
      const mib = Number(memory);
      return { name, memoryMiB: Number.isFinite(mib) && mib > 0 ? mib : undefined, driver: driver || undefined };
    });
}

/**
 * The NVIDIA GPUs as the driver's `nvidia-smi` lists them. onnxruntime-node exposes no adapter information
 * (neither CUDA's device properties nor WebGPU's adapter info), so other GPUs are not named here.
 */
export function listGpus(command = 'nvidia-smi'): GpuListing {
  let out: string;
  try {
    out = execFileSync(command, ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return { gpus: [], source: 'unknown: no nvidia-smi (no NVIDIA driver; onnxruntime does not name other GPUs)' };
    return { gpus: [], source: `unknown: nvidia-smi failed: ${String(err.stderr || err.message).trim().split('\n')[0]}` };
  }
  return { gpus: parseNvidiaSmi(out), source: 'nvidia-smi' };
}
