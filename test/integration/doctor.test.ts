import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnxruntimeLocation } from '../../native-host/gpu/onnxruntime-location';
import { runCli } from '../support/cli';
import { fixtureModel } from '../support/engine-fixture';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const LABELS = ['CPU', 'CUDA', 'TensorRT', 'DirectML', 'CoreML', 'WebGPU'];
/** Whether this checkout has CUDA provider libraries beside onnxruntime (someone ran `gpu install` for real). */
const CUDA_LINKED = fs.existsSync(path.join(onnxruntimeLocation().bindingDir, 'libonnxruntime_providers_shared.so'));

/** The provider table of a doctor report: label → the rest of its line. */
function providerLines(stdout: string): Map<string, string> {
  const table = stdout.split('providers:\n')[1]?.split('\n') ?? [];
  const lines = new Map<string, string>();
  for (const line of table) {
    const m = /^ {2}(\S+)\s+(.+)$/.exec(line);
    if (!m) break;
    lines.set(m[1], m[2]);
  }
  return lines;
}

describe('matanyone doctor', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-home-'));
  const env = { MATANYONE_HOME: home, VK_ICD_FILENAMES: path.join(home, 'no-vulkan-driver.json'), MATANYONE_VERBOSE: undefined };
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  test('lists the six providers, each usable or not with a reason; CPU is usable; native lines stay out of the terminal', () => {
    const r = runCli(['doctor', '--no-frame'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^platform: +Linux .*\(linux\/x64\), Node v\d+/m);
    expect(r.stdout).toMatch(/^onnxruntime: +onnxruntime-node 1\.30\.0 \(/m);
    expect(r.stdout).toMatch(/^GPU: +\S/m);
    const lines = providerLines(r.stdout);
    expect([...lines.keys()]).toEqual(LABELS);
    for (const [label, text] of lines) expect([label, text]).toEqual([label, expect.stringMatching(/^(usable \(\d+(\.\d)? ms to open and run a one-node graph\)|not usable: \S.{5,})$/)]);
    expect(lines.get('CPU')).toMatch(/^usable/);
    expect(lines.get('DirectML')).toBe("not usable: not in onnxruntime-node's Linux build (Windows only)");
    expect(lines.get('CoreML')).toBe("not usable: not in onnxruntime-node's Linux build (macOS only)");
    expect(lines.get('WebGPU')).toBe('not usable: no GPU adapter for WebGPU (it needs a Vulkan driver for the GPU)');
    if (!CUDA_LINKED) {
      expect(lines.get('CUDA')).toBe('not usable: provider libraries not installed: run `npx matanyone gpu install`');
      expect(lines.get('TensorRT')).toBe('not usable: provider libraries not installed: run `npx matanyone gpu install`');
      expect(r.stdout).toMatch(/^GPU libraries: not installed/m);
    }
    expect(r.stdout).toMatch(/^frame run: skipped \(--no-frame\)$/m);
  });

  test('--verbose shows what the native libraries printed while the providers were tried', () => {
    const r = runCli(['doctor', '--no-frame', '--verbose'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^native libraries printed while the providers were tried:\n/);
    // Dawn's Vulkan loader warns when it finds no driver; the provider bridge logs its failed load.
    expect(r.stderr).toMatch(/vkCreateInstance/);
    if (!CUDA_LINKED) expect(r.stderr).toMatch(/provider_bridge_ort\.cc.*libonnxruntime_providers_shared\.so/);
  });

  (fs.existsSync(SWIFTSHADER) ? test : test.skip)('WebGPU is usable on a Vulkan driver (SwiftShader, a CPU Vulkan)', () => {
    const r = runCli(['doctor', '--no-frame'], { env: { ...env, VK_ICD_FILENAMES: SWIFTSHADER } });
    expect(r.code).toBe(0);
    expect(providerLines(r.stdout).get('WebGPU')).toMatch(/^usable \(/);
  });

  test('runs one frame of a model on each usable provider, with its time', async () => {
    const model = await fixtureModel();
    try {
      const r = runCli(['doctor', '--model', model.dir, '--size', '96x80'], { env, timeoutMs: 300_000 });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const usable = [...providerLines(r.stdout)].filter(([, text]) => text.startsWith('usable')).map(([label]) => label);
      const runs = (r.stdout.split(`one frame of ${model.dir} at 96x80:\n`)[1] ?? '').split('\n').filter((l) => l !== '');
      expect(runs.map((l) => l.trim().split(/\s+/)[0])).toEqual(usable);
      for (const line of runs) expect(line).toMatch(/^ {2}\S+\s+\d+(\.\d)? ms per frame \(opening \d+(\.\d)? ms, first frame \d+(\.\d)? ms\)$/);
    } finally {
      model.cleanup();
    }
  });

  test('bad options get one line', () => {
    const r = runCli(['doctor', '--size', '10'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('matanyone: error: --size: "10" should be WIDTHxHEIGHT, each from 16 to 8192, e.g. 854x480');
    const small = runCli(['doctor', '--size', '64x48'], { env });
    expect(small.code).toBe(1);
    expect(small.stderr.trim()).toBe('matanyone: error: --size: 64x48 is too small for the model (at least 30 positions at 1/16 scale, e.g. 96x80)');
  });
});
