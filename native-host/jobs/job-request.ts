import * as path from 'path';
import type { SubmitMatteParams } from '../../bridge/jobs';
import type { AutoMask, BoxMask, DrawingMask, StrokesMask } from './stroke-raster';

/**
 * A mask as a job keeps it: an image (sent as PNG data or as a path) is a file in the job folder, so that
 * the job can resume after the original is gone; strokes, boxes, drawings and `auto` stay as sent (auto is
 * found again on resume: the model is deterministic). `label` names
 * the mask in error messages (the folder path means nothing to the user).
 */
export type StoredMask = { kind: 'file'; file: string; label: string } | StrokesMask | BoxMask | DrawingMask | AutoMask;

/** `request.json`: the submitted parameters with every target named and every mask stored. */
export interface StoredRequest extends Omit<SubmitMatteParams, 'targets'> {
  targets: { name: string; mask: StoredMask }[];
}

/** The official procedure's defaults, as `matanyone matte`. */
export const DEFAULT_SETTINGS = { warmup: 10, dilate: 10, erode: 10, longTerm: false } as const;

/** The settings with the defaults filled in. */
export function jobSettings(request: StoredRequest): { warmup: number; dilate: number; erode: number; longTerm: boolean; maxSize?: number } {
  return { ...DEFAULT_SETTINGS, ...request.settings };
}

/**
 * Target names: the given name, else the mask file's name, else `target-N`; repeated names get `-2`, `-3`.
 * With several targets each name is also the output subfolder (as `matanyone matte` names them).
 */
export function targetNames(targets: SubmitMatteParams['targets']): string[] {
  const used = new Map<string, number>();
  return targets.map((t, i) => {
    const base = t.name ?? (t.mask.kind === 'path' ? path.parse(t.mask.path).name : '');
    // A name is a folder under the output root: '.' or '..' would leave it.
    const name = base && !/^\.+$/.test(base) ? base : `target-${i + 1}`;
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    return n === 1 ? name : `${name}-${n}`;
  });
}

/** The output folder of a job that names none: `<media folder>/<media name>.matanyone/`, next to the media. */
export function defaultOutDir(media: string): string {
  const parsed = path.parse(path.resolve(media));
  return path.join(parsed.dir, `${parsed.name}.matanyone`);
}

/** Where the outputs go: `outDir`, or the default next to the media. */
export function outputRoot(request: StoredRequest): string {
  return request.outDir || defaultOutDir(request.media);
}

/** Each target's output folder: the root itself for one target, a subfolder per name for several. */
export function outputFolders(request: StoredRequest): string[] {
  const root = outputRoot(request);
  if (request.targets.length === 1) return [root];
  return request.targets.map((t) => path.join(root, t.name));
}
