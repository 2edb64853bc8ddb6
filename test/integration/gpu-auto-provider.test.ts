import * as fs from 'fs';
import * as path from 'path';
import { onnxruntimeLocation } from '../../native-host/gpu/onnxruntime-location';
import { runCli } from '../support/cli';
import { fixtureModel } from '../support/engine-fixture';
import { makeVideoTempDir, PARITY_A } from '../support/video-fixtures';

const CUDA_LINKED = fs.existsSync(path.join(onnxruntimeLocation().bindingDir, 'libonnxruntime_providers_shared.so'));
/** What native libraries print when a provider fails to load: onnxruntime's provider bridge, Dawn's Vulkan loader. */
const NATIVE_LINE = /provider_bridge|vkCreateInstance|XDG_RUNTIME_DIR|VulkanError/;

describe('--ep auto: one line says which provider runs and why the others were skipped', () => {
  const tmp = makeVideoTempDir('gpu-auto-');
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  // No Vulkan driver (a missing ICD file): WebGPU has no adapter, whatever this machine has installed.
  const env = { VK_ICD_FILENAMES: path.join(PARITY_A, 'no-such-icd.json'), MATANYONE_VERBOSE: undefined, XDG_RUNTIME_DIR: undefined };
  beforeAll(async () => {
    model = await fixtureModel();
  });
  afterAll(() => {
    model.cleanup();
    tmp.cleanup();
  });
  const matte = (out: string, extra: string[] = []) =>
    runCli(['matte', PARITY_A, '--mask', path.join(PARITY_A, 'mask.png'), '--model', model.dir, '--out', tmp.file(out), '--to', '1', '--warmup', '1', ...extra], {
      env: { ...env, MATANYONE_HOME: tmp.file('home') },
      timeoutMs: 300_000,
    });

  test('the GPU providers that cannot run are named with the reason, on the same line as the one that runs; no native lines', () => {
    const r = matte('auto');
    expect(r.code).toBe(0);
    const engineLines = r.stderr.split('\n').filter((l) => l.startsWith('engine:'));
    expect(engineLines).toHaveLength(1);
    const cuda = CUDA_LINKED ? 'cuda: [^;]+' : 'cuda: provider libraries not installed: run `npx matanyone gpu install`';
    expect(engineLines[0]).toMatch(new RegExp(`^engine: running on cpu \\(skipped ${cuda.replace(/[`]/g, '.')}; webgpu: no GPU adapter for WebGPU \\(it needs a Vulkan driver for the GPU\\)\\)$`));
    expect(r.stderr).not.toMatch(NATIVE_LINE);
  });

  test('--verbose lets the native lines through', () => {
    const r = matte('verbose', ['--verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/vkCreateInstance/);
    if (!CUDA_LINKED) expect(r.stderr).toMatch(/provider_bridge_ort\.cc.*libonnxruntime_providers_shared\.so/);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('engine:'))).toHaveLength(1);
  });

  test('an explicit --ep is not probed: cpu runs with no skipped list', () => {
    const r = matte('cpu', ['--ep', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('engine:'))).toEqual(['engine: running on cpu']);
  });
});
