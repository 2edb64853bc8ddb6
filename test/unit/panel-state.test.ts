// The panel's pure parts (plugin/ui): where each job writes, and what it keeps in UXP storage. Plugin code is
// loaded with require(): the root tsconfig does not compile plugin/ui (DOM and UXP types).
const { jobOutDir } = require('../../plugin/ui/premiere-jobs') as typeof import('../../plugin/ui/premiere-jobs');
const { PanelStorage, DEFAULT_OPTIONS } = require('../../plugin/ui/panel-storage') as typeof import('../../plugin/ui/panel-storage');

/** localStorage's shape over a Map. */
function memoryStore() {
  const items = new Map<string, string>();
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
}

describe('jobOutDir: a folder of its own per job, next to the clip', () => {
  const at = new Date(2026, 10, 30, 9, 5, 7);
  test.each([
    ['/Users/ed/Footage/interview.mp4', '/Users/ed/Footage/interview.matanyone/2026-11-30_09-05-07'],
    ['C:\\Users\\ed\\Footage\\take.2.mov', 'C:\\Users\\ed\\Footage\\take.2.matanyone\\2026-11-30_09-05-07'],
    ['/media/no-extension', '/media/no-extension.matanyone/2026-11-30_09-05-07'],
  ])('%s', (media, expected) => expect(jobOutDir(media, at)).toBe(expected));

  test('two jobs a second apart never share a folder', () => {
    expect(jobOutDir('/f/a.mp4', at)).not.toBe(jobOutDir('/f/a.mp4', new Date(at.getTime() + 1000)));
  });
});

describe('PanelStorage', () => {
  test('the instance id is made once and then stable; the token can be cleared', () => {
    const store = memoryStore();
    const first = new PanelStorage(store).instanceId;
    expect(first).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(new PanelStorage(store).instanceId).toBe(first);
    const storage = new PanelStorage(store);
    storage.token = 'abc';
    expect(new PanelStorage(store).token).toBe('abc');
    storage.token = undefined;
    expect(storage.token).toBeUndefined();
  });

  test('options are remembered; a damaged entry falls back to the defaults instead of breaking the panel', () => {
    const store = memoryStore();
    const storage = new PanelStorage(store);
    expect(storage.options).toEqual(DEFAULT_OPTIONS);
    storage.options = { output: 'luma', maxSize: 720, longTerm: true };
    expect(new PanelStorage(store).options).toEqual({ output: 'luma', maxSize: 720, longTerm: true });
    store.setItem('matanyone.options', '{not json');
    store.setItem('matanyone.jobs', '"not a list"');
    expect(storage.options).toEqual(DEFAULT_OPTIONS);
    expect(storage.jobs).toEqual([]);
  });
});
