import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Every provider `doctor` reports on, as onnxruntime names them, and as people do. */
export const ALL_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type ProbeProvider = (typeof ALL_PROVIDERS)[number];
export const PROVIDER_LABEL: Record<ProbeProvider, string> = { cpu: 'CPU', cuda: 'CUDA', tensorrt: 'TensorRT', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU' };

/** One provider's answer: it ran the probe graph correctly (with the time, session creation included), or onnxruntime's error. */
export interface ProbeOutcome {
  provider: string;
  usable: boolean;
  ms?: number;
  error?: string;
}

export interface ProbeResult {
  outcomes: ProbeOutcome[];
  /** what the native libraries printed meanwhile (shown with --verbose only) */
  nativeLog: string;
}

/** The compiled child script: beside this file in dist/, or taken from dist/ when this file runs from sources (jest). */
function childScript(): string {
  const here = path.join(__dirname, 'probe-child.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '../..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'probe-child.js');
}

/**
 * A private XDG_RUNTIME_DIR for native libraries that complain when it is unset (Vulkan's WSI layers print
 * "XDG_RUNTIME_DIR is invalid or not set"): `<tmp>/matanyone-runtime-<uid>`, mode 0700 as the spec asks.
 */
export function runtimeDir(): string {
  const dir = path.join(os.tmpdir(), `matanyone-runtime-${os.userInfo().uid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The environment for code that loads GPU libraries: XDG_RUNTIME_DIR set when it is not. */
export function nativeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return env.XDG_RUNTIME_DIR ? env : { ...env, XDG_RUNTIME_DIR: runtimeDir() };
}

/**
 * Tries each provider on a one-node graph in a child process, so that what native libraries print goes to
 * a captured stderr, not the user's terminal; and so that a provider that crashes its process (a broken
 * driver) takes only the child down.
 *
 * @param providers - onnxruntime provider names, tried in order
 * @returns one outcome per provider; when the child dies, each provider without an answer is unusable
 * with the reason
 */
export function probeProviders(providers: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [childScript(), ...providers], {
      env: nativeEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const finish = (why: string) => {
      let outcomes: ProbeOutcome[] | undefined;
      try {
        outcomes = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeOutcome[];
      } catch {
        outcomes = undefined;
      }
      resolve({ outcomes: providers.map((p) => outcomes?.find((o) => o.provider === p) ?? { provider: p, usable: false, error: why }), nativeLog: stderr });
    };
    child.on('error', (e) => finish(`the probe could not start: ${e.message}`));
    child.on('close', (code, signal) => {
      if (signal && Date.now() - started >= timeoutMs) finish(`no answer within ${timeoutMs / 1000} s (a GPU driver that hangs?)`);
      else if (signal) finish(`the probe process was killed by ${signal} (a crash in a native library)`);
      else finish(`the probe process exited with code ${code}`);
    });
  });
}
