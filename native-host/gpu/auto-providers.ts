import { providerOrder, type ExecutionProviderName, type ProviderAttempt } from '../engine/providers';
import { onnxruntimeLocation } from './onnxruntime-location';
import { cleanOrtError, explainUnusable } from './provider-reasons';
import { probeProviders } from './provider-probe';

/** The order `--ep auto` hands the engine: this platform's GPU providers that ran the probe graph, then the CPU. */
export interface AutoProviders {
  order: ExecutionProviderName[];
  /** GPU providers left out, each with why in words */
  skipped: ProviderAttempt[];
  /** what native libraries printed while probing (for --verbose) */
  nativeLog: string;
}

/**
 * Probes this platform's GPU providers in a child process (see `probeProviders`: their native log lines stay
 * out of the terminal) and keeps those that work, so the engine never loads a provider that would fail.
 */
export async function autoProviders(platform: NodeJS.Platform = process.platform): Promise<AutoProviders> {
  const gpus = providerOrder('auto', platform).filter((p) => p !== 'cpu');
  if (gpus.length === 0) return { order: ['cpu'], skipped: [], nativeLog: '' };
  const { outcomes, nativeLog } = await probeProviders(gpus);
  const bindingDir = onnxruntimeLocation().bindingDir;
  const skipped = outcomes.filter((o) => !o.usable).map((o) => ({ provider: o.provider as ExecutionProviderName, error: explainUnusable(o, { bindingDir, platform }) }));
  return { order: [...gpus.filter((p) => outcomes.find((o) => o.provider === p)?.usable), 'cpu'], skipped, nativeLog };
}

/**
 * The one line `--ep auto` prints: which provider runs and why each one before it was skipped, e.g.
 * `engine: running on cpu (skipped cuda: provider libraries not installed: run …; webgpu: no GPU adapter …)`.
 */
export function engineLine(provider: string, skipped: readonly ProviderAttempt[]): string {
  if (skipped.length === 0) return `engine: running on ${provider}`;
  return `engine: running on ${provider} (skipped ${skipped.map((s) => `${s.provider}: ${cleanOrtError(s.error)}`).join('; ')})`;
}

/** The line `serve` logs at start for `--ep auto`: the order the engines will try, and the GPU providers left out with why. */
export function autoOrderLine(auto: AutoProviders): string {
  const skipped = auto.skipped.length ? ` (skipped ${auto.skipped.map((s) => `${s.provider}: ${s.error}`).join('; ')})` : '';
  return `--ep auto: ${auto.order.join(', then ')}${skipped}`;
}
