import * as path from 'path';
import { cacheRoot, checkpointFile, convertedModelDir } from '../../native-host/models/cache';
import { configDir } from '../../native-host/server/host-config';

const SHA = 'a12ed0205064e24ff501e5985103f47b8b63d9e6f5e4c9fab9773139d5c1fa0f';

describe('cacheRoot', () => {
  test('MATANYONE_HOME wins on every platform', () => {
    for (const platform of ['linux', 'darwin'] as const)
      expect(cacheRoot({ platform, homedir: '/home/ana', env: { MATANYONE_HOME: '/srv/matanyone', XDG_CACHE_HOME: '/x' } })).toBe('/srv/matanyone');
    expect(cacheRoot({ platform: 'win32', homedir: 'C:\\Users\\ana', env: { MATANYONE_HOME: 'D:\\models' } })).toBe('D:\\models');
  });

  test('Linux: $XDG_CACHE_HOME/matanyone, else ~/.cache/matanyone; a relative XDG_CACHE_HOME is ignored', () => {
    expect(cacheRoot({ platform: 'linux', homedir: '/home/ana', env: { XDG_CACHE_HOME: '/var/cache/ana' } })).toBe('/var/cache/ana/matanyone');
    expect(cacheRoot({ platform: 'linux', homedir: '/home/ana', env: {} })).toBe('/home/ana/.cache/matanyone');
    expect(cacheRoot({ platform: 'linux', homedir: '/home/ana', env: { XDG_CACHE_HOME: 'cache' } })).toBe('/home/ana/.cache/matanyone');
    expect(cacheRoot({ platform: 'freebsd', homedir: '/home/ana', env: {} })).toBe('/home/ana/.cache/matanyone');
  });

  test('macOS: ~/Library/Caches/matanyone', () => {
    expect(cacheRoot({ platform: 'darwin', homedir: '/Users/ana', env: { XDG_CACHE_HOME: '/ignored' } })).toBe('/Users/ana/Library/Caches/matanyone');
  });

  test('Windows: %LOCALAPPDATA%\\matanyone, else ~\\AppData\\Local\\matanyone', () => {
    expect(cacheRoot({ platform: 'win32', homedir: 'C:\\Users\\ana', env: { LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' } })).toBe(
      'C:\\Users\\ana\\AppData\\Local\\matanyone',
    );
    expect(cacheRoot({ platform: 'win32', homedir: 'C:\\Users\\ana', env: {} })).toBe('C:\\Users\\ana\\AppData\\Local\\matanyone');
  });

  test('a relative MATANYONE_HOME is taken from the current folder', () => {
    expect(cacheRoot({ platform: 'linux', env: { MATANYONE_HOME: 'models' } })).toBe(path.resolve('models'));
  });
});

describe('cache paths', () => {
  const where = { env: { MATANYONE_HOME: '/srv/m' } };

  test('checkpoints by file name, converted models by checksum and precision', () => {
    expect(checkpointFile('matanyone2.pth', where)).toBe(path.join('/srv/m', 'checkpoints', 'matanyone2.pth'));
    expect(convertedModelDir(SHA, 'fp16', where)).toBe(path.join('/srv/m', 'models', `${SHA}-fp16`));
  });

  test('refuse what cannot be a key (bugs, not user errors)', () => {
    expect(() => checkpointFile('../evil.pth', where)).toThrow('not a plain file name');
    expect(() => convertedModelDir('abc', 'fp32', where)).toThrow('not a sha256');
  });
});

describe('configDir (the pairing token and config.json)', () => {
  test.each([
    ['linux', {}, '/home/ana/.config/matanyone'],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/matanyone'],
    ['linux', { XDG_CONFIG_HOME: 'relative' }, '/home/ana/.config/matanyone'],
    ['darwin', {}, '/home/ana/Library/Application Support/matanyone'],
    ['linux', { MATANYONE_CONFIG: '/etc/m' }, '/etc/m'],
  ] as const)('%s %j → %s', (platform, env, expected) => {
    expect(configDir({ platform, env, homedir: '/home/ana' })).toBe(expected);
  });
  test('Windows: %APPDATA%, else AppData\\Roaming', () => {
    expect(configDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, homedir: 'C:\\Users\\ana' })).toBe('C:\\Users\\ana\\AppData\\Roaming\\matanyone');
    expect(configDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\ana' })).toBe('C:\\Users\\ana\\AppData\\Roaming\\matanyone');
  });
});
