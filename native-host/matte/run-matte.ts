import * as path from 'path';
import { PrecisionChoice, precisionFor } from '../engine/precision-choice';
import type { ProviderFallback } from '../engine/fallback-runner';
import { ExecutionProviderChoice, ExecutionProviderName, providerOrder, ProviderAttempt } from '../engine/providers';
import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import { EngineClient, type EngineOpenOptions } from '../engine/worker/engine-client';
import { loadMask } from '../mask/load-mask';
import type { ModelProgress } from '../models/pull-model';
import { resolveModel } from '../models/resolve-model';
import { openFrameSource } from '../video/frame-source';
import { rationalValue } from '../video/rational';
import { DriftGuard } from '../person-mask/drift-guard';
import { personMaskOfFrame } from '../person-mask/frame-person-mask';
import type { PersonMaskBox } from '../person-mask/person-mask';
import { OutputFile, openOutputs, OutputSink, OutputSpec } from '../video/outputs';
import { ProcessingSize } from './processing-size';

/**
 * What a matting run needs of an engine: EngineClient (the model in its worker thread). The bench swaps in an
 * engine that does nothing, to measure what decoding and encoding alone allow.
 */
export type MatteEngine = Pick<EngineClient, 'provider' | 'skipped' | 'start' | 'step' | 'close'>;
export type OpenMatteEngine = (modelDir: string, options: EngineOpenOptions) => Promise<MatteEngine>;

/** The `--mask` value that finds the people on the first frame instead of reading a file. */
export const AUTO_MASK = 'auto';

/** A `matanyone matte` run: one clip, one first-frame mask per target, the files to write. */
export interface MatteRequest {
  /** a video file or a folder of numbered frames */
  input: string;
  /** one mask image per target, for the first frame of the range; `auto`: the people on that frame */
  masks: string[];
  /** with an `auto` mask: keep only the people this box touches */
  box?: PersonMaskBox;
  /** model folder, checkpoint file or registry name (default: the registry's default model) */
  model?: string;
  /** precision to convert a checkpoint to; `auto` by the provider first in the order (default fp32) */
  precision?: PrecisionChoice;
  outDir: string;
  outputs: OutputSpec[];
  /** source frame range, inclusive */
  from?: number;
  to?: number;
  /** the official --max_size: process at this shorter side, outputs restored to the source size */
  maxSize?: number;
  /** official defaults: warm-up 10, dilate 10, erode 10 */
  warmup: number;
  dilate: number;
  erode: number;
  ep: ExecutionProviderChoice;
  /** an explicit provider order, overriding `ep` (`--ep auto` after probing which GPU providers work) */
  providers?: ExecutionProviderName[];
  longTerm: boolean;
  threads?: number;
  /** the drift guard: every `everySeconds` of video, re-seed targets whose matte left the person under it */
  reseed?: { everySeconds: number; minIou?: number };
}

export type MatteProgress =
  | { phase: 'model'; progress: ModelProgress }
  | { phase: 'engine'; provider: ExecutionProviderName; skipped: ProviderAttempt[] }
  /** one line for the user, e.g. how a mask of another size was mapped onto the frame */
  | { phase: 'notice'; text: string }
  /** the drift guard checked frame `frame` (0-based in the range) for target `target` */
  | { phase: 'reseed'; frame: number; target: number; iou?: number; reseeded: boolean }
  | { phase: 'frames'; done: number; total?: number; fps: number; etaSeconds?: number };

export interface MatteResult {
  frames: number;
  /** per target (in mask order): its name and files */
  targets: { name: string; files: OutputFile[] }[];
  provider: ExecutionProviderName;
  /** true when stopped by the signal: the files hold the frames done so far */
  interrupted: boolean;
  seconds: number;
}

/** Output folder per target: the folder itself for one target, else a subfolder named after each mask. */
function targetFolders(outDir: string, masks: string[]): { name: string; dir: string }[] {
  if (masks.length === 1) return [{ name: path.parse(masks[0]).name, dir: outDir }];
  const used = new Map<string, number>();
  return masks.map((m) => {
    const base = path.parse(m).name || 'target';
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const name = n === 1 ? base : `${base}-${n}`;
    return { name, dir: path.join(outDir, name) };
  });
}

