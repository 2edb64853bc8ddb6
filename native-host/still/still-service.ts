import { promises as fs } from 'fs';
import * as path from 'path';
import type { RefineStillParams, RefineStillResult } from '../../bridge/still';
import { OFFICIAL_OPTIONS } from '../engine/inference-core';
import { providerOrder, type ExecutionProviderChoice, type ExecutionProviderName } from '../engine/providers';
import { EngineClient } from '../engine/worker/engine-client';
import { HostError } from '../errors';
import { DEFAULT_SETTINGS } from '../jobs/job-request';
import { writeFileAtomic } from '../jobs/job-folder';
import { resolveModel } from '../models/resolve-model';
import { alphaToU8 } from '../video/quantise';
import { readRawMask, readRawRgb } from './raw-image';
import { refineStillAlpha } from './refine-still';

/** refineStill for the server; parameters arrive with every path checked against the allowed roots. */
export interface StillService {
  refine(params: RefineStillParams): Promise<RefineStillResult>;
  /** Waits for the still in progress, then releases the engine. */
  close(): Promise<void>;
}

export interface StillServiceOptions {
  /** execution providers to try, in order, or a `--ep` choice (default `auto`) */
  providers?: ExecutionProviderName[] | ExecutionProviderChoice;
  threads?: number;
  /** an engine unused this long is closed (default 60 s): a retouch session reuses it, an idle host frees it */
  idleMs?: number;
}

/** One engine kept between stills, for one model and warm-up. */
interface KeptEngine {
  key: string;
  engine: EngineClient;
}

/**
 * Stills one at a time, in arrival order (each runs a whole engine on the image; two at once would only
 * compete for the same GPU), on an engine thread kept open between calls of the same model and warm-up.
 */
export function createStillService(options: StillServiceOptions = {}): StillService {
  const providers = typeof options.providers === 'object' ? options.providers : providerOrder(options.providers ?? 'auto');
  let kept: KeptEngine | undefined;
  let idle: NodeJS.Timeout | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  const release = async () => {
    clearTimeout(idle);
    const k = kept;
    kept = undefined;
    await k?.engine.close();
  };

  const engineFor = async (modelDir: string, warmup: number): Promise<EngineClient> => {
    const key = `${modelDir}\n${warmup}`;
    if (kept?.key === key) return kept.engine;
    await release();
    const engine = await EngineClient.open(modelDir, { providers, threads: options.threads, options: { ...OFFICIAL_OPTIONS, warmup } });
    kept = { key, engine };
    return engine;
  };

  const run = async (p: RefineStillParams): Promise<Omit<RefineStillResult, 'ms'>> => {
    clearTimeout(idle); // the kept engine is in use again
    const { width, height, channels } = p.image;
    if (p.mask.width !== width || p.mask.height !== height)
      throw new HostError('INVALID_ARGUMENT', `the mask is ${p.mask.width}×${p.mask.height} and the image ${width}×${height}; send both at the image size`);
    const rgb = await readRawRgb(p.image.path, width, height, channels);
    const mask = await readRawMask(p.mask.path, width, height);
    const settings = { ...DEFAULT_SETTINGS, ...p.settings };
    const model = await resolveModel(p.model);
    const engine = await engineFor(model.dir, settings.warmup);
    let alpha: Float32Array;
    try {
      alpha = await refineStillAlpha(engine, { width, height, rgb, mask }, settings);
    } catch (e) {
      await release(); // a failed engine (worker gone, out of memory) is not reused
      throw e;
    }
    try {
      await fs.mkdir(path.dirname(p.out), { recursive: true });
      await writeFileAtomic(p.out, alphaToU8(alpha));
    } catch (e) {
      throw new HostError('OUTPUT_FAILED', `cannot write the alpha to ${p.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a file in a writable folder`);
    }
    return { path: p.out, width, height };
  };

  return {
    refine(params) {
      if (closed) return Promise.reject(new HostError('JOB_STATE', 'the host is shutting down; try again after it restarts'));
      const started = Date.now();
      const result = tail.then(() => run(params));
      tail = result.catch(() => undefined).then(() => {
        clearTimeout(idle);
        if (kept) idle = setTimeout(() => void release(), options.idleMs ?? 60_000).unref();
      });
      return result.then((r) => ({ ...r, ms: Date.now() - started }));
    },
    async close() {
      closed = true;
      await tail;
      await release();
    },
  };
}
