import * as os from 'os';
import * as path from 'path';
import type { Precision } from './model-manifest';

/** Where the cache lives can be decided for another platform or environment (tests, `models list`). */
export interface CacheLocation {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/**
 * The folder that holds downloaded checkpoints and converted models.
 *
 * `$MATANYONE_HOME` when set; otherwise the platform's user cache folder:
 * - Linux and other Unixes: `$XDG_CACHE_HOME/matanyone`, or `~/.cache/matanyone`
 * - macOS: `~/Library/Caches/matanyone`
 * - Windows: `%LOCALAPPDATA%\matanyone`, or `~\AppData\Local\matanyone`
 *
 * @remarks A relative `XDG_CACHE_HOME` is ignored, as the XDG Base Directory spec requires. A relative
 * `MATANYONE_HOME` is taken relative to the current folder.
 * @example
 * ```ts
 * cacheRoot(); // '/home/ana/.cache/matanyone'
 * cacheRoot({ platform: 'darwin', homedir: '/Users/ana', env: {} }); // '/Users/ana/Library/Caches/matanyone'
 * ```
 */
export function cacheRoot(where: CacheLocation = {}): string {
  return userFolder(
    { override: 'MATANYONE_HOME', windows: ['LOCALAPPDATA', 'AppData/Local'], macos: 'Library/Caches', xdg: ['XDG_CACHE_HOME', '.cache'] },
    where,
  );
}

/** Where one kind of per-user folder lives on each platform: `[environment variable, fallback under home]`. */
export interface UserFolderRule {
  /** our own variable that overrides everything (relative values resolve against the current folder) */
  override: string;
  windows: [string, string];
  macos: string;
  xdg: [string, string];
}

/**
 * `<platform folder>/matanyone` by `rule`. Relative values of the platform variables are ignored, as the XDG
 * Base Directory spec requires.
 */
export function userFolder(rule: UserFolderRule, where: CacheLocation = {}): string {
  const env = where.env ?? process.env;
  const platform = where.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const override = env[rule.override];
  if (override) return p.resolve(override);
  const home = where.homedir ?? os.homedir();
  const from = ([variable, fallback]: [string, string]) => {
    const value = env[variable];
    return value && p.isAbsolute(value) ? value : p.join(home, ...fallback.split('/'));
  };
  switch (platform) {
    case 'win32':
      return p.join(from(rule.windows), 'matanyone');
    case 'darwin':
      return p.join(home, ...rule.macos.split('/'), 'matanyone');
    default:
      return p.join(from(rule.xdg), 'matanyone');
  }
}

/**
 * Where a downloaded checkpoint is kept: `<cache>/checkpoints/<fileName>`.
 *
 * @param fileName - the checkpoint's file name, the last segment of its URL (`matanyone2.pth`)
 * @throws Error for a name with a path in it (a bug: names come from the registry)
 */
export function checkpointFile(fileName: string, where: CacheLocation = {}): string {
  if (!fileName || fileName === '.' || fileName === '..' || /[\\/]/.test(fileName)) throw new Error(`not a plain file name: "${fileName}"`);
  return path.join(cacheRoot(where), 'checkpoints', fileName);
}

/**
 * Where a converted model folder is kept: `<cache>/models/<sha256>-<precision>`. Keyed by the checkpoint's
 * content, not its name, so the same weights converted from a registry pull or from a local file share
 * one folder, and a changed checkpoint never reuses a stale conversion.
 *
 * @param sourceSha256 - SHA-256 of the checkpoint file, 64 lowercase hex digits
 * @throws Error when `sourceSha256` is not a sha256 (a bug)
 */
export function convertedModelDir(sourceSha256: string, precision: Precision, where: CacheLocation = {}): string {
  if (!/^[0-9a-f]{64}$/.test(sourceSha256)) throw new Error(`not a sha256: "${sourceSha256}"`);
  return path.join(cacheRoot(where), 'models', `${sourceSha256}-${precision}`);
}
