import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { DEFAULT_PORT } from '../../bridge/protocol';
import { cacheRoot, CacheLocation, userFolder } from '../models/cache';
import { HostError } from '../errors';

/** `matanyone serve`'s settings file, `<config folder>/config.json`; every field has a default. */
export const HostConfig = z
  .object({
    port: z.number().int().min(1).max(65535).default(DEFAULT_PORT).describe('the panels list exactly this port in their manifest'),
    allowedRoots: z.array(z.string().min(1)).default([]).describe('folders besides the home folder the host may read and write'),
    concurrency: z.number().int().min(1).max(16).default(1).describe('jobs running at once'),
    maxQueued: z.number().int().min(1).max(10_000).default(32).describe('jobs waiting, over all clients'),
  })
  .strict();
export type HostConfig = z.infer<typeof HostConfig>;

const CONFIG_FILE = 'config.json';
const TOKEN_FILE = 'token';
const TOKEN_FORM = /^[A-Za-z0-9_-]{32,256}$/;

/**
 * The folder that holds `config.json` and the pairing `token`.
 *
 * `$MATANYONE_CONFIG` when set; otherwise the platform's user config folder:
 * - Linux and other Unixes: `$XDG_CONFIG_HOME/matanyone`, or `~/.config/matanyone`
 * - macOS: `~/Library/Application Support/matanyone`
 * - Windows: `%APPDATA%\matanyone`, or `~\AppData\Roaming\matanyone`
 *
 * @remarks A relative `XDG_CONFIG_HOME` or `APPDATA` is ignored (XDG Base Directory spec), as in cacheRoot.
 */
export function configDir(where: CacheLocation = {}): string {
  return userFolder(
    { override: 'MATANYONE_CONFIG', windows: ['APPDATA', 'AppData/Roaming'], macos: 'Library/Application Support', xdg: ['XDG_CONFIG_HOME', '.config'] },
    where,
  );
}

/** Where jobs keep their state: `--data DIR`, else `<cache>/jobs` (`$MATANYONE_HOME/jobs` when set). */
export function dataDir(data: string | undefined, where: CacheLocation = {}): string {
  return data ? path.resolve(data) : path.join(cacheRoot(where), 'jobs');
}

/** Creates the config folder (mode 0700 on POSIX) if needed. */
function ensureConfigDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Reads `config.json`; a missing file gives the defaults.
 *
 * @throws HostError INVALID_ARGUMENT when the file is not JSON or has a wrong field (named in the message)
 */
export function readHostConfig(dir: string): HostConfig {
  const file = path.join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return HostConfig.parse({});
    throw new HostError('INVALID_ARGUMENT', `cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HostError('INVALID_ARGUMENT', `${file} is not JSON; fix it or delete it to start from the defaults`);
  }
  const parsed = HostConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HostError('INVALID_ARGUMENT', `${file}: ${issue.path.join('.') || 'config'}: ${issue.message}; fix it or delete it to start from the defaults`);
  }
  return parsed.data;
}

/** Writes `config.json` atomically (temporary file, then rename), mode 0600. */
export function writeHostConfig(dir: string, config: HostConfig): void {
  ensureConfigDir(dir);
  const file = path.join(dir, CONFIG_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(HostConfig.parse(config), null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** The pairing token and where it lives. */
export interface PairingToken {
  token: string;
  file: string;
  /** true when this call created it (first start) */
  created: boolean;
  /** a line for the log when the file's mode had to be fixed */
  warning?: string;
}

/**
 * Reads the pairing token, creating it on first start: 32 random bytes (base64url) in `<dir>/token`, mode
 * 0600, in a folder of mode 0700.
 *
 * @remarks The token is created under a temporary name and linked into place, so two hosts starting at
 * once agree on one token. On POSIX a token file that others can read is made private again (and the
 * warning says so); one owned by another user, or that cannot be fixed, is refused. Windows has no mode
 * bits: the file inherits the ACL of the user's profile folder.
 * @throws HostError INVALID_ARGUMENT for a token file that is unsafe or unreadable
 */
export function loadOrCreateToken(dir: string): PairingToken {
  ensureConfigDir(dir);
  const file = path.join(dir, TOKEN_FILE);
  let created = false;
  if (!fs.existsSync(file)) {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temp, file);
      created = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // File systems without hard links (FAT, some network shares): an exclusive copy instead.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
        fs.copyFileSync(temp, file, fs.constants.COPYFILE_EXCL);
        created = true;
      } else if (code !== 'EEXIST') throw e;
    } finally {
      fs.unlinkSync(temp);
    }
  }
  const warning = process.platform === 'win32' ? undefined : ensurePrivate(file);
  const token = fs.readFileSync(file, 'utf8').trim();
  if (!TOKEN_FORM.test(token))
    throw new HostError('INVALID_ARGUMENT', `${file} does not hold a pairing token; delete it and start \`matanyone serve\` again to make a new one`);
  return { token, file, created, warning };
}

/** Makes the token file 0600 if others may read it; refuses a file of another user. */
function ensurePrivate(file: string): string | undefined {
  const stat = fs.lstatSync(file);
  if (!stat.isFile()) throw new HostError('INVALID_ARGUMENT', `${file} is not a plain file; delete it and start \`matanyone serve\` again`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid)
    throw new HostError('INVALID_ARGUMENT', `${file} belongs to another user (uid ${stat.uid}); delete it and start \`matanyone serve\` again`);
  if ((stat.mode & 0o077) === 0) return undefined;
  const was = (stat.mode & 0o777).toString(8);
  try {
    fs.chmodSync(file, 0o600);
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `${file} is readable by other users (mode ${was}) and cannot be fixed (${(e as Error).message}); run \`chmod 600 ${file}\``);
  }
  return `${file} was readable by other users (mode ${was}); it is now 600. If others may have read it, delete it and restart to get a new token`;
}

/** The project folder (where package.json is), found from here both in the sources and in dist/. */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'native-host'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../..');
  }
}

/** The host's version, from the project's package.json. */
export function hostVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
