// The fake Adobe modules reject what the apps reject, so that adapter tests fail where the app would: Premiere
// actions outside lockedAccess, async transaction callbacks, stale actions; Photoshop writes outside
// executeAsModal, nested modal scopes; UXP files written as typed arrays. Also: the JSON scenario and the
// browser bundle of the fakes (what the panel's end-to-end test loads before index.js).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Action } from '../../plugin/host/premiere-api';
import { buildBrowserFakes } from '../support/build-fakes';
import { diskFileStore } from '../fakes/disk-file-store';
import { createFakePhotoshop } from '../fakes/photoshop';
import { scenarioFromJson, type FakePremiereScenarioJson } from '../fakes/premiere/scenario-json';
import { createFakePremiere, FakeRuleError, type FakePremiereState } from '../fakes/premierepro';
import { createFakeUxp, memoryFileStore } from '../fakes/uxp';

const CLIP = { name: 'speaker', mediaPath: '/footage/speaker.mov', outFrame: 50, selected: true };

async function premiere() {
  const { ppro, state } = createFakePremiere({ tracks: [[CLIP], []] });
  const project = (await ppro.Project.getActiveProject())!;
  const sequence = (await project.getActiveSequence())!;
  const root = await project.getRootItem();
  const [item] = (await sequence.getVideoTrack(0)).getTrackItems(ppro.Constants.TrackItemType.CLIP, false);
  const media = (await item.getProjectItem())!;
  const editor = ppro.SequenceEditor.getEditor(sequence);
  const overwrite = (track: number) => editor.createOverwriteItemAction(media, ppro.TickTime.createWithTicks('0'), track, 0);
  return { ppro, state, project, sequence, root, item, overwrite };
}

