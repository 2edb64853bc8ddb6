import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { engineLine } from '../../native-host/gpu/auto-providers';
import { elfNeeded } from '../../native-host/gpu/elf-needed';
import { parseNvidiaSmi } from '../../native-host/gpu/gpu-info';
import { onnxruntimeLocation } from '../../native-host/gpu/onnxruntime-location';
import { checkPrerequisites, locateLibraries, nvidiaLibraries } from '../../native-host/gpu/prerequisites';
import { cleanOrtError } from '../../native-host/gpu/provider-reasons';

/** Test data: the kind of NVIDIA libraries a CUDA 12 provider names in its DT_NEEDED. */
const CUDA_NEEDS = ['libcublasLt.so.12', 'libcublas.so.12', 'libcudnn.so.9', 'libcufft.so.11', 'libcudart.so.12'];

describe('GPU prerequisites: which NVIDIA library is missing, in one sentence', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-prereq-'));
  const dir = (name: string, libraries: string[]) => {
    const d = path.join(root, name);
    fs.mkdirSync(d, { recursive: true });
    for (const l of libraries) fs.writeFileSync(path.join(d, l), '');
    return d;
  };
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const only = (...dirs: string[]) => ({ dirs, ldconfig: false, defaultDirs: [] });

  test('all found: nothing missing, no sentence', () => {
    const a = dir('all-a', ['libcuda.so.1', 'libcudart.so.12', 'libcublas.so.12']);
    const b = dir('all-b', ['libcublasLt.so.12', 'libcufft.so.11', 'libcudnn.so.9']);
    const report = checkPrerequisites('CUDA', ['libcuda.so.1', ...CUDA_NEEDS], only(a, b));
    expect(report).toEqual({ missing: [] });
    expect(locateLibraries(['libcudnn.so.9', 'libcuda.so.1'], only(a, b))).toEqual(
      new Map([
        ['libcudnn.so.9', path.join(b, 'libcudnn.so.9')],
        ['libcuda.so.1', path.join(a, 'libcuda.so.1')],
      ]),
    );
  });

  test('the earlier folder wins, as for the loader', () => {
    const first = dir('first', ['libcudnn.so.9']);
    const second = dir('second', ['libcudnn.so.9']);
    expect(locateLibraries(['libcudnn.so.9'], only(first, second)).get('libcudnn.so.9')).toBe(path.join(first, 'libcudnn.so.9'));
    expect(locateLibraries(['libcudnn.so.9'], { dirs: [], ldconfig: false, defaultDirs: [second] }).get('libcudnn.so.9')).toBe(path.join(second, 'libcudnn.so.9'));
  });

  test('driver and cuDNN present, CUDA runtime missing: names the runtime libraries and where to get them', () => {
    const d = dir('no-runtime', ['libcuda.so.1', 'libcudnn.so.9']);
    const report = checkPrerequisites('CUDA', ['libcuda.so.1', ...CUDA_NEEDS], only(d));
    expect(report.missing).toEqual(['libcublasLt.so.12', 'libcublas.so.12', 'libcufft.so.11', 'libcudart.so.12']);
    expect(report.sentence).toBe(
      'CUDA cannot run here: missing the CUDA 12.x runtime (libcublasLt.so.12, libcublas.so.12, libcufft.so.11, libcudart.so.12; https://developer.nvidia.com/cuda-toolkit-archive); install it, or add its folder to LD_LIBRARY_PATH.',
    );
  });

  test('nothing installed: driver, runtime and cuDNN each named once, in one sentence', () => {
    const report = checkPrerequisites('CUDA', ['libcuda.so.1', ...CUDA_NEEDS], only(dir('empty', [])));
    expect(report.sentence).toMatch(/^CUDA cannot run here: missing the NVIDIA driver \(libcuda\.so\.1; https:\/\/www\.nvidia\.com\/Download\/index\.aspx\), /);
    expect(report.sentence).toMatch(/, the CUDA 12\.x runtime \(libcublasLt\.so\.12, libcublas\.so\.12, libcufft\.so\.11, libcudart\.so\.12; https:\/\/developer\.nvidia\.com\/cuda-toolkit-archive\) /);
    expect(report.sentence).toMatch(/and cuDNN 9 for CUDA 12 \(libcudnn\.so\.9; https:\/\/developer\.nvidia\.com\/cudnn-downloads\); install them, or add their folders to LD_LIBRARY_PATH\.$/);
    expect(report.sentence!.split('. ')).toHaveLength(1);
  });

  test('TensorRT libraries are named as TensorRT', () => {
    const d = dir('trt', ['libcuda.so.1']);
    expect(checkPrerequisites('TensorRT', ['libcuda.so.1', 'libnvinfer.so.10', 'libnvonnxparser.so.10'], only(d)).sentence).toBe(
      'TensorRT cannot run here: missing TensorRT 10 for CUDA 12 (libnvinfer.so.10, libnvonnxparser.so.10; https://developer.nvidia.com/tensorrt); install it, or add its folder to LD_LIBRARY_PATH.',
    );
  });

  test("a provider's needs: its DT_NEEDED less glibc, the C++ runtime and onnxruntime, plus the driver", () => {
    expect(nvidiaLibraries(['libonnxruntime_providers_shared.so', 'libcublas.so.12', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6', 'ld-linux-x86-64.so.2', 'libcudnn.so.9'])).toEqual([
      'libcuda.so.1',
      'libcublas.so.12',
      'libcudnn.so.9',
    ]);
  });
});

describe('elfNeeded reads a shared library\'s direct dependencies', () => {
  test("onnxruntime's binding needs onnxruntime and the C/C++ runtime", () => {
    const binding = path.join(onnxruntimeLocation('linux', 'x64').bindingDir, 'onnxruntime_binding.node');
    const needed = elfNeeded(binding);
    expect(needed[0]).toBe('libonnxruntime.so.1');
    expect(needed).toEqual(expect.arrayContaining(['libstdc++.so.6', 'libc.so.6']));
    expect(elfNeeded(path.join(onnxruntimeLocation('linux', 'x64').bindingDir, 'libonnxruntime.so.1'))).toEqual(expect.arrayContaining(['libc.so.6']));
  });

  test('a file that is not ELF is refused', () => {
    const file = path.join(os.tmpdir(), `not-elf-${process.pid}`);
    fs.writeFileSync(file, Buffer.alloc(100, 1));
    try {
      expect(() => elfNeeded(file)).toThrow(/is not an ELF file/);
    } finally {
      fs.rmSync(file);
    }
  });
});

describe('provider messages', () => {
  test('nvidia-smi CSV → name, memory, driver', () => {
    expect(parseNvidiaSmi('NVIDIA H200, 143771, 570.86.15\nNVIDIA GeForce RTX 4090, 24564, 570.86.15\n')).toEqual([
      { name: 'NVIDIA H200', memoryMiB: 143771, driver: '570.86.15' },
      { name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, driver: '570.86.15' },
    ]);
    expect(parseNvidiaSmi('')).toEqual([]);
  });

  test("onnxruntime's errors lose their source paths and C++ signatures", () => {
    expect(
      cleanOrtError(
        "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters",
      ),
    ).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(cleanOrtError('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore')).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
  });

  test('the engine line: the provider that runs, then each skipped one with its reason', () => {
    expect(engineLine('cpu', [])).toBe('engine: running on cpu');
    expect(engineLine('cpu', [{ provider: 'cuda', error: 'provider libraries not installed' }, { provider: 'webgpu', error: 'no GPU adapter' }])).toBe(
      'engine: running on cpu (skipped cuda: provider libraries not installed; webgpu: no GPU adapter)',
    );
  });
});
