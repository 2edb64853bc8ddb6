import * as fs from 'fs';
import * as path from 'path';
import { cacheRoot } from '../../native-host/models/cache';
import { configDir } from '../../native-host/server/host-config';

const ROOT = path.resolve(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The README's inline code spans. */
const CODE = new Set([...README.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Facts the README states that the code decides: checked here so that neither drifts alone. */
describe('README facts', () => {
  test('every environment variable the host reads is documented', () => {
    const names = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'native-host'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"`](MATANYONE_[A-Z_]+)['"`]/g)) names.add(m[1]);
      for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
    }
    expect([...names].sort()).toEqual([
      'FFMPEG_PATH',
      'FFPROBE_PATH',
      'LD_LIBRARY_PATH',
      'MATANYONE_CONFIG',
      'MATANYONE_DOWNLOAD_BASE_URL',
      'MATANYONE_GPU_PACKAGES',
      'MATANYONE_HOME',
      'MATANYONE_INJECT_RUN_FAULT',
      'MATANYONE_PACK_THREADS',
      'MATANYONE_REGISTRY',
      'MATANYONE_VERBOSE',
      'OBS_WEBSOCKET_PASSWORD',
      'XDG_RUNTIME_DIR',
    ]);
    for (const name of names) expect([name, CODE.has(name) || CODE.has(`$${name}`)]).toEqual([name, true]);
  });

  test('the config folder (token) and the cache, on each OS, where the README says', () => {
    const posix = (platform: NodeJS.Platform, dir: (w: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; homedir: string }) => string) =>
      dir({ platform, env: {}, homedir: '/home/ana' }).replace('/home/ana', '~');
    const windows = (variable: string, dir: (w: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; homedir: string }) => string) =>
      dir({ platform: 'win32', env: { [variable]: 'C:\\Users\\ana\\AppData\\X' }, homedir: 'C:\\Users\\ana' }).replace('C:\\Users\\ana\\AppData\\X', `%${variable}%`);
    const said = [
      posix('linux', configDir),
      posix('linux', (w) => configDir({ ...w, env: { XDG_CONFIG_HOME: '/x' } }).replace('/x', '$XDG_CONFIG_HOME')),
      posix('darwin', configDir),
      windows('APPDATA', configDir),
      posix('linux', cacheRoot),
      posix('linux', (w) => cacheRoot({ ...w, env: { XDG_CACHE_HOME: '/x' } }).replace('/x', '$XDG_CACHE_HOME')),
      posix('darwin', cacheRoot),
      windows('LOCALAPPDATA', cacheRoot),
    ];
    expect(said).toEqual([
      '~/.config/matanyone',
      '$XDG_CONFIG_HOME/matanyone',
      '~/Library/Application Support/matanyone',
      '%APPDATA%\\matanyone',
      '~/.cache/matanyone',
      '$XDG_CACHE_HOME/matanyone',
      '~/Library/Caches/matanyone',
      '%LOCALAPPDATA%\\matanyone',
    ]);
    for (const dir of said) expect([dir, CODE.has(dir)]).toEqual([dir, true]);
  });

  test('the Layout lists every folder of the project and of native-host/, and each entry exists', () => {
    const layout = /## Layout\n+```\n([\s\S]*?)```/.exec(README)![1];
    const listed = [...layout.matchAll(/^(\S+)/gm)].map((m) => m[1]);
    for (const entry of listed) expect([entry, fs.existsSync(path.join(ROOT, entry))]).toEqual([entry, true]);
    const folders = (dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !['node_modules', 'dist', 'out', 'plugin-dist', 'tmp'].includes(e.name))
        .map((e) => `${dir ? `${dir}/` : ''}${e.name}/`);
    const nativeHost = folders('native-host');
    const top = folders('').filter((f) => f !== 'native-host/' && f !== 'bin/');
    for (const folder of [...nativeHost, ...top]) expect([folder, listed.includes(folder)]).toEqual([folder, true]);
  });

  test('models/ holds the registry data only; the model code lives in native-host/models/', () => {
    expect(fs.readdirSync(path.join(ROOT, 'models'))).toEqual(['registry.json']);
    expect(fs.readdirSync(path.join(ROOT, 'native-host', 'models')).every((f) => f.endsWith('.ts'))).toBe(true);
  });
});
