import * as path from 'path';
import type { Precision } from '../models/model-manifest';
import { ExecutionProviderChoice, ExecutionProviderName, providerOrder, ProviderAttempt } from '../engine/providers';
import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import { EngineClient } from '../engine/worker/engine-client';
import { loadMask } from '../mask/load-mask';
import type { ModelProgress } from '../models/pull-model';
import { resolveModel } from '../models/resolve-model';
import { openFrameSource } from '../video/frame-source';
import { personMaskOfFrame } from '../person-mask/frame-person-mask';
import type { PersonMaskBox } from '../person-mask/person-mask';
import { OutputFile, openOutputs, OutputSink, OutputSpec } from '../video/outputs';
import { ProcessingSize } from './processing-size';

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
  /** precision to convert a checkpoint to */
  precision?: Precision;
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
  longTerm: boolean;
  threads?: number;
}

export type MatteProgress =
  | { phase: 'model'; progress: ModelProgress }
  | { phase: 'engine'; provider: ExecutionProviderName; skipped: ProviderAttempt[] }
  /** one line for the user, e.g. how a mask of another size was mapped onto the frame */
  | { phase: 'notice'; text: string }
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
  hooks: { onProgress?: (p: MatteProgress) => void; signal?: AbortSignal } = {},
): Promise<MatteResult> {
  const progress = hooks.onProgress ?? (() => {});
  const started = Date.now();
  const model = await resolveModel(req.model, { precision: req.precision, onProgress: (p) => progress({ phase: 'model', progress: p }), signal: hooks.signal });
  const source = await openFrameSource(req.input, { from: req.from, to: req.to });
  const sinks: OutputSink[] = [];
  let engine: EngineClient | undefined;
  try {
    const { width, height, fps } = source.info;
    const size = new ProcessingSize({ width, height }, req.maxSize);
    const masks: Uint8Array[] = [];
    const onNotice = (text: string) => progress({ phase: 'notice', text });
    for (const file of req.masks) {
      // `auto` decodes the first frame once more (one frame, cheap) rather than holding back the stream.
      const grey = file === AUTO_MASK ? (await personMaskOfFrame(req.input, req.from ?? 0, { box: req.box })).mask : await loadMask(file, width, height, { onNotice });
      masks.push(size.prepareMask(grey, { dilate: req.dilate, erode: req.erode }));
    }
    const folders = targetFolders(req.outDir, req.masks);
    for (const f of folders) sinks.push(await openOutputs(f.dir, req.outputs, { width, height, fps }));

    engine = await EngineClient.open(model.dir, {
      providers: providerOrder(req.ep),
      threads: req.threads,
      options: { ...OFFICIAL_OPTIONS, warmup: req.warmup, longTerm: req.longTerm },
    });
    progress({ phase: 'engine', provider: engine.provider, skipped: engine.skipped });

    const total = source.info.frameCount !== undefined ? Math.max(0, Math.min(source.info.frameCount - 1, req.to ?? Infinity) - (req.from ?? 0) + 1) : undefined;
    let done = 0;
    let firstDoneAt = 0;
    let interrupted = false;
    for await (const frame of source.frames()) {
      const input = size.toEngine(frame);
      const alphas = done === 0 ? await engine.start(input, masks) : await engine.step(input);
      await Promise.all(sinks.map((sink, i) => sink.write(frame, size.toSource(alphas[i]))));
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
