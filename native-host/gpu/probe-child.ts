/**
 * Run as a child process by `probeProviders`: opens the probe graph on each provider named on the command
 * line and prints one JSON array on stdout. It runs apart because native libraries (Dawn's Vulkan warnings,
 * onnxruntime's provider bridge) write to the process's stderr directly, which Node cannot redirect inside
 * one process: the parent captures this process's stderr and shows it only with --verbose.
 */
import * as ort from 'onnxruntime-node';
import { PROBE_INPUT, PROBE_OUTPUT, probeGraph } from './probe-graph';
import type { ProbeOutcome } from './provider-probe';

async function probe(provider: string, model: Uint8Array): Promise<ProbeOutcome> {
  const started = performance.now();
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: [provider], logSeverityLevel: process.env.MATANYONE_VERBOSE ? 2 : 4 });
    const { y } = await session.run({ x: new ort.Tensor('float32', PROBE_INPUT, [1, PROBE_INPUT.length]) });
    const got = y.data as Float32Array;
    if (got.length !== PROBE_OUTPUT.length || got.some((v, i) => v !== PROBE_OUTPUT[i])) return { provider, usable: false, error: `computed a wrong result (${[...got].join(', ')})` };
    return { provider, usable: true, ms: performance.now() - started };
  } catch (e) {
    return { provider, usable: false, error: String((e as Error).message ?? e) };
  } finally {
    await session?.release().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  ort.env.logLevel = process.env.MATANYONE_VERBOSE ? 'warning' : 'fatal';
  const model = probeGraph();
  const outcomes: ProbeOutcome[] = [];
  for (const provider of process.argv.slice(2)) outcomes.push(await probe(provider, model));
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
}

void main();
