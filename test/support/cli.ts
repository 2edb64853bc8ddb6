import { spawn, spawnSync } from 'child_process';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  timeoutMs?: number;
  /** variables added to (or, as undefined, removed from) this process's environment */
  env?: Record<string, string | undefined>;
}

const CLI = path.join(PROJECT_ROOT, 'bin/matanyone.js');
const envFor = (options: CliOptions): NodeJS.ProcessEnv => ({ ...process.env, ...options.env });

/** Runs the real `matanyone` CLI (bin/matanyone.js → dist/, built by `npm test`) in a fresh Node process. */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: envFor(options),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * {@link runCli} without blocking this process: needed when the test itself serves the CLI (an HTTP server
 * in the test process cannot answer while `spawnSync` waits).
 */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCollecting(process.execPath, [CLI, ...args], { env: envFor(options), timeoutMs: options.timeoutMs ?? 120_000 });
}

/** Runs a program from the project folder and resolves with its exit code and everything it printed. */
export function runCollecting(file: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: PROJECT_ROOT, env: options.env, timeout: options.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A user-facing error: exit code 1, one `matanyone: error: …` line, no stack trace. */
export function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('matanyone:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^matanyone: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
