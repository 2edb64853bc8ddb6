import type * as ort from 'onnxruntime-node';
import type { GraphName } from '../convert/graphs';
import { isDeviceTensor } from './device-outputs';
import { GraphRunner, StaleDeviceFeeds } from './graph-runner';
import { ModelSessions, openModel, OpenModelOptions } from './model-sessions';
import { ExecutionProviderName, providerError } from './providers';

/** A provider that opened but failed during a run, and the one that took over. */
export interface ProviderFallback {
  from: ExecutionProviderName;
  to: ExecutionProviderName;
  /** the first line of the failed provider's error */
  error: string;
}

/**
 * Test seam: `MATANYONE_INJECT_RUN_FAULT=<provider>:<n>` makes the n-th graph run (1-based) on that provider
 * throw, once per process, as a provider that opened but cannot run a graph would (a GPU out of memory, a
 * kernel the device lacks). test/integration/engine-fallback.test.ts uses it.
 */
function injectedFault(): { provider: string; run: number } | undefined {
  const m = /^(\w+):(\d+)$/.exec(process.env.MATANYONE_INJECT_RUN_FAULT ?? '');
  return m ? { provider: m[1], run: Number(m[2]) } : undefined;
}

/**
 * A GraphRunner over the model's sessions that survives a provider failing mid-run: the model is reopened
 * on the next provider of `order` that opens, and the failed graph call runs again there. The graphs are
 * stateless and the engine's state lives on the host, so re-running the one call is exact: the state is
 * untouched by a failed call. A call fed with device-resident outputs of the failed provider cannot be
 * re-run: it throws StaleDeviceFeeds, and `generation` tells the caller which outputs to compute again.
 * The last provider's error is thrown as is.
 */
export class FallbackRunner implements GraphRunner {
  private remaining: ExecutionProviderName[];
  private runs = 0;
  private fallbacks = 0;
  /** device-resident outputs of the current provider: the only device tensors a run may be fed */
  private deviceOutputs = new WeakSet<ort.Tensor>();
  /**
   * Failed providers' sessions, released with the runner: device tensors they made may still be held (and
   * disposed) by the engine, and releasing a WebGPU session under them crashes the process.
   */
  private readonly retired: ModelSessions[] = [];
  private readonly fault = injectedFault();

  constructor(
    private current: ModelSessions,
    order: ExecutionProviderName[],
    private readonly options: OpenModelOptions,
    private readonly onFallback: (f: ProviderFallback) => void = () => {},
  ) {
    this.remaining = order.slice(order.indexOf(current.provider) + 1);
  }

  get model(): ModelSessions {
    return this.current;
  }

  get generation(): number {
    return this.fallbacks;
  }

  async run(graph: GraphName, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    for (;;) {
      try {
        if (Object.values(feeds).some((t) => isDeviceTensor(t) && !this.deviceOutputs.has(t))) throw new StaleDeviceFeeds(graph);
        if (this.current.provider === this.fault?.provider && ++this.runs === this.fault.run)
          throw new Error(`injected fault: run ${this.runs} on ${this.current.provider} (MATANYONE_INJECT_RUN_FAULT)`);
        const out = await this.current.sessions[graph].run(feeds);
        for (const t of Object.values(out)) if (isDeviceTensor(t)) this.deviceOutputs.add(t);
        return out;
      } catch (e) {
        if (this.remaining.length === 0) throw e;
        if (e instanceof StaleDeviceFeeds) throw e;
        await this.fallBack(providerError(e));
      }
    }
  }

  async release(): Promise<void> {
    await this.current.release();
    for (const m of this.retired.splice(0)) await m.release().catch(() => undefined);
  }

  private async fallBack(error: string): Promise<void> {
    const from = this.current.provider;
    this.retired.push(this.current);
    const next = await openModel(this.current.dir, this.remaining, this.options);
    this.remaining = this.remaining.slice(this.remaining.indexOf(next.provider) + 1);
    next.skipped.unshift(...this.current.skipped, { provider: from, error });
    this.current = next;
    this.fallbacks++;
    this.deviceOutputs = new WeakSet();
    this.onFallback({ from, to: next.provider, error });
  }
}
