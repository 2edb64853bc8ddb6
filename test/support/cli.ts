import { spawnSync } from 'child_process';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `matanyone` CLI (bin/matanyone.js → dist/, built by `npm test`) in a fresh Node process. */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/matanyone.js'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
