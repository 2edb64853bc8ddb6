import { parentPort } from 'worker_threads';
import { HostError, isHostError } from '../../errors';
import { InferenceCore } from '../inference-core';
import { FallbackRunner } from '../fallback-runner';
import { openModel } from '../model-sessions';
import { decodeSnapshot, encodeSnapshot } from '../snapshot';
import type { EngineEvent, EngineRequests, EngineRequestType, ReplyMessage, RequestMessage } from './messages';

/**
 * The engine thread: owns the onnxruntime sessions and the InferenceCore, whose `run` calls block. One
 * request at a time, in order; alphas and snapshots go back as transferred buffers.
 */
let runner: FallbackRunner | undefined;
let core: InferenceCore | undefined;

function requireCore(): InferenceCore {
  if (!core) throw new Error('engine used before open');
  return core;
}

type Handlers = { [T in EngineRequestType]: (data: EngineRequests[T]['request']) => Promise<EngineRequests[T]['reply']> };

const handlers: Handlers = {
  open: async ({ modelDir, providers, threads, options }) => {
    const sessionOptions = { intraOpNumThreads: threads, deviceResidentOutputs: true };
    const model = await openModel(modelDir, providers, sessionOptions);
    // A provider failing mid-run hands over to the next one of the order; the client hears of it at once.
    runner = new FallbackRunner(model, providers, sessionOptions, (fallback) => parentPort!.postMessage({ event: 'fallback', fallback } satisfies EngineEvent));
    core = new InferenceCore(runner, options);
    return { provider: model.provider, skipped: model.skipped };
  },
  start: async ({ frame, masks }) => ({ alphas: await requireCore().start(frame, masks) }),
  step: async ({ frame, corrections, refine }) => ({ alphas: await requireCore().step(frame, corrections, { refine }) }),
  snapshot: async () => ({ bytes: new Uint8Array(encodeSnapshot(requireCore().snapshot())) }),
  restore: async ({ bytes }) => {
    try {
      const snapshot = decodeSnapshot(bytes);
      await requireCore().restore(snapshot);
      return { frameIndex: snapshot.frameIndex };
    } catch (e) {
      throw new HostError('INVALID_ARGUMENT', `cannot restore the engine: ${(e as Error).message}`);
    }
  },
  close: async () => {
    await runner?.release();
    runner = undefined;
    core = undefined;
    return {};
  },
};

function transferables(data: unknown): ArrayBuffer[] {
  const d = data as { alphas?: Float32Array[]; bytes?: Uint8Array };
  if (d.alphas) return d.alphas.map((a) => a.buffer as ArrayBuffer);
  if (d.bytes) return [d.bytes.buffer as ArrayBuffer];
  return [];
}

let queue = Promise.resolve();
parentPort!.on('message', (msg: RequestMessage) => {
  queue = queue.then(async () => {
    let reply: ReplyMessage;
    try {
      const handler = handlers[msg.type] as (data: unknown) => Promise<unknown>;
      const data = await handler(msg.data);
      reply = { id: msg.id, ok: true, data };
      parentPort!.postMessage(reply, transferables(data));
    } catch (e) {
      const err = e as Error;
      reply = { id: msg.id, ok: false, error: { code: isHostError(e) ? e.code : undefined, message: err.message, stack: err.stack } };
      parentPort!.postMessage(reply);
    }
  });
});
