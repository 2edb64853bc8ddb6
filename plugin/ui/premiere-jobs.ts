import type { BridgeClient } from '../../bridge/client';
import type { JobInfo, JobProgress } from '../../bridge/jobs';
import type { MaskInput } from '../../bridge/media';
import type { PremiereAdapter, SelectedClip } from '../host/host-adapter';
import type { HostConnection } from './host-connection';
import type { MatteOptions, PanelStorage, TrackedJob } from './panel-storage';

/** One job as the panel shows it. */
export interface JobView {
  job: TrackedJob;
  info?: JobInfo;
  progress?: JobProgress;
  /** a sentence about the last thing that happened to it (placed, replaced, failed, …) */
  message?: string;
}

/**
 * The Premiere side of the panel's jobs: submits clips, follows their jobs (also across host restarts and
 * panel reloads: the tracked jobs are kept in storage and the host keeps the jobs), and puts each finished
 * version of a matte on the timeline: placed the first time, replaced after a correction.
 */
export class PremiereJobs {
  private readonly views = new Map<string, JobView>();
  /** placements run one at a time: two finishing jobs must not edit the sequence at once */
  private placing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly adapter: PremiereAdapter,
    private readonly storage: PanelStorage,
    private readonly connection: HostConnection,
  ) {
    for (const job of storage.jobs) this.views.set(job.jobId, { job });
    connection.onConnected((client) => this.attach(client));
  }

  /** Newest first. */
  get list(): JobView[] {
    return [...this.views.values()].reverse();
  }

  view(jobId: string): JobView | undefined {
    return this.views.get(jobId);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Queues a matte of `clip`; the host answers at once, the work goes on in its queue. */
  async submit(clip: SelectedClip, mask: MaskInput, options: MatteOptions): Promise<string> {
    const bridge = this.requireBridge();
    const { jobId } = await bridge.call('submitMatte', {
      media: clip.mediaPath,
      range: { from: clip.frames.from, to: clip.frames.to },
      frameRate: clip.frameRate,
      targets: [{ mask }],
      outputs: [{ kind: options.output }],
      outDir: jobOutDir(clip.mediaPath, new Date()),
      settings: { longTerm: options.longTerm, ...(options.maxSize ? { maxSize: options.maxSize } : {}) },
    });
    const job: TrackedJob = { jobId, label: clip.name, clip, output: options.output };
    this.views.set(jobId, { job, message: 'Queued.' });
    this.save();
    await this.refresh(jobId);
    return jobId;
  }

  async cancel(jobId: string): Promise<void> {
    await this.requireBridge().call('cancelJob', { jobId });
    await this.refresh(jobId);
  }

  /** Re-runs from `frame` with a corrected mask; the finished matte is replaced when the new version is done. */
  async correct(jobId: string, frame: number, mask: MaskInput): Promise<void> {
    await this.requireBridge().call('correctMask', { jobId, frame, mask });
    this.update(jobId, { message: `Re-running from frame ${frame}…` });
    await this.refresh(jobId);
  }

  /** Drops a job from the panel's list (the host keeps its files). */
  forget(jobId: string): void {
    this.views.delete(jobId);
    this.save();
    this.changed();
  }

  private requireBridge(): BridgeClient {
    const bridge = this.connection.bridge;
    if (!bridge) throw new Error('The MatAnyone host is not connected.');
    return bridge;
  }

  /** A new connection: events go to it, and what happened while the panel was away is caught up. */
  private attach(client: BridgeClient): void {
    client.on('jobQueued', ({ jobId, position }) => this.update(jobId, { message: position > 0 ? `Queued (${position} ahead).` : 'Starting…' }));
    client.on('jobStarted', ({ jobId, resumedFrom }) => this.update(jobId, { message: resumedFrom !== undefined ? `Resumed at frame ${resumedFrom}.` : 'Started.' }));
    client.on('jobProgress', (progress) => this.update(progress.jobId, { progress }));
    client.on('jobFinished', ({ jobId }) => void this.refresh(jobId));
    client.on('jobFailed', ({ jobId, error }) => this.update(jobId, { message: `Failed: ${error.message}` }));
    client.on('jobCancelled', ({ jobId }) => void this.refresh(jobId));
    void this.catchUp(client);
  }

  private async catchUp(client: BridgeClient): Promise<void> {
    try {
      const { jobs } = await client.call('listJobs', {});
      const known = new Map(jobs.map((info) => [info.jobId, info]));
      for (const view of this.views.values()) {
        const info = known.get(view.job.jobId);
        if (info) this.took(info);
        else this.update(view.job.jobId, { message: 'The host no longer knows this job.' });
      }
    } catch {
      // the connection dropped again; the next one catches up
    }
  }

  private async refresh(jobId: string): Promise<void> {
    const bridge = this.connection.bridge;
    if (!bridge || !this.views.has(jobId)) return;
    try {
      this.took(await bridge.call('getJob', { jobId }));
    } catch (error) {
      this.update(jobId, { message: (error as Error).message });
    }
  }

  /** Records what the host says of a job, and places its matte when a new version is finished. */
  private took(info: JobInfo): void {
    const view = this.views.get(info.jobId);
    if (!view) return;
    const message = info.state === 'failed' && info.error ? `Failed: ${info.error.message}` : info.state === 'cancelled' ? 'Cancelled.' : view.message;
    this.update(info.jobId, { info, progress: info.progress, message });
    if (info.state === 'finished' && (view.job.placedVersion ?? 0) < info.version) this.place(info);
  }

  private place(info: JobInfo): void {
    this.placing = this.placing.then(async () => {
      const view = this.views.get(info.jobId);
      if (!view || (view.job.placedVersion ?? 0) >= info.version) return; // placed meanwhile
      const output = info.outputs?.find((o) => o.kind === view.job.output);
      if (!output) return this.update(info.jobId, { message: `The host finished but wrote no ${view.job.output} output.` });
      const matte = { path: output.path, output: view.job.output };
      try {
        const previous = view.job.placement;
        const outcome = previous ? await this.adapter.replaceMatte(view.job.clip, previous, matte) : await this.adapter.placeMatte(view.job.clip, matte);
        view.job = { ...view.job, placement: outcome.placement, placedVersion: info.version, notes: outcome.notes };
        this.save();
        const track = `V${outcome.placement.videoTrackIndex + 1}`;
        this.update(info.jobId, { message: previous ? `Replaced the matte on ${track} (version ${info.version}).` : `Placed the matte on ${track}.` });
      } catch (error) {
        this.update(info.jobId, { message: (error as Error).message });
      }
    });
  }

  private update(jobId: string, change: Partial<Omit<JobView, 'job'>>): void {
    const view = this.views.get(jobId);
    if (!view) return;
    Object.assign(view, change);
    this.changed();
  }

  private save(): void {
    this.storage.jobs = [...this.views.values()].map((view) => view.job);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * A folder of its own for each job, next to the media (`interview.matanyone/2026-11-30_14-05-09/`): two jobs on
 * one clip must never write the same file, since Premiere keeps using the first job's movie.
 */
export function jobOutDir(mediaPath: string, now: Date): string {
  const separator = mediaPath.includes('\\') && !mediaPath.includes('/') ? '\\' : '/';
  const cut = mediaPath.lastIndexOf(separator);
  const folder = mediaPath.slice(0, cut);
  const name = mediaPath.slice(cut + 1).replace(/\.[^.]*$/, '');
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}_${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return `${folder}${separator}${name}.matanyone${separator}${stamp}`;
}
