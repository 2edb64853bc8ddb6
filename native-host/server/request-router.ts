import { promises as fs } from 'fs';
import { listFrameFiles } from '../video/frame-files';
import { defaultOutDir } from '../jobs/job-request';
import type { MaskInput } from '../../bridge/media';
import type { ParsedRequest } from '../../bridge/protocol';
import type { JobService } from '../jobs/job-service';
import type { StillService } from '../still/still-service';
import type { JobFrameRenderer } from './job-frame';
import { checkStartLive } from './live-request';
import type { LiveRunner } from './live-runner';
import type { PathPolicy } from './path-policy';
import type { PreviewRenderer } from './preview';
import { ServerErrors } from './server-errors';

export interface RouterDeps {
  jobs: JobService;
  stills: StillService;
  paths: PathPolicy;
  preview: PreviewRenderer;
  jobFrame: JobFrameRenderer;
  /** the host's one live session (startLive…) */
  live: LiveRunner;
  /** the model for requests that name none (`serve --model`); without it the registry's default */
  defaultModel?: string;
}

/** Routes one request of an identified client; resolves with the method's result or throws its error. */
export type RequestRouter = (clientId: string, request: ParsedRequest) => Promise<unknown>;

/** A registry name (`matanyone2`): no separators, no dots at the start, no checkpoint extension. */
const REGISTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[0-9][A-Za-z0-9_-]*)*$/;

/** Each preview (getPreview, getJobFrame) starts an ffmpeg; more than this many wait their turn. */
const PREVIEWS_AT_ONCE = 2;

/** Runs at most `n` tasks at once; the others wait in order. */
function limitConcurrency(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * The methods after hello. Every path in the parameters (media, output folder, mask files, a model given as
 * a path) is checked against the allowed roots first and replaced by its real path, so the jobs layer only
 * ever sees checked paths (the JobService contract).
 */
export function createRequestRouter({ jobs, stills, paths, preview, jobFrame, live, defaultModel }: RouterDeps): RequestRouter {
  const decode = limitConcurrency(PREVIEWS_AT_ONCE);
  // A frame folder under a root may hold links to images elsewhere (the frame sources follow links): every
  // frame must resolve under the roots too, not only the folder.
  const checkMedia = async (media: string): Promise<string> => {
    const checked = await paths.check(media);
    if (!(await fs.stat(checked)).isDirectory()) return checked;
    // A folder that is no frame sequence fails later with the frame source's own error; only links matter here.
    for (const frame of await listFrameFiles(checked).catch(() => [])) await paths.check(frame.path);
    return checked;
  };
  const checkMask = async (mask: MaskInput): Promise<MaskInput> => (mask.kind === 'path' ? { kind: 'path', path: await paths.check(mask.path) } : mask);
  // A model the host's user chose (`serve --model`) is theirs, not a panel's: it is not held to the roots.
  const checkModel = async (model: string | undefined) =>
    model === undefined ? (defaultModel !== undefined ? { model: defaultModel } : {}) : !REGISTRY_NAME.test(model) ? { model: await paths.check(model) } : { model };

  return async (clientId, request) => {
    switch (request.method) {
      case 'hello':
        throw ServerErrors.alreadyIntroduced();
      case 'submitMatte': {
        const p = request.params;
        const media = await checkMedia(p.media);
        // The default output folder (next to the media) must be writable under the roots too: check it and
        // pass it on explicitly, so that the jobs layer never writes anywhere unchecked.
        const checked = {
          ...p,
          media,
          outDir: await paths.check(p.outDir ?? defaultOutDir(media), { forWrite: true }),
          ...(await checkModel(p.model)),
          targets: await Promise.all(p.targets.map(async (t) => ({ ...t, mask: await checkMask(t.mask) }))),
        };
        return jobs.submit(clientId, checked);
      }
      case 'cancelJob':
        return jobs.cancel(clientId, request.params.jobId);
      case 'correctMask':
        return jobs.correct(clientId, { ...request.params, mask: await checkMask(request.params.mask) });
      case 'getJob':
        return jobs.get(clientId, request.params.jobId);
      case 'listJobs':
        return { jobs: jobs.list(clientId) };
      case 'getPreview': {
        const { media, frame, maxSize, frameRate } = request.params;
        const checked = await checkMedia(media);
        return decode(() => preview({ media: checked, frame, maxSize, frameRate }));
      }
      case 'getJobFrame': {
        const { jobId, frame, target, maxSize } = request.params;
        const source = await jobs.frame(clientId, { jobId, frame, target });
        return decode(() => jobFrame({ ...source, frame, maxSize }));
      }
      case 'refineStill': {
        const p = request.params;
        return stills.refine({
          ...p,
          image: { ...p.image, path: await paths.check(p.image.path) },
          mask: { ...p.mask, path: await paths.check(p.mask.path) },
          out: await paths.check(p.out, { forWrite: true }),
          ...(await checkModel(p.model)),
        });
      }
      case 'startLive':
        return live.start(await checkStartLive(request.params, { media: checkMedia, mask: checkMask, model: checkModel }));
      case 'stopLive':
        return live.stop();
      case 'remaskLive':
        return live.remask(await checkMask(request.params.mask));
      case 'getLiveStatus':
        return live.status();
      case 'getLiveFrame':
        return live.currentFrame(request.params.maxSize);
    }
  };
}
