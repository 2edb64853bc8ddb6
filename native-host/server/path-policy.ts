import * as fs from 'fs';
import * as path from 'path';
import { HostError } from '../errors';

/** How a path will be used. */
export interface CheckPathOptions {
  /** the path must exist (inputs: media, mask files); default true unless `forWrite` */
  mustExist?: boolean;
  /** an output: it may not exist yet, and its nearest existing ancestor must be a folder under a root */
  forWrite?: boolean;
}

/** A root as configured, and what it really is on disk. */
interface AllowedRoot {
  given: string;
  real: string;
  dev: bigint;
  ino: bigint;
}

/** Factories for the path errors (one line, the path and what to do), built per throw. */
export const PathErrors = {
  outside(p: string, roots: readonly string[]): HostError {
    return new HostError(
      'PATH_NOT_ALLOWED',
      `${show(p)} is outside the folders MatAnyone may use (${roots.join(', ') || 'none'}); add it with \`matanyone serve --allow <folder>\``,
    );
  },
  refused(p: unknown, why: string): HostError {
    return new HostError('PATH_NOT_ALLOWED', `${show(p)} ${why}`);
  },
  missing(p: string): HostError {
    return new HostError('INVALID_ARGUMENT', `${show(p)} does not exist; check the path`);
  },
};

/** The path as the message shows it: quoted with control characters escaped, at most 300 characters. */
function show(p: unknown): string {
  const text = typeof p === 'string' ? p : String(p);
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/**
 * Why a path is refused before the file system is asked, or undefined when its spelling is acceptable: an
 * absolute, plain local path with no `..` (checked before normalisation), no NUL or control characters, no
 * `~`, no URL or percent-encoded separators and dots, no UNC or device forms, and no drive-relative Windows
 * forms (`C:..`). The Windows forms are refused on every system, since a panel on another machine or a
 * Windows-minded caller may send them.
 *
 * @param platform - whose path rules apply (tests check Windows rules anywhere)
 */
export function lexicalProblem(p: unknown, platform: NodeJS.Platform = process.platform): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'is not a path';
  if (p.length > 4096) return 'is longer than 4096 characters';
  if (p.includes('\0')) return 'contains a NUL byte';
  if (/[\x01-\x1f\x7f]/.test(p)) return 'contains control characters';
  if (/^[a-z][a-z0-9+.-]+:/i.test(p)) return 'is a URL; send a plain absolute path';
  const encoded = /%(2e|2f|5c|00|25|c0|c1)/i.exec(p);
  if (encoded) return `contains URL-encoded characters (${encoded[0]}); send the plain path`;
  if (p.startsWith('~')) return 'starts with ~; send the full path (the host does not expand ~)';
  if (/^[\\/]{2}/.test(p)) return 'is a network or device path (UNC); use a folder on this computer';
  const windows = platform === 'win32';
  if (/^[a-z]:/i.test(p)) {
    if (!windows) return `is a Windows drive path; this host runs on ${platform}`;
    if (!/^[a-z]:[\\/]/i.test(p)) return `is relative to the current folder of drive ${p.slice(0, 2)}; send the full path`;
  }
  if (!windows && p.includes('\\')) return 'contains a backslash, which is not a folder separator here; send the path with /';
  if (windows ? !/^[a-z]:[\\/]/i.test(p) : !p.startsWith('/')) return 'is not an absolute path; send the full path';
  const segments = p.split(/[\\/]/);
  if (segments.some((s) => /^\.\.[ .]*$/.test(s))) return 'has a ".." segment; send the full path without ".."';
  if (windows) {
    if (p.indexOf(':', 2) !== -1) return "contains ':' (an alternate data stream or device)";
    if (segments.some((s) => WINDOWS_DEVICE.test(s))) return 'names a Windows device (CON, NUL, COM1…)';
    if (segments.some((s) => s !== '.' && /[ .]$/.test(s))) return 'has a name ending in a dot or a space, which Windows ignores';
  }
  return undefined;
}

/**
 * Decides which paths the host may read and write: only under the allowed roots (the user's home and the
 * folders they added). Membership is decided on real paths: every symbolic link is resolved (a link, or a
 * linked parent folder, that leads out of the roots is refused), and a path that does not exist yet is
 * judged by its nearest existing ancestor. When the real path does not start with a root's real path, the
 * ancestors are compared by identity (device and inode), which accepts the other spellings of a root on a
 * case-insensitive file system (`/Users/Ana` for `/Users/ana`) and nothing else.
 *
 * @remarks Between the check and the use the user could still swap a folder for a link (a race on their
 * own files); the server passes the resolved real path on, so a later swap of the checked path's links has
 * no effect.
 * @example
 * ```ts
 * const { policy } = await PathPolicy.create([os.homedir(), '/Volumes/Footage']);
 * const media = await policy.check('/Volumes/Footage/a.mov');            // real path
 * await policy.check('/etc/passwd');                                     // HostError PATH_NOT_ALLOWED
 * const out = await policy.check('/Volumes/Footage/new', { forWrite: true });
 * ```
 */
