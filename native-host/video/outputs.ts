import { promises as fs } from 'fs';
import { HostError } from '../errors';
import { openAlphaSequenceWriter } from './alpha-sequence-writer';
import type { RgbFrame } from './frame-source';
import type { FrameContext, OutputFile, OutputFormat, OutputSpec, OutputWriter } from './output-writer';
import { alphaToU16, alphaToU8 } from './quantise';
import { openCompositeWriter, openLumaWriter, openProres4444Writer } from './video-output-writers';
import { VideoErrors } from './video-errors';

export type { OutputFile, OutputFormat, OutputSpec } from './output-writer';

/**
 * Where a matting run's frames go. Call `write` once per frame in order, then `close`; after a failed
 * `write` (or to give up), call `abort`.
 */
export interface OutputSink {
  /**
   * Writes one frame to every output (in parallel); resolves when each encoder has taken it.
   * @param frame - the source frame (its RGB feeds matte.mov and the composite)
   * @param alpha - width·height values in [0, 1]
   * @throws HostError OUTPUT_FAILED (or FFMPEG_NOT_FOUND) when an output cannot be written
   */
  write(frame: RgbFrame, alpha: Float32Array): Promise<void>;
  /**
   * Completes every output with the frames written so far (also after an interrupted run).
   * @returns the outputs in the order of the specs
   * @throws HostError OUTPUT_FAILED for the first output that failed, after all others are finished
   */
  close(): Promise<OutputFile[]>;
  /** Kills the encoders and removes their incomplete movies; PNGs already written stay. */
  abort(): Promise<void>;
}

/**
 * Opens the requested outputs in `dir` (created if needed):
 * `alpha/000000.png…` (`alpha`), `matte.mov` (`prores4444`), `matte-luma.mov` (`luma`), `composite.mp4`;
 * for `options.version` n ≥ 2 each name gets `-v<n>` (`alpha-v2/`, `matte-v2.mov`…: see versionedName).
 *
 * @param dir - output folder
 * @param specs - at most one of each kind
 * @param format - size and exact frame rate of the frames that will be written
 * @param options - `version`: which render of a job this is (default 1)
 * @throws HostError INVALID_ARGUMENT for bad specs, OUTPUT_FAILED when the folder cannot be created
 * @example
 * const sink = await openOutputs('out', [{ kind: 'alpha', depth: 16 }, { kind: 'prores4444' }], source.info);
 * try {
 *   for await (const frame of source.frames()) await sink.write(frame, await engine.step(frame));
 *   files = await sink.close();
 * } catch (e) {
 *   await sink.abort();
 *   throw e;
 * }
 */
export async function openOutputs(dir: string, specs: readonly OutputSpec[], format: OutputFormat, options: { version?: number } = {}): Promise<OutputSink> {
  checkSpecs(specs);
  checkFormat(format);
  await fs.mkdir(dir, { recursive: true }).catch((e: Error) => {
    throw VideoErrors.outputFailed(dir, e.message);
  });
  const writers: OutputWriter[] = [];
  try {
    for (const spec of specs) writers.push(await openWriter(dir, spec, format, options.version ?? 1));
  } catch (e) {
    await Promise.allSettled(writers.map((w) => w.abort()));
    throw e;
  }

  return {
    async write(frame, alpha) {
      const { width, height } = format;
      if (frame.width !== width || frame.height !== height || frame.data.length !== width * height * 3)
        throw new Error(`frame ${frame.index} is ${frame.width}×${frame.height}, the outputs are ${width}×${height}`);
      if (alpha.length !== width * height)
        throw new Error(`alpha of frame ${frame.index} has ${alpha.length} values, expected ${width * height}`);
      const context = frameContext(frame, alpha);
      await Promise.all(writers.map((w) => w.write(context)));
    },
    async close() {
      const results = await Promise.allSettled(writers.map((w) => w.close()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return writers.map((w) => w.file);
    },
    async abort() {
      await Promise.allSettled(writers.map((w) => w.abort()));
    },
  };
}

function openWriter(dir: string, spec: OutputSpec, format: OutputFormat, version: number): Promise<OutputWriter> | OutputWriter {
  switch (spec.kind) {
    case 'alpha':
      return openAlphaSequenceWriter(dir, spec.depth, format, version);
    case 'prores4444':
      return openProres4444Writer(dir, format, version);
    case 'luma':
      return openLumaWriter(dir, format, version);
    case 'composite':
      return openCompositeWriter(dir, format, spec.color, version);
  }
}

/** Quantises the alpha lazily and once, however many writers ask. */
function frameContext(frame: RgbFrame, alpha: Float32Array): FrameContext {
  let a8: Uint8Array | undefined;
  let a16: Uint16Array | undefined;
  return {
    frame,
    alpha,
    alpha8: () => (a8 ??= alphaToU8(alpha)),
    alpha16: () => (a16 ??= alphaToU16(alpha)),
  };
}

function checkSpecs(specs: readonly OutputSpec[]): void {
  if (specs.length === 0) throw new HostError('INVALID_ARGUMENT', 'no outputs requested; ask for at least one');
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.kind)) throw new HostError('INVALID_ARGUMENT', `output "${spec.kind}" requested twice`);
    seen.add(spec.kind);
    if (spec.kind === 'alpha' && spec.depth !== 8 && spec.depth !== 16)
      throw new HostError('INVALID_ARGUMENT', `alpha depth must be 8 or 16, got ${spec.depth}`);
    if (spec.kind === 'composite' && (spec.color.length !== 3 || !spec.color.every((c) => c >= 0 && c <= 255)))
      throw new HostError('INVALID_ARGUMENT', `composite colour must be three values in 0..255, got ${spec.color.join(',')}`);
  }
}

function checkFormat({ width, height, fps }: OutputFormat): void {
  const positiveInt = (n: number) => Number.isSafeInteger(n) && n > 0;
  if (!positiveInt(width) || !positiveInt(height) || !positiveInt(fps.num) || !positiveInt(fps.den))
    throw new Error(`invalid output format ${width}×${height} at ${fps.num}/${fps.den} fps`);
}
