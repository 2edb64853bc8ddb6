/**
 * Whether the local MatAnyone host (`matanyone serve`) answers. The origin must match a network domain in
 * manifest.json exactly: UXP allows only the listed scheme, host and port.
 */
import { HOST_ORIGIN } from '../config'; export { HOST_ORIGIN };

/** What the panel shows about the host. */
export type HostStatus = { state: 'online'; version: string } | { state: 'offline'; reason: string };

/** The part of `fetch` the probe uses, so that tests can pass Node's. */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface ProbeOptions {
  /** Default HOST_ORIGIN. */
  origin?: string;
  /** How long to wait for an answer; default 2000 ms. */
  timeoutMs?: number;
  /** Default: the global fetch (UXP provides it without an import). */
  fetch?: FetchLike;
}

/**
 * Asks `GET <origin>/health`; the host answers `{ ok: true, version }`.
 * @returns `online` with the host's version, or `offline` with one line saying why. Never throws.
 */
export async function probeHost(options: ProbeOptions = {}): Promise<HostStatus> {
  const { origin = HOST_ORIGIN, timeoutMs = 2000 } = options;
  const fetchHealth: FetchLike = options.fetch ?? ((url) => fetch(url));
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A timer instead of AbortSignal: it does not depend on how much of fetch's options UXP honours.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const response = await Promise.race([fetchHealth(`${origin}/health`), timeout]);
    if (!response.ok) return { state: 'offline', reason: `the host answered HTTP ${response.status}` };
    const body = await Promise.race([response.json(), timeout]);
    if (!isHealth(body)) return { state: 'offline', reason: `${origin} is not a MatAnyone host` };
    return { state: 'online', version: body.version };
  } catch (error) {
    return { state: 'offline', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function isHealth(body: unknown): body is { ok: true; version: string } {
  if (typeof body !== 'object' || body === null) return false;
  const { ok, version } = body as { ok?: unknown; version?: unknown };
  return ok === true && typeof version === 'string';
}
