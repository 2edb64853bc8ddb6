import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { GRAPH_NAMES } from '../../native-host/convert/graphs';
import type { EngineFrame } from '../../native-host/engine/frame-tensors';
import type { CoreOptions } from '../../native-host/engine/inference-core';
import type { ExecutionProviderName } from '../../native-host/engine/providers';
import { fixtureModel } from '../support/engine-fixture';
import { errorStats, PARITY_DIR } from '../support/parity-fixture';
import type { ChildJob, ChildReport } from './webgpu-alphas-child';

/**
 * The WebGPU provider of onnxruntime-node's Linux build, on a software Vulkan device: Chromium's SwiftShader
 * ICD (Debian's chromium package, which .ci/run installs; Mesa's lavapipe is refused by Dawn). SwiftShader
 * takes minutes for a 240p frame and 20–40 s for a 96×80 one, so the clip is the fixture's first two frames
 * scaled to 96×80: 6×5 = 30 tokens a frame, the fewest that top-30 can read from one memory frame. Frame 0
 * runs encode_frame, encode_mask, readout (first-frame mode) and decode; frame 1 memory_readout, readout
 * (memory mode) and encode_mask_value. Long-term memory (memory_consolidate) is not exercised. fp16 cannot
 * run here: SwiftShader has no shader-f16 (the session refuses the half graphs), so only fp32 is compared.
 */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const WIDTH = 96;
const HEIGHT = 80;
const FRAMES = 2;
const OPTIONS: CoreOptions = { warmup: 0, memEvery: 5, maxMemFrames: 5 };
/** SwiftShader's pace on two shared cores; jest's default 120 s is for ordinary tests */
const SWIFTSHADER_TIMEOUT_MS = 600_000;

function swiftShaderEnv(): NodeJS.ProcessEnv {
  if (!fs.existsSync(SWIFTSHADER_ICD)) throw new Error(`${SWIFTSHADER_ICD} is missing: install Debian's chromium package (.ci/run does)`);
  return { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD };
}

async function smallFrame(i: number): Promise<EngineFrame> {
  const file = path.join(PARITY_DIR, `frame_${String(i).padStart(4, '0')}.png`);
  const data = await sharp(file).removeAlpha().resize(WIDTH, HEIGHT, { fit: 'cover' }).raw().toBuffer();
  return { width: WIDTH, height: HEIGHT, rgb: new Uint8Array(data) };
}

async function smallMask(): Promise<Uint8Array> {
  const file = path.join(PARITY_DIR, 'mask_prepared.png');
  const data = await sharp(file).extractChannel(0).resize(WIDTH, HEIGHT, { fit: 'cover', kernel: 'nearest' }).raw().toBuffer();
  return new Uint8Array(data);
}

/** The child script, compiled (`npm test` builds dist/ first). */
const CHILD = path.resolve(__dirname, '../../dist/test/integration/webgpu-alphas-child.js');

/**
 * The alphas of `frames` on a provider order, computed in a child process with the SwiftShader environment;
 * `fault` is the engine's test seam (MATANYONE_INJECT_RUN_FAULT).
 */
