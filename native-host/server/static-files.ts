import * as fs from 'fs';
import * as path from 'path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const MAX_STATIC_BYTES = 16 * 1024 * 1024;

/** A file to send. */
export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Finds the file a URL path names inside `dir`, or undefined (→ 404). Refused: undecodable escapes, NUL,
 * backslashes, any segment starting with a dot (`..`, dotfiles), and anything whose real path (links
 * resolved) leaves `dir`. Only plain files with a known type are served; `/` and folders give index.html.
 *
 * @param pathname - the request's path, still URL-encoded, without the query
 */
export async function findStaticFile(dir: string, pathname: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  try {
    const root = await fs.promises.realpath(dir);
    let real = await fs.promises.realpath(path.join(root, ...segments));
    if (real !== root && !real.startsWith(root + path.sep)) return undefined;
    let stat = await fs.promises.stat(real);
    if (stat.isDirectory()) {
      real = path.join(real, 'index.html');
      stat = await fs.promises.stat(real);
    }
    const type = TYPES[path.extname(real).toLowerCase()];
    if (!stat.isFile() || !type || stat.size > MAX_STATIC_BYTES) return undefined;
    return { body: await fs.promises.readFile(real), type };
  } catch {
    return undefined;
  }
}