export class PathPolicy {
  private constructor(
    private readonly allowed: AllowedRoot[],
    private readonly platform: NodeJS.Platform,
  ) {}

  /**
   * @param roots - absolute folders; missing ones (an unplugged drive) are skipped and listed
   * @returns the policy, and the roots skipped with the reason
   */
  static async create(roots: readonly string[], options: { platform?: NodeJS.Platform } = {}): Promise<{ policy: PathPolicy; skipped: { root: string; reason: string }[] }> {
    const allowed: AllowedRoot[] = [];
    const skipped: { root: string; reason: string }[] = [];
    for (const root of roots) {
      const problem = lexicalProblem(root, options.platform);
      if (problem) {
        skipped.push({ root, reason: problem });
        continue;
      }
      try {
        const real = await fs.promises.realpath(root);
        const stat = await fs.promises.stat(real, { bigint: true });
        if (!stat.isDirectory()) throw new Error('not a folder');
        if (allowed.some((r) => r.dev === stat.dev && r.ino === stat.ino)) continue;
        allowed.push({ given: path.resolve(root), real, dev: stat.dev, ino: stat.ino });
      } catch (e) {
        skipped.push({ root, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message });
      }
    }
    return { policy: new PathPolicy(allowed, options.platform ?? process.platform), skipped };
  }

  /** The allowed roots, as configured (absolute). */
  get roots(): string[] {
    return this.allowed.map((r) => r.given);
  }

  /**
   * Checks one path from a client.
   *
   * @returns the real absolute path to use (symbolic links resolved; a missing tail appended as given)
   * @throws HostError PATH_NOT_ALLOWED (outside the roots, or a refused spelling; the message says which),
   *   INVALID_ARGUMENT for a missing input under a root
   */
  async check(p: unknown, options: CheckPathOptions = {}): Promise<string> {
    const mustExist = options.mustExist ?? !options.forWrite;
    const problem = lexicalProblem(p, this.platform);
    if (problem) throw PathErrors.refused(p, problem);
    const given = p as string;
    const resolved = path.resolve(given);

    // The nearest ancestor that exists (the path itself when it does), and the missing names below it.
    const tail: string[] = [];
    let existing = resolved;
    let stat: fs.Stats | undefined;
    for (;;) {
      try {
        stat = await fs.promises.lstat(existing);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw PathErrors.refused(given, `cannot be checked (${code ?? (e as Error).message})`);
        const parent = path.dirname(existing);
        if (parent === existing) throw PathErrors.outside(given, this.roots);
        tail.unshift(path.basename(existing));
        existing = parent;
      }
    }
    let real: string;
    try {
      real = await fs.promises.realpath(existing);
    } catch (e) {
      if (stat.isSymbolicLink()) throw PathErrors.refused(given, `${existing === resolved ? 'is' : `is under ${show(existing)}, which is`} a symbolic link that leads nowhere`);
      throw PathErrors.refused(given, `cannot be checked (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!(await this.contains(real))) throw PathErrors.outside(given, this.roots);
    if (tail.length === 0) return real;
    if (mustExist) throw PathErrors.missing(given);
    if (!(await fs.promises.stat(real)).isDirectory()) throw PathErrors.refused(given, `cannot be created: ${show(existing)} is not a folder`);
    return path.join(real, ...tail);
  }

  /** Whether a real (link-free) path is a root or lies under one. */
  private async contains(real: string): Promise<boolean> {
    const sep = this.platform === 'win32' ? path.win32.sep : path.sep;
    if (this.allowed.some((r) => real === r.real || real.startsWith(r.real.endsWith(sep) ? r.real : r.real + sep))) return true;
    // Other spellings of a root (case-insensitive file systems, Unicode normal forms): compare identities.
    for (let dir = real; ; dir = path.dirname(dir)) {
      const stat = await fs.promises.stat(dir, { bigint: true }).catch(() => undefined);
      if (stat && this.allowed.some((r) => r.dev === stat.dev && r.ino === stat.ino)) return true;
      if (path.dirname(dir) === dir) return false;
    }
  }
}
