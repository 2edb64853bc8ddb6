import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnxruntimeLocation } from '../../native-host/gpu/onnxruntime-location';
import { nativeEnv, probeProviders, runtimeDir } from '../../native-host/gpu/provider-probe';
import { explainUnusable } from '../../native-host/gpu/provider-reasons';

const NO_VULKAN = { ...process.env, VK_ICD_FILENAMES: path.join(os.tmpdir(), 'no-such-icd.json'), MATANYONE_VERBOSE: '' };
const CUDA_FAILURE = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

describe('provider probing in a child process', () => {
  test('CPU runs the probe graph; WebGPU without a Vulkan driver does not, and its native lines are captured, not printed', async () => {
    const { outcomes, nativeLog } = await probeProviders(['cpu', 'webgpu', 'nonsense'], { env: NO_VULKAN });
    expect(outcomes.map((o) => [o.provider, o.usable])).toEqual([
      ['cpu', true],
      ['webgpu', false],
      ['nonsense', false],
    ]);
    expect(outcomes[0].ms).toBeGreaterThan(0);
    expect(outcomes[1].error).toMatch(/Failed to get a WebGPU adapter/);
    expect(outcomes[2].error).toMatch(/backend not found/);
    expect(nativeLog).toMatch(/vkCreateInstance/);
  });

  test('a probe that does not answer in time makes every provider unusable with that reason', async () => {
    const { outcomes } = await probeProviders(['cpu'], { env: NO_VULKAN, timeoutMs: 1 });
    expect(outcomes).toEqual([{ provider: 'cpu', usable: false, error: 'no answer within 0.001 s (a GPU driver that hangs?)' }]);
  });

  test('native code gets a private XDG_RUNTIME_DIR (0700) when none is set, and keeps one that is', () => {
    const env = nativeEnv({ PATH: '/bin' });
    expect(env.XDG_RUNTIME_DIR).toBe(runtimeDir());
    expect(fs.statSync(runtimeDir()).mode & 0o777).toBe(0o700);
    expect(nativeEnv({ XDG_RUNTIME_DIR: '/run/user/1000' }).XDG_RUNTIME_DIR).toBe('/run/user/1000');
  });
});

describe('why a provider cannot run, in words', () => {
  const bindingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-reasons-'));
  afterAll(() => fs.rmSync(bindingDir, { recursive: true, force: true }));
  const noLibraries = { dirs: [], ldconfig: false, defaultDirs: [] };

  test('CUDA without provider libraries: run gpu install', () => {
    expect(explainUnusable({ provider: 'cuda', usable: false, error: CUDA_FAILURE }, { bindingDir, platform: 'linux', librarySearch: noLibraries })).toBe(
      'provider libraries not installed: run `npx matanyone gpu install`',
    );
  });

  test('CUDA with its libraries linked but no NVIDIA driver: names the driver and where to get it', () => {
    // The CUDA provider here is a real ELF (onnxruntime's binding) whose dependencies are all system ones.
    fs.copyFileSync(path.join(onnxruntimeLocation('linux', 'x64').bindingDir, 'onnxruntime_binding.node'), path.join(bindingDir, 'libonnxruntime_providers_cuda.so'));
    fs.writeFileSync(path.join(bindingDir, 'libonnxruntime_providers_shared.so'), '');
    expect(explainUnusable({ provider: 'cuda', usable: false, error: CUDA_FAILURE }, { bindingDir, platform: 'linux', librarySearch: noLibraries })).toBe(
      'missing the NVIDIA driver (libcuda.so.1; https://www.nvidia.com/Download/index.aspx)',
    );
  });

  test('a provider of another platform, and no adapter for WebGPU', () => {
    expect(explainUnusable({ provider: 'dml', usable: false, error: 'no available backend found. ERR: [dml] backend not found.' }, { bindingDir, platform: 'linux' })).toBe(
      "not in onnxruntime-node's Linux build (Windows only)",
    );
    expect(explainUnusable({ provider: 'cuda', usable: false, error: 'no available backend found. ERR: [cuda] backend not found.' }, { bindingDir, platform: 'win32' })).toBe(
      "not in onnxruntime-node's Windows build (Linux x64 only; on Windows NVIDIA GPUs run through DirectML)",
    );
    expect(explainUnusable({ provider: 'webgpu', usable: false, error: 'x.cc:1 f() s was false. Failed to get a WebGPU adapter: No supported adapters' }, { bindingDir, platform: 'win32' })).toBe(
      'no GPU adapter for WebGPU (it needs a Direct3D 12 driver for the GPU)',
    );
  });
});
