import { HostError } from '../errors';

/** What nuget.org publishes about a package: its SHA-512 (hex) and size. */
export interface PublishedHash {
  sha512: string;
  bytes?: number;
  /** the catalog entry the hash came from, for messages */
  source: string;
}

async function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'matanyone-host' } });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new HostError('DOWNLOAD_FAILED', `cannot read the published checksum at ${url}: ${cause}`);
  }
  if (!res.ok) throw new HostError('DOWNLOAD_FAILED', `cannot read the published checksum at ${url}: HTTP ${res.status}`);
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    throw new HostError('DOWNLOAD_FAILED', `${url} is not JSON; cannot read the published checksum`);
  }
}

/**
 * The SHA-512 nuget.org publishes for a package. NuGet's registration leaf names the package's catalog
 * entry, whose `packageHash` (base64, `packageHashAlgorithm: SHA512`) and `packageSize` are what the
 * gallery computed on upload; a leaf that already carries `packageHash` is read directly.
 *
 * @throws HostError `DOWNLOAD_FAILED` when the feed cannot be read or publishes no SHA-512
 */
export async function publishedSha512(registrationUrl: string, timeoutMs = 30_000): Promise<PublishedHash> {
  let doc = await getJson(registrationUrl, timeoutMs);
  let source = registrationUrl;
  if (typeof doc.packageHash !== 'string') {
    const entry = doc.catalogEntry;
    const next = typeof entry === 'string' ? entry : typeof entry === 'object' && entry ? (entry as Record<string, unknown>)['@id'] : undefined;
    if (typeof next !== 'string') throw new HostError('DOWNLOAD_FAILED', `${registrationUrl} names no catalog entry; cannot read the published checksum`);
    source = new URL(next, registrationUrl).toString();
    doc = await getJson(source, timeoutMs);
  }
  const algorithm = String(doc.packageHashAlgorithm ?? '').toUpperCase();
  const hash = Buffer.from(String(doc.packageHash ?? ''), 'base64');
  if (algorithm !== 'SHA512' || hash.length !== 64) throw new HostError('DOWNLOAD_FAILED', `${source} publishes no SHA-512 package hash`);
  const size = Number(doc.packageSize);
  return { sha512: hash.toString('hex'), bytes: Number.isSafeInteger(size) && size > 0 ? size : undefined, source };
}