/**
 * Mattes a clip: decodes it one frame at a time through ffmpeg, runs the engine in its worker thread and
 * streams every target's alpha into its outputs. Memory does not grow with the clip's length.
 * Stopping through `signal` finishes the current frame and closes the outputs, which stay valid.
 *
 * @throws HostError for a missing model, an unreadable video, a bad mask or a failing output; outputs
 *   opened before the failure are closed with the frames done
 */
export async function runMatte(
  req: MatteRequest,
  hooks: { onProgress?: (p: MatteProgress) => void; signal?: AbortSignal; openEngine?: OpenMatteEngine } = {},
): Promise<MatteResult> {
  const progress = hooks.onProgress ?? (() => {});
  const started = Date.now();
  const providers = req.providers ?? providerOrder(req.ep);
  const precision = precisionFor(req.precision ?? 'fp32', providers[0]);
  const model = await resolveModel(req.model, { precision, onProgress: (p) => progress({ phase: 'model', progress: p }), signal: hooks.signal });
  const source = await openFrameSource(req.input, { from: req.from, to: req.to });
  const sinks: OutputSink[] = [];
  let engine: MatteEngine | undefined;
  try {
    const { width, height, fps } = source.info;
    const size = new ProcessingSize({ width, height }, req.maxSize);
    size.checkEngineCanRun(req.maxSize ? 'give a larger --max-size' : 'the video is too small to matte');
    const masks: Uint8Array[] = [];
    const onNotice = (text: string) => progress({ phase: 'notice', text });
    for (const file of req.masks) {
      // `auto` decodes the first frame once more (one frame, cheap) rather than holding back the stream.
      const grey = file === AUTO_MASK ? (await personMaskOfFrame(req.input, req.from ?? 0, { box: req.box })).mask : await loadMask(file, width, height, { onNotice });
      masks.push(size.prepareMask(grey, { dilate: req.dilate, erode: req.erode }));
    }
    const folders = targetFolders(req.outDir, req.masks);
    for (const f of folders) sinks.push(await openOutputs(f.dir, req.outputs, { width, height, fps }));

    const openEngine = hooks.openEngine ?? EngineClient.open;
    const engineOptions = {
      threads: req.threads,
      options: { ...OFFICIAL_OPTIONS, warmup: req.warmup, longTerm: req.longTerm },
      onProviderFallback: (f: ProviderFallback) => onNotice(`${f.from} failed during a frame (${f.error}); continuing on ${f.to}`),
    };
    const fp32Fallback = req.precision === 'auto' && precision === 'fp16' && model.kind !== 'folder';
    engine = await openPreferringHalf(
      () => openEngine(model.dir, { providers, ...engineOptions }),
      fp32Fallback
        ? async () => {
            const fp32 = await resolveModel(req.model, { precision: 'fp32', onProgress: (p) => progress({ phase: 'model', progress: p }), signal: hooks.signal });
            return openEngine(fp32.dir, { providers, ...engineOptions });
          }
        : undefined,
      providers[0],
    );
    progress({ phase: 'engine', provider: engine.provider, skipped: engine.skipped });

    const guard = req.reseed ? new DriftGuard({ everyFrames: Math.max(1, Math.round(req.reseed.everySeconds * rationalValue(fps))), minIou: req.reseed.minIou }) : undefined;
    /** each target's last matte at the source size: what the guard compares the next frame's people with */
    let lastMattes: Float32Array[] = [];

    const total = source.info.frameCount !== undefined ? Math.max(0, Math.min(source.info.frameCount - 1, req.to ?? Infinity) - (req.from ?? 0) + 1) : undefined;
    let done = 0;
    let firstDoneAt = 0;
    let interrupted = false;
    // Three stages overlap: ffmpeg decodes frame n+1 and the outputs encode frame n−1 while the engine runs
    // frame n. At most one frame is in each stage, so memory stays flat and output order is kept.
    const frames = source.frames()[Symbol.asyncIterator]();
    let next = handled(frames.next());
    let writing: Promise<unknown> = Promise.resolve();
    try {
      for (let r = await next; !r.done; r = await next) {
        const frame = r.value;
        next = handled(frames.next());
        const input = size.toEngine(frame);
        const corrections = guard?.due(done) ? await reseedCorrections(guard, frame, lastMattes, done, size, req, progress) : undefined;
        const alphas = done === 0 ? await engine.start(input, masks) : await engine.step(input, corrections, { refine: true });
        lastMattes = alphas.map((a) => size.toSource(a));
        await writing;
        const mattes = lastMattes;
        writing = handled(Promise.all(sinks.map((sink, i) => sink.write(frame, mattes[i]))));
        done++;
        // The first frame carries the warm-up: rates and ETA count from the frames after it.
        if (done === 1) firstDoneAt = Date.now();
        const fps = done > 1 ? (done - 1) / ((Date.now() - firstDoneAt) / 1000) : 0;
        progress({ phase: 'frames', done, total, fps, etaSeconds: total !== undefined && fps > 0 ? (total - done) / fps : undefined });
        if (hooks.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      await writing;
    } finally {
      // A failed frame leaves the previous frame's writes to finish before the outputs close.
      await writing.catch(() => undefined);
    }
    const targets = [];
    for (const [i, sink] of sinks.entries()) targets.push({ name: folders[i].name, files: await sink.close() });
    sinks.length = 0;
    return { frames: done, targets, provider: engine.provider, interrupted, seconds: (Date.now() - started) / 1000 };
  } finally {
    // On failure: keep what is done (outputs completed with the frames so far), release everything.
    await Promise.allSettled(sinks.map((s) => s.close()));
    await engine?.close();
    await source.close();
  }
}

/**
 * The engine on the fp16 model (`--precision auto` on a GPU order), or, when no GPU provider opens it (a
 * device without half-precision shaders), on the fp32 model: fp32 may still run on that GPU, and is what
 * `auto` means on the CPU. The fp16 attempts stay in `skipped`.
 */
async function openPreferringHalf(openHalf: () => Promise<MatteEngine>, openFull: (() => Promise<MatteEngine>) | undefined, first: ExecutionProviderName): Promise<MatteEngine> {
  if (!openFull) return openHalf();
  let halfSkipped: ProviderAttempt[];
  try {
    const engine = await openHalf();
    if (engine.provider !== 'cpu') return engine;
    halfSkipped = engine.skipped;
    await engine.close();
  } catch (e) {
    // openModel's error lists each provider's reason: keep the first one's
    halfSkipped = [{ provider: first, error: (e as Error).message.replace(/^no execution provider could run .*?: \[\w+\] /, '') }];
  }
  const engine = await openFull();
  engine.skipped = [...halfSkipped.map((a) => ({ ...a, error: `fp16: ${a.error}` })), ...engine.skipped];
  return engine;
}

/**
 * The promise, marked as handled: a stage running ahead may fail while the loop awaits another one; the
 * loop still sees the failure when it awaits this promise, but Node must not call it unhandled before then.
 */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The drift guard's corrections for this frame: the person under each drifted target (compared with the
 * previous frame's matte: one frame old, which a drift guard can afford), prepared as the first mask was.
 */
async function reseedCorrections(
  guard: DriftGuard,
  frame: { data: Uint8Array; width: number; height: number },
  mattes: Float32Array[],
  index: number,
  size: ProcessingSize,
  req: MatteRequest,
  progress: (p: MatteProgress) => void,
): Promise<Map<number, Uint8Array> | undefined> {
  const checks = await guard.check(frame, mattes, (req.from ?? 0) + index);
  const corrections = new Map<number, Uint8Array>();
  for (const [target, c] of checks.entries()) {
    if (c.kind === 'reseed') corrections.set(target, size.prepareMask(c.mask, { dilate: req.dilate, erode: req.erode }));
    progress({ phase: 'reseed', frame: index, target, iou: c.kind === 'no-person' ? undefined : c.iou, reseeded: c.kind === 'reseed' });
  }
  return corrections.size > 0 ? corrections : undefined;
}
