import type { CoreOptions } from '../inference-core';
import type { EngineFrame } from '../frame-tensors';
import type { ExecutionProviderName, ProviderAttempt } from '../providers';
import type { ProviderFallback } from '../fallback-runner';

/**
 * The engine worker's protocol: every request is `{id, type, data}`, every reply `{id, ok, data | error}`.
 * Requests and their reply payloads, by type.
 */
export interface EngineRequests {
  open: { request: { modelDir: string; providers: ExecutionProviderName[]; threads?: number; options: CoreOptions }; reply: { provider: ExecutionProviderName; skipped: ProviderAttempt[] } };
  start: { request: { frame: EngineFrame; masks: Uint8Array[] }; reply: { alphas: Float32Array[] } };
  step: { request: { frame: EngineFrame; corrections?: Map<number, Uint8Array>; refine?: boolean }; reply: { alphas: Float32Array[] } };
  snapshot: { request: Record<string, never>; reply: { bytes: Uint8Array } };
  restore: { request: { bytes: Uint8Array }; reply: { frameIndex: number } };
  close: { request: Record<string, never>; reply: Record<string, never> };
}
export type EngineRequestType = keyof EngineRequests;

export interface RequestMessage<T extends EngineRequestType = EngineRequestType> {
  id: number;
  type: T;
  data: EngineRequests[T]['request'];
}

/** An error crossing the thread boundary: HostErrors keep their code; bugs keep their stack. */
export interface WireError {
  code?: string;
  message: string;
  stack?: string;
}

export type ReplyMessage = { id: number; ok: true; data: unknown } | { id: number; ok: false; error: WireError };

/** What the worker tells unasked: the provider failed during a run and the model moved to the next one. */
export type EngineEvent = { event: 'fallback'; fallback: ProviderFallback };