describe('fake premierepro: Premiere 26.3 rules', () => {
  test('create*Action outside lockedAccess throws', async () => {
    const { root, overwrite } = await premiere();
    expect(() => overwrite(1)).toThrow(FakeRuleError);
    expect(() => root.createBinAction('Mattes', true)).toThrow(/must be called inside project.lockedAccess/);
  });

  test('executeTransaction only inside lockedAccess; lockedAccess does not nest', async () => {
    const { project } = await premiere();
    expect(() => project.executeTransaction(() => undefined, 'x')).toThrow(/inside project.lockedAccess/);
    expect(() => project.lockedAccess(() => project.lockedAccess(() => undefined))).toThrow(/cannot nest/);
  });

  test('async callbacks are rejected: the lock and the transaction end when they return', async () => {
    const { project, overwrite, state } = await premiere();
    const asyncTransaction = (async () => undefined) as unknown as () => void;
    expect(() => project.lockedAccess(() => project.executeTransaction(asyncTransaction, 'x'))).toThrow(
      /executeTransaction callback returned a Promise/,
    );
    let late: unknown;
    const asyncLock = (async () => {
      await Promise.resolve();
      try {
        overwrite(1); // after the await the lock is gone
      } catch (error) {
        late = error;
      }
    }) as unknown as () => void;
    expect(() => project.lockedAccess(asyncLock)).toThrow(/lockedAccess callback returned a Promise/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(late).toBeInstanceOf(FakeRuleError);
    expect(state.undoStack).toEqual([]);
  });

  test('an action created in one lockedAccess and added in another is rejected; so is adding it twice', async () => {
    const { project, overwrite } = await premiere();
    let early: Action | undefined;
    project.lockedAccess(() => {
      early = overwrite(1);
    });
    expect(() => project.lockedAccess(() => project.executeTransaction((compound) => compound.addAction(early!), 'x'))).toThrow(
      /created outside this lockedAccess call/,
    );
    expect(() =>
      project.lockedAccess(() => {
        const action = overwrite(1);
        project.executeTransaction((compound) => {
          compound.addAction(action);
          compound.addAction(action);
        }, 'x');
      }),
    ).toThrow(/already added/);
  });

  test('a compound action kept past its callback cannot be used', async () => {
    const { project, overwrite } = await premiere();
    let kept: { addAction(action: Action): boolean } | undefined;
    project.lockedAccess(() => {
      project.executeTransaction((compound) => void (kept = compound), 'x');
      const action = overwrite(1);
      expect(() => kept!.addAction(action)).toThrow(/transaction callback has returned/);
    });
  });

  test('one undo entry per transaction, named, with its actions; undo reverts it', async () => {
    const { project, overwrite, state } = await premiere();
    let committed = false;
    project.lockedAccess(() => {
      committed = project.executeTransaction((compound) => compound.addAction(overwrite(1)), 'Place it');
    });
    expect(committed).toBe(true);
    expect(state.undoStack).toEqual([
      { name: 'Place it', actions: [{ kind: 'overwrite', mediaPath: CLIP.mediaPath, videoTrackIndex: 1, audioTrackIndex: 0, startTicks: '0' }] },
    ]);
    expect(state.tracks()[1]).toHaveLength(1);
    state.undo();
    expect(state.tracks()[1]).toEqual([]);
    expect(state.undoStack).toEqual([]);
  });

  test('an edit Premiere refuses returns false and changes nothing', async () => {
    const { project, overwrite, state } = await premiere();
    let committed = true;
    project.lockedAccess(() => {
      committed = project.executeTransaction((compound) => {
        compound.addAction(overwrite(1));
        compound.addAction(overwrite(5)); // no such track
      }, 'x');
    });
    expect(committed).toBe(false);
    expect(state.tracks()[1]).toEqual([]);
    expect(state.undoStack).toEqual([]);
    expect(state.refused).toEqual([{ name: 'x', reason: 'overwrite to video track 5, which does not exist' }]);
  });

  test('importFiles resolves a boolean (not the item) and files the item in the target bin', async () => {
    const { project, root, state } = await premiereWith({ bins: ['Mattes'], otherMedia: false, media: { '/r/a.mov': { frames: 10 } } });
    const bin = (await root.getItems()).find((item) => item.name === 'Mattes');
    const imported = project.importFiles(['/r/a.mov'], true, bin, false);
    expect(imported).toBeInstanceOf(Promise);
    await expect(imported).resolves.toBe(true);
    await expect(project.importFiles(['/r/unknown.mov'], true, bin, false)).resolves.toBe(false);
    expect(state.bins().bins).toEqual([{ name: 'Mattes', bins: [], clips: ['/r/a.mov'] }]);
    expect(state.imports.map((record) => record.ok)).toEqual([true, false]);
  });

  test('getters are async, as in the types', async () => {
    const { item, sequence } = await premiere();
    expect(item.getStartTime()).toBeInstanceOf(Promise);
    expect(item.getComponentChain()).toBeInstanceOf(Promise);
    expect(sequence.getVideoTrackCount()).toBeInstanceOf(Promise);
  });
});

/** The same fake with more scenario options. */
async function premiereWith(extra: Omit<Parameters<typeof createFakePremiere>[0], 'tracks'>) {
  const { ppro, state } = createFakePremiere({ tracks: [[CLIP]], ...extra });
  const project = (await ppro.Project.getActiveProject())!;
  return { ppro, state, project, root: await project.getRootItem() };
}

describe('fake photoshop: the modal rule', () => {
  const scenario = () =>
    createFakePhotoshop({
      documents: [{ id: 1, activeLayerIds: [2], layers: [{ id: 2, name: 'Person', bounds: { left: 0, top: 0, right: 2, bottom: 2 } }] }],
    });
  const maskWrite = async (photoshop: ReturnType<typeof scenario>['photoshop']) => {
    const imageData = await photoshop.imaging.createImageDataFromBuffer(new Uint8Array(4), {
      width: 2,
      height: 2,
      components: 1,
      colorSpace: 'Grayscale',
    });
    return photoshop.imaging.putLayerMask({ documentID: 1, layerID: 2, imageData, commandName: 'Mask' });
  };

  test('a document write outside executeAsModal throws', async () => {
    const { photoshop, state } = scenario();
    await expect(maskWrite(photoshop)).rejects.toThrow(/inside core.executeAsModal/);
    await expect(photoshop.action.batchPlay([{ _obj: 'autoCutout', sampleAllLayers: false }], {})).rejects.toThrow(FakeRuleError);
    expect(state.history).toEqual([]);
  });

  test('executeAsModal does not nest', async () => {
    const { photoshop } = scenario();
    const nested = photoshop.core.executeAsModal(
      () => photoshop.core.executeAsModal(async () => undefined, { commandName: 'inner' }),
      { commandName: 'outer' },
    );
    await expect(nested).rejects.toThrow(/already modal/);
  });

  test('each write is a history step; a suspended history makes them one', async () => {
    const { photoshop, state } = scenario();
    await photoshop.core.executeAsModal(() => maskWrite(photoshop), { commandName: 'Mask' });
    expect(state.history.map((step) => step.name)).toEqual(['Add Layer Mask', 'Mask']);
    await photoshop.core.executeAsModal(
      async ({ hostControl }) => {
        const suspension = await hostControl.suspendHistory({ documentID: 1, name: 'Both' });
        await maskWrite(photoshop);
        await maskWrite(photoshop);
        await hostControl.resumeHistory(suspension, true);
      },
      { commandName: 'Both' },
    );
    expect(state.history.map((step) => step.name)).toEqual(['Add Layer Mask', 'Mask', 'Both']);
  });

  test('a suspension never resumed is a bug', async () => {
    const { photoshop } = scenario();
    const leak = photoshop.core.executeAsModal(
      async ({ hostControl }) => void (await hostControl.suspendHistory({ documentID: 1, name: 'x' })),
      { commandName: 'x' },
    );
    await expect(leak).rejects.toThrow(/never resumed/);
  });
});

describe('fake uxp: the temp folder', () => {
  test('binary writes take a whole ArrayBuffer with formats.binary; createFile does not overwrite unasked', async () => {
    const { storage, host } = createFakeUxp({ hostName: 'premierepro' });
    expect(host.name).toBe('premierepro');
    const folder = await storage.localFileSystem.getTemporaryFolder();
    const file = await folder.createFile('a.raw', { overwrite: true });
    await expect(file.write(new Uint8Array(4) as unknown as ArrayBuffer, { format: storage.formats.binary })).rejects.toThrow(/not a typed array/);
    await expect(file.write(new ArrayBuffer(4), { format: storage.formats.utf8 })).rejects.toThrow(/formats.binary/);
    await expect(file.write(new Uint8Array([1, 2, 3]).buffer, { format: storage.formats.binary })).resolves.toBe(3);
    await expect(folder.createFile('a.raw', {})).rejects.toThrow(/exists/);
    await expect(folder.getEntry('missing.raw')).rejects.toThrow(/no entry/);
    const read = await (await folder.getEntry('a.raw')).read({ format: storage.formats.binary });
    expect(new Uint8Array(read as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
  });

  test('on disk, the files are real files a host process can open', async () => {
    const store = diskFileStore();
    try {
      const { storage } = createFakeUxp({ hostName: 'Photoshop', files: store });
      const folder = await storage.localFileSystem.getTemporaryFolder();
      const file = await folder.createFile('job/image.raw', { overwrite: true });
      await file.write(new Uint8Array([9, 8]).buffer, { format: storage.formats.binary });
      expect(fs.readFileSync(path.join(store.rootPath, 'job', 'image.raw'))).toEqual(Buffer.from([9, 8]));
      expect(file.nativePath).toBe(`${store.rootPath}/job/image.raw`);
    } finally {
      fs.rmSync(store.rootPath, { recursive: true, force: true });
    }
  });

  test('in memory, for a browser page', async () => {
    const store = memoryFileStore('/tmp/x');
    const { storage } = createFakeUxp({ hostName: 'premierepro', files: store });
    const file = await (await storage.localFileSystem.getTemporaryFolder()).createFile('m.raw', {});
    await file.write('text', { format: storage.formats.utf8 });
    expect(store.files.get('m.raw')).toEqual(new TextEncoder().encode('text'));
  });
});

describe('the browser scenario', () => {
  const json: FakePremiereScenarioJson = {
    clip: { name: 'interview', mediaPath: '/footage/interview.mp4', frameRate: [24000, 1001], inFrame: 0, outFrame: 36, startFrame: 0 },
    upperClips: [{ name: 'title', mediaPath: '/gfx/title.mov', track: 1, outFrame: 24, frameRate: [24000, 1001] }],
  };

  test('JSON: the clip selected on V1, the others on their tracks, three video tracks', () => {
    const { state } = createFakePremiere(scenarioFromJson(json));
    const tracks = state.tracks();
    expect(tracks).toHaveLength(3);
    expect(tracks[0]).toEqual([expect.objectContaining({ name: 'interview', selected: true, endTicks: String(36n * 10594584000n) })]);
    expect(tracks[1]).toEqual([expect.objectContaining({ name: 'title', selected: false })]);
  });

  test('the webpack bundle (target web) installs require() and __fakePremiere in a page without Node', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakes-test-'));
    try {
      const script = await buildBrowserFakes(outDir);
      const page: Record<string, unknown> = { __FAKE_PREMIERE_SCENARIO__: JSON.stringify(json) };
      vm.runInNewContext(fs.readFileSync(script, 'utf8'), page);
      const require = page.require as (name: string) => { host?: { name: string }; Project?: unknown };
      expect(require('uxp').host?.name).toBe('premierepro');
      expect(require('premierepro').Project).toBeDefined();
      expect(() => require('photoshop')).toThrow(/Cannot find module 'photoshop'/);
      const state = page.__fakePremiere as FakePremiereState;
      expect(state.tracks()[0][0]).toMatchObject({ name: 'interview', mediaPath: '/footage/interview.mp4' });
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
