import type { OutputFileInfo } from '../../bridge/jobs';
import { openFrameSource } from '../video/frame-source';
import { openOutputs, type OutputSink } from '../video/outputs';
import { VideoErrors } from '../video/video-errors';
import type { JobContext } from './job-context';
import { ProgressMeter } from './job-events';
import { outputFolders } from './job-request';

/**
 * The render phase: writes the requested outputs (one folder per target with several targets, as
 * `matanyone matte`) from the media, decoded again, and the stored 16-bit alphas. Cheap next to the
 * engine, so it is simply done again after a crash or a correction. Each version (render after a
 * correction) has its own file names, so the files of a finished render are never overwritten.
 *
 * @param frameTotal - frames in the range, all committed
 * @param version - which render of the job this is (JobRecord.version)
 * @returns the files written, or undefined when the signal stopped it (the movies are then removed)
 * @throws HostError OUTPUT_FAILED, VIDEO_UNREADABLE
 */
export async function runRenderPhase(ctx: JobContext, frameTotal: number, version: number): Promise<OutputFileInfo[] | undefined> {
  const { request, info, range, folder } = ctx;
  const source = await openFrameSource(request.media, { from: range.from, to: range.from + frameTotal - 1, folderFps: request.frameRate });
  const sinks: OutputSink[] = [];
  try {
    for (const dir of outputFolders(request)) sinks.push(await openOutputs(dir, request.outputs, { width: info.width, height: info.height, fps: info.fps }, { version }));
    const meter = new ProgressMeter(ctx.jobId, 'render', frameTotal, (p) => ctx.progress(p));
    let written = 0;
    for await (const frame of source.frames()) {
      const alphas = await Promise.all(sinks.map((_, t) => folder.readAlpha(t, frame.index)));
      await Promise.all(sinks.map((sink, t) => sink.write(frame, alphas[t].alpha)));
      meter.frame(++written);
      if (ctx.signal.aborted) {
        await Promise.allSettled(sinks.map((s) => s.abort()));
        return undefined;
      }
    }
    if (written !== frameTotal) throw VideoErrors.unreadable(request.media, `it now has ${written} frames in the range, the job matted ${frameTotal}`);
    const outputs: OutputFileInfo[] = [];
    for (const [t, sink] of sinks.entries()) for (const file of await sink.close()) outputs.push({ target: request.targets[t].name, kind: file.kind, path: file.path });
    sinks.length = 0;
    return outputs;
  } catch (e) {
    await Promise.allSettled(sinks.map((s) => s.abort()));
    throw e;
  } finally {
    await source.close();
  }
}
