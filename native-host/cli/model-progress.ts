import type { ConvertProgress } from '../convert/convert-model';
import type { ModelProgress } from '../models/pull-model';

const MiB = 1024 * 1024;
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** One line for a conversion step (`convert`, and the conversion inside `pull` and `matte --model`). */
export function describeConvertProgress(p: ConvertProgress): string {
  switch (p.phase) {
    case 'hash':
      return 'convert: checksumming the checkpoint';
    case 'read':
      return 'convert: reading the checkpoint';
    case 'validate':
      return 'convert: checking the tensors against the MatAnyone layout';
    case 'graph':
      return `convert: [${p.index + 1}/${p.total}] building ${p.graph}`;
    case 'done':
      return p.reused ? 'convert: up to date' : 'convert: done';
  }
}

/**
 * One line for getting a model ready (check the cache, download, verify, convert), changing in steps of
 * `step` percent so that a log (not a terminal) gets a few lines only.
 */
export function describeModelProgress(p: ModelProgress, step: number): string {
  switch (p.step) {
    case 'check':
      return `pull: checking the cached ${p.fileName}`;
    case 'download': {
      const { phase, receivedBytes, totalBytes, resumedFrom } = p.progress;
      if (phase === 'verify') return `pull: verifying ${p.fileName}`;
      const resumed = resumedFrom > 0 ? ` (resumed at ${mib(resumedFrom)})` : '';
      if (!totalBytes) return `pull: downloading ${p.fileName}: ${mib(Math.floor(receivedBytes / (step * MiB)) * step * MiB)}${resumed}`;
      const percent = Math.floor((receivedBytes / totalBytes) * (100 / step)) * step;
      return `pull: downloading ${p.fileName} ${String(percent).padStart(3)}% of ${mib(totalBytes)}${resumed}`;
    }
    case 'convert':
      return describeConvertProgress(p.progress);
  }
}
