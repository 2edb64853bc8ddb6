import type { JobProgress, OutputFileInfo } from '../../bridge/jobs';
import type { ExecutionProviderName } from '../engine/providers';
import { openFrameSource } from '../video/frame-source';
import { VideoErrors } from '../video/video-errors';
import type { JobContext } from './job-context';
import type { JobFolder } from './job-folder';
import type { JobStore } from './job-store';
import { runMattePhase } from './matte-phase';
import { runRenderPhase } from './render-phase';
import { SnapshotStore } from './snapshot-store';

export type RunOutcome = { kind: 'finished'; outputs: OutputFileInfo[]; version: number } | { kind: 'stopped' };

export interface RunJobOptions {
  store: JobStore;
  folder: JobFolder;
  engine: { providers: ExecutionProviderName[]; threads?: number };
  snapshotEvery: number;
  signal: AbortSignal;
  /** the job (re)starts: `resumedFrom` is the first frame it computes, set when it ran before */
  started(resumedFrom: number | undefined): void;
  progress(p: JobProgress): void;
}

/**
 * Runs one job to its end or to a stop: the engine phase for the frames not committed yet, then the render
 * phase. Whatever stops it (the signal, a crash), running it again continues where it was.
 *
 * @throws HostError for what the user can fix (media, masks, model, outputs); plain Errors are bugs
 */
export async function runJob(jobId: string, options: RunJobOptions): Promise<RunOutcome> {
  const { store, folder } = options;
  const request = await folder.readRequest();
  const job = store.get(jobId);
  if (!job) throw new Error(`job ${jobId} vanished from the database`);
  const range = { from: request.range?.from ?? 0, to: request.range?.to };
  const probe = await openFrameSource(request.media, { ...range, folderFps: request.frameRate });
  await probe.close();
  const info = probe.info;
  const known = info.frameCount !== undefined ? Math.min(info.frameCount - 1, range.to ?? Infinity) - range.from + 1 : undefined;
  if (known !== undefined && known <= 0) throw VideoErrors.unreadable(request.media, `it has ${info.frameCount} frames: the range starts at frame ${range.from}, after its end`);
  store.setFrameInfo(jobId, { width: info.width, height: info.height, frameTotal: known });

  const ctx: JobContext = {
    jobId,
    request,
    store,
    folder,
    snapshots: new SnapshotStore(folder.snapshotsDir, range.from, options.snapshotEvery),
    info,
    range,
    engine: options.engine,
    signal: options.signal,
    progress: options.progress,
  };
  options.started(store.runs(jobId).length > 0 ? range.from + job.framesDone : undefined);
  if (job.phase === 'matte' && (await runMattePhase(ctx)) === 'stopped') return { kind: 'stopped' };
  if (options.signal.aborted) return { kind: 'stopped' };
  const ended = store.get(jobId);
  if (ended?.frameTotal === undefined) throw new Error(`job ${jobId} finished its engine phase without a frame count`);
  const { frameTotal, version } = ended;
  await folder.log(`rendering ${frameTotal} frames${version > 1 ? ` as version ${version}` : ''}`);
  const outputs = await runRenderPhase(ctx, frameTotal, version);
  return outputs ? { kind: 'finished', outputs, version } : { kind: 'stopped' };
}
