import * as path from 'path';
import type { RgbFrame } from './frame-source';
import type { Rational } from './rational';

/** One output a matting run writes into its folder. */
export type OutputSpec =
  | { readonly kind: 'alpha'; readonly depth: 8 | 16 }
  | { readonly kind: 'prores4444' }
  | { readonly kind: 'luma' }
  | { readonly kind: 'composite'; readonly color: readonly [number, number, number] };

/** A finished output: a file, or for `alpha` the folder of numbered PNGs. */
export interface OutputFile {
  readonly kind: OutputSpec['kind'];
  readonly path: string;
}

/** Size and exact rate shared by every output of a run. */
export interface OutputFormat {
  readonly width: number;
  readonly height: number;
  readonly fps: Rational;
}

/** One frame as every writer sees it; the quantised alphas are computed once, on first use. */
export interface FrameContext {
  readonly frame: RgbFrame;
  /** width·height in [0, 1] */
  readonly alpha: Float32Array;
  /** round_half_even(clip(α·255)), width·height */
  alpha8(): Uint8Array;
  /** round_half_even(clip(α·65535)), width·height */
  alpha16(): Uint16Array;
}

/** The writer of one {@link OutputSpec}; `outputs.ts` drives several in parallel. */
export interface OutputWriter {
  readonly file: OutputFile;
  /** Resolves once the frame is handed over (encoded or queued in the encoder's pipe). */
  write(frame: FrameContext): Promise<void>;
  /** Completes the output so that it is valid with the frames written so far. */
  close(): Promise<void>;
  /** Stops without completing; leaves nothing half-written behind. */
  abort(): Promise<void>;
}

/**
 * An output's name for render `version`: as it is for 1 (`matte.mov`, `alpha`), `-v<n>` before the
 * extension from 2 on (`matte-v2.mov`, `alpha-v2`). Editors (Premiere) cache media by path: a render after
 * a correction must not reuse the earlier file's name, and the earlier files stay.
 */
export function versionedName(name: string, version = 1): string {
  if (!Number.isSafeInteger(version) || version < 1) throw new RangeError(`output version ${version} is not a positive integer`);
  if (version === 1) return name;
  const ext = path.extname(name);
  return `${name.slice(0, name.length - ext.length)}-v${version}${ext}`;
}