function alphasOn(providers: ExecutionProviderName[], dir: string, modelDir: string, frames: EngineFrame[], mask: Uint8Array, fault?: string): { alphas: Float32Array[]; report: ChildReport } {
  const framesFile = path.join(dir, 'frames.rgb');
  const maskFile = path.join(dir, 'mask.raw');
  const outFile = path.join(dir, `alphas-${providers.join('-')}.f32`);
  fs.writeFileSync(framesFile, Buffer.concat(frames.map((f) => f.rgb as Uint8Array)));
  fs.writeFileSync(maskFile, mask);
  const job: ChildJob = { modelDir, providers, width: WIDTH, height: HEIGHT, framesFile, maskFile, options: OPTIONS, outFile };
  const env = { ...swiftShaderEnv(), ...(fault ? { MATANYONE_INJECT_RUN_FAULT: fault } : {}) };
  const r = spawnSync(process.execPath, [CHILD, JSON.stringify(job)], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the ${providers.join(', ')} run failed: ${r.stderr.split('\n').filter((l) => l.startsWith('FAILED')).join(' ') || r.stderr.slice(-2000)}`);
  const all = new Float32Array(new Uint8Array(fs.readFileSync(outFile)).buffer);
  const n = WIDTH * HEIGHT;
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
  return { alphas: Array.from({ length: all.length / n }, (_, i) => all.subarray(i * n, (i + 1) * n)), report };
}

function expectCloseToCpu(label: string, actual: Float32Array[], cpu: Float32Array[]): void {
  expect(actual).toHaveLength(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const s = errorStats(actual[i], cpu[i]);
    console.log(`${label} vs cpu frame ${i}: max ${s.max.toExponential(2)} mean ${s.mean.toExponential(2)}`);
    expect(s.max).toBeLessThanOrEqual(1e-3);
    expect(s.mean).toBeLessThanOrEqual(1e-5);
  }
}

/**
 * Where onnxruntime places each node of a graph on `provider`: its verbose session log (native stderr, hence
 * a child process) says "All nodes placed on [EP]. Number of nodes: n", or per provider "Node(s) placed on
 * [EP]. Number of nodes: n" followed by one line per node.
 */
function nodePlacement(modelFile: string, provider: string, env: NodeJS.ProcessEnv): Map<string, { count: number; nodes: string[] }> {
  const script = `require(${JSON.stringify(require.resolve('onnxruntime-node'))}).InferenceSession.create(${JSON.stringify(modelFile)}, `
    + `{ executionProviders: [${JSON.stringify(provider)}], graphOptimizationLevel: 'all', logSeverityLevel: 0 })`
    + '.then((s) => s.release()).catch((e) => { console.error("FAILED " + e.message); process.exit(1); });';
  const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`session on ${provider} failed: ${r.stderr.split('\n').filter((l) => l.includes('FAILED') || l.includes('[E:')).join(' ')}`);
  const placement = new Map<string, { count: number; nodes: string[] }>();
  let current: string[] | undefined;
  for (const line of r.stderr.split('\n')) {
    const head = /(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    if (head) placement.set(head[1], { count: Number(head[2]), nodes: (current = []) });
    else if (current && /VerifyEachNodeIsAssignedToAnEp\]\s{3}\S/.test(line)) current.push(line.replace(/.*VerifyEachNodeIsAssignedToAnEp\]\s+/, ''));
    else current = undefined;
  }
  if (placement.size === 0) throw new Error(`no node placement in onnxruntime's log of ${modelFile}`);
  return placement;
}

describe('WebGPU provider (SwiftShader)', () => {
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let dir: string;
  beforeAll(async () => {
    model = await fixtureModel();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-webgpu-'));
  });
  afterAll(() => {
    model?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every node of every graph runs on WebGPU', () => {
    const env = swiftShaderEnv();
    const elsewhere: string[] = [];
    for (const name of GRAPH_NAMES) {
      const placement = nodePlacement(path.join(model.dir, `${name}.onnx`), 'webgpu', env);
      console.log(`${name}: ${[...placement].map(([ep, p]) => `${p.count} nodes on ${ep}`).join(', ')}`);
      for (const [ep, p] of placement) if (ep !== 'WebGpuExecutionProvider') elsewhere.push(`${name}: ${p.count} on ${ep} (${p.nodes.join(', ')})`);
      expect(placement.get('WebGpuExecutionProvider')?.count).toBeGreaterThan(0);
    }
    expect(elsewhere).toEqual([]);
  });

  let cpu: Float32Array[];
  let frames: EngineFrame[];
  let mask: Uint8Array;
  beforeAll(async () => {
    frames = await Promise.all(Array.from({ length: FRAMES }, (_, i) => smallFrame(i)));
    mask = await smallMask();
    cpu = alphasOn(['cpu'], dir, model.dir, frames, mask).alphas;
  });

  test(`a ${WIDTH}×${HEIGHT} clip of ${FRAMES} frames: alphas within 1e-3 max, 1e-5 mean of the CPU's (fp32); the decoder's inputs stay on the device`, () => {
    const started = performance.now();
    const { alphas, report } = alphasOn(['webgpu'], dir, model.dir, frames, mask);
    console.log(`webgpu (SwiftShader) ${WIDTH}×${HEIGHT}, ${FRAMES} frames: ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `host↔device per frame: ${report.hostBytesPerFrame.in} B in, ${report.hostBytesPerFrame.out} B out`);
    expect(report.provider).toBe('webgpu');
    expect(report.fallbacks).toEqual([]);
    expectCloseToCpu('webgpu', alphas, cpu);
    // Only fed to the decoder, or never read: left in device memory (device-outputs.ts).
    expect(report.outputLocations.encode_frame).toMatchObject({ f16: 'gpu-buffer', f8: 'gpu-buffer', f4: 'gpu-buffer', f2: 'gpu-buffer', pix_feat: 'cpu', key: 'cpu' });
    expect(report.outputLocations.readout).toMatchObject({ mem_readout: 'gpu-buffer', pixel_readout: 'gpu-buffer', uncert_prob: 'gpu-buffer' });
    expect(report.outputLocations.decode).toMatchObject({ alpha: 'cpu', new_sensory: 'cpu', logits: 'gpu-buffer' });
  }, SWIFTSHADER_TIMEOUT_MS);

  test('WebGPU failing in the decoder, whose inputs are on the device: the frame is finished on the CPU', () => {
    // Frame 0 runs encode_frame, encode_mask, readout, then decode (run 4) with f8/f4/f2 and mem_readout in
    // WebGPU memory: the engine computes them again on the CPU and finishes the clip there.
    const { alphas, report } = alphasOn(['webgpu', 'cpu'], dir, model.dir, frames, mask, 'webgpu:4');
    expect(report.provider).toBe('cpu');
    expect(report.fallbacks).toEqual([{ from: 'webgpu', to: 'cpu', error: expect.stringContaining('injected fault: run 4 on webgpu') }]);
    expectCloseToCpu('webgpu → cpu', alphas, cpu);
  }, SWIFTSHADER_TIMEOUT_MS);
});
