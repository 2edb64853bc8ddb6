import * as fs from 'fs';
import * as path from 'path';
import type * as ort from 'onnxruntime-node';
import { HostError } from '../errors';
import { CONVERTER_VERSION, MODEL_MANIFEST_FILE, ModelManifest } from '../models/model-manifest';
import { GRAPH_NAMES, GraphName } from '../convert/graphs';
import { deviceOutputLocation } from './device-outputs';
import { createSessionOn, ExecutionProviderName, noProvider, ProviderAttempt, providerError, SessionOptions } from './providers';

export interface ModelSessions {
  dir: string;
  manifest: ModelManifest;
  sessions: Record<GraphName, ort.InferenceSession>;
  /** the provider every session runs on */
  provider: ExecutionProviderName;
  /** providers tried before it, with why they failed */
  skipped: ProviderAttempt[];
  release(): Promise<void>;
}

/** Reads and checks `model.json` of a converted model folder. */
export function readModelManifest(dir: string): ModelManifest {
  const file = path.join(dir, MODEL_MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no model.json' : 'has an unreadable model.json';
    throw new HostError('MODEL_NOT_FOUND', `${dir} ${why}; convert a checkpoint into it with \`matanyone convert <checkpoint> --out ${dir}\``);
  }
  const parsed = ModelManifest.safeParse(json);
  if (!parsed.success) throw new HostError('MODEL_INVALID', `${file} is not a MatAnyone model manifest; convert the checkpoint again`);
  const m = parsed.data;
  if (m.converterVersion !== CONVERTER_VERSION)
    throw new HostError('MODEL_INVALID', `${dir} was converted by converter ${m.converterVersion}, this is ${CONVERTER_VERSION}; convert the checkpoint again`);
  for (const name of GRAPH_NAMES) {
    const g = m.graphs[name];
    const stat = g && fs.statSync(path.join(dir, g.file), { throwIfNoEntry: false });
    if (!g || !stat || stat.size !== g.bytes)
      throw new HostError('MODEL_INVALID', `${dir} is incomplete (graph ${name} missing or truncated); convert the checkpoint again`);
  }
  return m;
}

/**
 * Opens every graph of a model folder on the first provider of `order` that can run them all (a provider
 * may load one graph and refuse another, so all graphs are opened before a provider is chosen).
 * `run` blocks its thread: the host calls it from a worker thread.
 */
export interface OpenModelOptions extends SessionOptions {
  /**
   * Leave the outputs that only feed another graph in device memory where the provider allows (WebGPU;
   * device-outputs.ts). For the engine, whose InferenceCore disposes them; a caller that reads every output
   * (models check) leaves this off.
   */
  deviceResidentOutputs?: boolean;
}

export async function openModel(dir: string, order: ExecutionProviderName[], options: OpenModelOptions = {}): Promise<ModelSessions> {
  const manifest = readModelManifest(dir);
  const skipped: ProviderAttempt[] = [];
  for (const provider of order) {
    const opened: Partial<Record<GraphName, ort.InferenceSession>> = {};
    try {
      for (const name of GRAPH_NAMES) {
        const { deviceResidentOutputs, ...sessionOptions } = options;
        const preferredOutputLocation = deviceResidentOutputs ? deviceOutputLocation(name, provider) : undefined;
        opened[name] = await createSessionOn(path.join(dir, manifest.graphs[name].file), provider, { ...sessionOptions, ...(preferredOutputLocation ? { preferredOutputLocation } : {}) });
      }
    } catch (e) {
      await Promise.all(Object.values(opened).map((s) => s.release()));
      skipped.push({ provider, error: providerError(e) });
      continue;
    }
    const sessions = opened as Record<GraphName, ort.InferenceSession>;
    const release = async (): Promise<void> => {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
    };
    return { dir, manifest, sessions, provider, skipped, release };
  }
  throw noProvider(dir, skipped);
}
