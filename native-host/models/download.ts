import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import { sha256File } from '../convert/convert-model';
import { HostError } from '../errors';

/**
 * Environment variable naming a download mirror, for networks that cannot reach GitHub. Its value is a base
 * URL that replaces everything before the file name of a model URL: with
 * `MATANYONE_DOWNLOAD_BASE_URL=http://127.0.0.1:8080/files/`, the official
 * `https://github.com/pq-yang/MatAnyone2/releases/download/v1.0.0/matanyone2.pth` is fetched from
 * `http://127.0.0.1:8080/files/matanyone2.pth`. The file is still checked against the registry's size and
 * sha256, so a mirror cannot substitute other weights.
 */
export const DOWNLOAD_BASE_URL_ENV = 'MATANYONE_DOWNLOAD_BASE_URL';

export interface DownloadProgress {
  /** `download` while bytes arrive, `verify` while the finished file is checksummed */
  phase: 'download' | 'verify';
  /** bytes in the file so far, the resumed part included */
  receivedBytes: number;
  /** size of the whole file, when the server says */
  totalBytes?: number;
  /** bytes already on disk from an earlier, broken download (0 for a fresh one) */
  resumedFrom: number;
}

export interface DownloadOptions {
  /** expected SHA-256 of the whole file, lowercase hex; a mismatch deletes the download */
  sha256?: string;
  /** expected size in bytes */
  bytes?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** cancels the download; the partial file is kept for resuming */
  signal?: AbortSignal;
  /** redirects followed before giving up (default 5; GitHub release assets take one) */
  maxRedirects?: number;
  /** milliseconds without any data before the connection counts as lost (default 30 000) */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  /** the verified file, at `dest` */
  file: string;
  bytes: number;
  /** SHA-256 of the whole file (computed even when none was expected) */
  sha256: string;
  /** bytes that came from an earlier, broken download */
  resumedFrom: number;
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** A range answer's `Content-Range`: `bytes 100-199/200` or, on 416, `bytes * /200` (without the space). */
function parseContentRange(header: string | undefined): { start?: number; total?: number } | undefined {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { start: m[1] === undefined ? undefined : Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/** The network reason in words, for the errno codes people meet. */
function reasonOf(e: unknown, url: URL): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${url.hostname} not found (offline? set ${DOWNLOAD_BASE_URL_ENV} to use a mirror)`;
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    default:
      return (err.message ?? String(e)).split('\n')[0];
  }
}

/** Errors built where they happen, so each has its own stack (style §6). */
const Errors = {
  failed(url: string, reason: string, keptBytes = 0): HostError {
    const resume = keptBytes > 0 ? `; ${keptBytes} bytes kept, run the command again to resume` : '';
    return new HostError('DOWNLOAD_FAILED', `download of ${url} failed: ${reason}${resume}`);
  },
  sizeMismatch(url: string, expected: number, actual: number): HostError {
    return new HostError('CHECKSUM_MISMATCH', `${url} is ${actual} bytes, expected ${expected}: not the expected file (download deleted)`);
  },
  checksumMismatch(url: string, expected: string, actual: string): HostError {
    return new HostError('CHECKSUM_MISMATCH', `checksum mismatch for ${url}: expected sha256 ${expected}, got ${actual} (download deleted)`);
  },
};

function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** One GET, no redirects followed. `agent: false`: a fresh connection each time, never a stale kept-alive one. */
function get(url: URL, headers: http.OutgoingHttpHeaders, options: DownloadOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { headers, agent: false, signal: options.signal }, resolve);
    req.on('error', reject);
    const idle = options.idleTimeoutMs ?? 30_000;
    req.setTimeout(idle, () => req.destroy(Object.assign(new Error(`no data for ${idle / 1000} s`), { code: 'ETIMEDOUT' })));
  });
}

/** GET with redirects followed (relative Locations too), refusing a downgrade from https to http. */
async function open(url: string, headers: http.OutgoingHttpHeaders, options: DownloadOptions, keptBytes: number): Promise<http.IncomingMessage> {
  const maxRedirects = options.maxRedirects ?? 5;
  let current = new URL(url);
  for (let hops = 0; ; hops++) {
    let res: http.IncomingMessage;
    try {
      res = await get(current, headers, options);
    } catch (e) {
      throw Errors.failed(url, options.signal?.aborted ? 'cancelled' : reasonOf(e, current), keptBytes);
    }
    if (!REDIRECT_STATUS.has(res.statusCode ?? 0)) return res;
    res.resume(); // a redirect's body is not wanted
    const location = res.headers.location;
    if (!location) throw Errors.failed(url, `HTTP ${res.statusCode} redirect without a Location`, keptBytes);
    if (hops >= maxRedirects) throw Errors.failed(url, `more than ${maxRedirects} redirects`, keptBytes);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw Errors.failed(url, `redirected to a ${next.protocol} URL`, keptBytes);
    if (current.protocol === 'https:' && next.protocol === 'http:') throw Errors.failed(url, 'redirected from https to plain http', keptBytes);
    current = next;
  }
}

type Attempt = { kind: 'done'; resumedFrom: number } | { kind: 'restart' };

/**
 * Brings `partial` up to the whole file: resumes from its current size with a `Range` request, or starts
 * over when the server ignores ranges (200) or answers one that does not fit.
 */
async function fetchInto(url: string, partial: string, options: DownloadOptions): Promise<Attempt> {
  const offset = sizeOf(partial);
  const headers: http.OutgoingHttpHeaders = { 'user-agent': 'matanyone-host', 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const res = await open(url, headers, options, offset);
  const status = res.statusCode ?? 0;

  if (status === 416 && offset > 0) {
    // "Range Not Satisfiable": the partial file already reaches the end, or is longer than the file.
    res.resume();
    const total = parseContentRange(res.headers['content-range'])?.total ?? options.bytes;
    return total === offset ? { kind: 'done', resumedFrom: offset } : { kind: 'restart' };
  }
  let resumedFrom: number;
  let total: number | undefined;
  if (status === 206 && offset > 0) {
    const range = parseContentRange(res.headers['content-range']);
    if (range?.start !== offset) {
      res.destroy();
      return { kind: 'restart' };
    }
    resumedFrom = offset;
    total = range.total;
  } else if (status === 200) {
    resumedFrom = 0; // a fresh download, or a server that ignores Range: the body is the whole file
    const length = Number(res.headers['content-length']);
    total = Number.isSafeInteger(length) ? length : undefined;
  } else {
    res.resume();
    throw Errors.failed(url, `HTTP ${status} ${res.statusMessage ?? ''}`.trim(), offset);
  }
  if (options.bytes !== undefined && total !== undefined && total !== options.bytes) {
    res.destroy();
    fs.rmSync(partial, { force: true });
    throw Errors.sizeMismatch(url, options.bytes, total);
  }

  let received = resumedFrom;
  const report = () => options.onProgress?.({ phase: 'download', receivedBytes: received, totalBytes: total, resumedFrom });
  report();
  const idle = options.idleTimeoutMs ?? 30_000;
  res.setTimeout(idle, () => res.destroy(Object.assign(new Error(`no data for ${idle / 1000} s`), { code: 'ETIMEDOUT' })));
  const out = fs.createWriteStream(partial, { flags: resumedFrom > 0 ? 'a' : 'w' });
  try {
    await pipeline(
      res,
      async function* count(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          received += chunk.length;
          report();
          yield chunk;
        }
      },
      out,
    );
  } catch (e) {
    // pipeline() rejects as soon as a stream fails, possibly with a write still in flight: wait for the file
    // to be closed, or that write could land after the next attempt has measured and appended to it.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    const kept = sizeOf(partial);
    if (options.signal?.aborted) throw Errors.failed(url, 'cancelled', kept);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ECONNRESET' || err.message === 'aborted' || err.code === 'ERR_STREAM_PREMATURE_CLOSE')
      throw Errors.failed(url, `connection lost after ${received} of ${total ?? '?'} bytes`, kept);
    throw Errors.failed(url, reasonOf(e, new URL(url)), kept);
  }
  if (total !== undefined && received !== total) throw Errors.failed(url, `connection closed after ${received} of ${total} bytes`, sizeOf(partial));
  return { kind: 'done', resumedFrom };
}

/**
 * Downloads `url` to `dest` over HTTP(S), resuming a broken download and verifying the result.
 *
 * The bytes go to `dest + '.partial'`; the file is renamed to `dest` only once its size and sha256 are
 * verified (against `options`, where given). A network failure keeps the partial file, and the next call
 * resumes it with a `Range` request; a server that ignores ranges (200) makes it start over, and a 416 (the
 * partial file is already whole) goes straight to verification. The checksum covers the whole file, the
 * resumed part included.
 *
 * @remarks One download per `dest` at a time: two processes would append to the same partial file (the
 * checksum would then fail, and the next call starts over).
 * @param url - http(s) URL; redirects are followed (GitHub release assets redirect to a CDN)
 * @param dest - the final file; its folder is created
 * @returns the verified file with its size and sha256
 * @throws HostError `DOWNLOAD_FAILED` (one-line reason; the partial file is kept) or `CHECKSUM_MISMATCH`
 * (size or sha256 differ from what was expected; the partial file is deleted)
 * @example
 * ```ts
 * const { sha256 } = await downloadFile(entry.url, checkpointFile('matanyone2.pth'), {
 *   sha256: entry.sha256, bytes: entry.bytes, onProgress: (p) => console.log(p.receivedBytes),
 * });
 * ```
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const partial = `${dest}.partial`;
  try {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
  } catch (e) {
    throw Errors.failed(url, `cannot create ${path.dirname(dest)}: ${(e as Error).message}`);
  }
  if (options.bytes !== undefined && sizeOf(partial) > options.bytes) fs.rmSync(partial, { force: true }); // cannot be a prefix

  let attempt = await fetchInto(url, partial, options);
  if (attempt.kind === 'restart') {
    fs.rmSync(partial, { force: true });
    attempt = await fetchInto(url, partial, options);
    if (attempt.kind === 'restart') throw Errors.failed(url, 'the server answered a fresh download with a partial range');
  }

  const bytes = sizeOf(partial);
  options.onProgress?.({ phase: 'verify', receivedBytes: bytes, totalBytes: bytes, resumedFrom: attempt.resumedFrom });
  if (options.bytes !== undefined && bytes !== options.bytes) {
    if (bytes < options.bytes) throw Errors.failed(url, `the server sent ${bytes} of ${options.bytes} bytes`, bytes);
    fs.rmSync(partial, { force: true });
    throw Errors.sizeMismatch(url, options.bytes, bytes);
  }
  const sha256 = await sha256File(partial);
  if (options.sha256 !== undefined && sha256 !== options.sha256.toLowerCase()) {
    fs.rmSync(partial, { force: true });
    throw Errors.checksumMismatch(url, options.sha256.toLowerCase(), sha256);
  }
  fs.renameSync(partial, dest);
  return { file: dest, bytes, sha256, resumedFrom: attempt.resumedFrom };
}

/**
 * The URL to fetch `url` from: unchanged, or moved to the mirror named by {@link DOWNLOAD_BASE_URL_ENV}
 * (its origin and path replace everything up to the file name).
 *
 * @throws HostError `INVALID_ARGUMENT` when the variable is set but is not an http(s) URL
 * @example
 * ```ts
 * mirroredUrl('https://github.com/o/r/releases/download/v1/m.pth', { MATANYONE_DOWNLOAD_BASE_URL: 'http://10.0.0.2/w' });
 * // 'http://10.0.0.2/w/m.pth'
 * ```
 */
export function mirroredUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env[DOWNLOAD_BASE_URL_ENV];
  if (!base) return url;
  let mirror: URL;
  try {
    mirror = new URL(base);
  } catch {
    mirror = new URL('invalid:');
  }
  if (mirror.protocol !== 'http:' && mirror.protocol !== 'https:')
    throw new HostError('INVALID_ARGUMENT', `${DOWNLOAD_BASE_URL_ENV}="${base}" is not an http(s) URL; should look like http://host:port/path/`);
  const fileName = new URL(url).pathname.split('/').pop() ?? '';
  if (!mirror.pathname.endsWith('/')) mirror.pathname += '/';
  mirror.search = '';
  mirror.hash = '';
  return new URL(fileName, mirror).toString();
}
