import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';
import WebSocket from 'ws';
import { BridgeClient, WebSocketLike } from '../../bridge/client';
import { PROJECT_ROOT } from './cli';

export interface Served {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  url: string;
  token: string;
  tokenFile: string;
  created: boolean;
  exited: Promise<number | null>;
}

/** Starts `matanyone serve` in its own Node process and waits until it says it listens. */
export async function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin/matanyone.js'), 'serve', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!stdout.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start (exit ${child.exitCode}):\n${stdout}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+) \(panels connect to ws:\/\/127\.0\.0\.1:\d+\/bridge\)/.exec(stdout)![1];
  const pairing = /Pairing token: stored in (\S+?)( \(created now\))?\. In the panel, paste: (\S+)/.exec(stdout)!;
  return { child, stdout: () => stdout, stderr: () => stderr, url, tokenFile: pairing[1], created: !!pairing[2], token: pairing[3], exited };
}

/** A panel: the real BridgeClient over the `ws` package, optionally with a stable instance id. */
export const connect = (url: string, token: string, instance?: string) =>
  BridgeClient.connect(`${url.replace('http', 'ws')}/bridge`, {
    token,
    client: { name: 'cli-test', ...(instance ? { instance } : {}) },
    WebSocket: WebSocket as unknown as new (u: string) => WebSocketLike,
  });
