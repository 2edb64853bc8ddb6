import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import { EngineClient } from '../engine/worker/engine-client';
import { ProcessingSize } from '../matte/processing-size';
import { resolveModel } from '../models/resolve-model';
import { openFrameSource } from '../video/frame-source';
import { VideoErrors } from '../video/video-errors';
import type { JobContext } from './job-context';
import { ProgressMeter } from './job-events';
import { JobMasks } from './job-masks';
import { jobSettings } from './job-request';

/**
 * The engine phase: computes and stores the alphas of every frame not committed yet.
 *
 * Per frame, in this order: every target's alpha PNG, the engine snapshot after the frame, then the commit
 * in the database. A frame is done once committed; a host killed at any point leaves its frame either
 * committed with everything on disk, or not committed (recomputed on resume, its files overwritten).
 *
 * It starts from the newest snapshot before the first frame to write (`firstFrame + framesDone`): frames
 * between the snapshot and that frame are stepped again only to rebuild the engine's memory, their alphas
 * left untouched. Without a usable snapshot it starts at the range's first frame with the targets' masks.
 * Corrections enter the engine at their frames as permanent memory (InferenceCore.step).
 *
 * @returns 'done' when every frame of the range is committed, 'stopped' when the signal stopped it
 * @throws HostError from the model, the media (VIDEO_UNREADABLE mid-way) and the masks
 */
export async function runMattePhase(ctx: JobContext): Promise<'done' | 'stopped'> {
  const { jobId, request, store, folder, snapshots, info, range } = ctx;
  const job = store.get(jobId);
  if (!job) throw new Error(`job ${jobId} vanished from the database`);
  const restartAt = range.from + job.framesDone;
  await snapshots.prune(restartAt);

  const settings = jobSettings(request);
  const model = await resolveModel(request.model);
  const engine = await EngineClient.open(model.dir, {
    providers: ctx.engine.providers,
    threads: ctx.engine.threads,
    options: { ...OFFICIAL_OPTIONS, warmup: settings.warmup, longTerm: settings.longTerm },
  });
  try {
    const base = await restoreNewest(ctx, engine, restartAt);
    const run = store.beginRun(jobId, { snapshotFrame: base, firstFrame: restartAt });
    await folder.log(
      `run ${run} on ${engine.provider}: ${base === undefined ? 'from the first frame' : `from the snapshot of frame ${base}`}, ` +
        `alphas from frame ${restartAt}`,
    );
    const readFrom = base === undefined ? range.from : base + 1;
    if (range.to !== undefined && readFrom > range.to) {
      store.endMatte(jobId, job.framesDone);
      return 'done';
    }

    const { width, height } = info;
    const size = new ProcessingSize({ width, height }, settings.maxSize);
    size.checkEngineCanRun(settings.maxSize ? 'give a larger maxSize' : 'the video is too small to matte');
    const masks = new JobMasks(request, folder, store.corrections(jobId), size);
    const meter = new ProgressMeter(jobId, 'matte', job.frameTotal, (p) => ctx.progress(p), job.framesDone);

    const source = await openFrameSource(request.media, { from: readFrom, to: range.to, folderFps: request.frameRate });
    let restepped = 0;
    let done = job.framesDone;
    let last = readFrom - 1;
    try {
      for await (const frame of source.frames()) {
        const f = frame.index;
        last = f;
        const input = size.toEngine(frame);
        const alphas = base === undefined && f === range.from ? await engine.start(input, await masks.start(f)) : await engine.step(input, await masks.at(f));
        if (f < restartAt) {
          restepped++;
        } else {
          await Promise.all(alphas.map((a, t) => folder.writeAlpha(t, f, size.toSource(a), width, height)));
          await snapshots.write(f, await engine.snapshot());
          done = f - range.from + 1;
          store.commitFrame(jobId, run, done);
          await snapshots.committed(f);
          meter.frame(done);
        }
        if (ctx.signal.aborted) return 'stopped';
      }
    } finally {
      if (restepped > 0) store.setRestepped(jobId, run, restepped);
      await source.close();
    }
    if (last < restartAt - 1) throw VideoErrors.unreadable(request.media, `it ends at frame ${last}, but frames up to ${restartAt - 1} were matted before`);
    if (done === 0) throw VideoErrors.unreadable(request.media, `it has no frame ${range.from}: the range starts after its end`);
    store.endMatte(jobId, done);
    return 'done';
  } finally {
    await engine.close();
  }
}

/**
 * Restores the newest snapshot of a frame before `restartAt`; one that fails to load is deleted and the
 * next older one tried. Returns its source frame, or undefined to start from the first frame.
 */
async function restoreNewest(ctx: JobContext, engine: EngineClient, restartAt: number): Promise<number | undefined> {
  const candidates = (await ctx.snapshots.frames()).filter((f) => f < restartAt).reverse();
  for (const frame of candidates) {
    try {
      const index = await engine.restore(await ctx.snapshots.read(frame));
      if (index !== frame - ctx.range.from) throw new Error(`it holds frame ${ctx.range.from + index}`);
      return frame;
    } catch (e) {
      await ctx.folder.log(`snapshot of frame ${frame} unusable (${(e as Error).message}); deleted`);
      await ctx.snapshots.remove(frame);
    }
  }
  return undefined;
}
