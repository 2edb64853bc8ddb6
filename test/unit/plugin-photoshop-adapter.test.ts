// plugin/host/photoshop.ts against the fake `photoshop` (writes only inside executeAsModal, which does not nest;
// a History panel) and the fake `uxp` storage on a real temp dir, as the host would read it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SelectedLayer } from '../../plugin/host/host-adapter';
import { diskFileStore } from '../fakes/disk-file-store';
import { createFakePhotoshop, type FakeDocumentSpec, type FakeLayerSpec } from '../fakes/photoshop';
import { createFakeUxp, type FileStore } from '../fakes/uxp';

const { createPhotoshopAdapter } = require('../../plugin/host/photoshop') as typeof import('../../plugin/host/photoshop');
const { PanelError } = require('../../plugin/host/host-adapter') as typeof import('../../plugin/host/host-adapter');

/** An 8x6 pixel layer whose top-left corner is at (10, 20) in the document. */
const LAYER_BOUNDS = { left: 10, top: 20, right: 18, bottom: 26 };
const person = (extra: Partial<FakeLayerSpec> = {}): FakeLayerSpec => ({ id: 7, name: 'Person', bounds: LAYER_BOUNDS, ...extra });

const NO_MASK =
  'Make a selection around the subject (Select > Subject works), or add a layer mask, then press Matte Subject again.';

let files: FileStore;
beforeEach(() => {
  files = diskFileStore();
});
afterEach(() => fs.rmSync(files.rootPath, { recursive: true, force: true }));

function setup(document: Partial<FakeDocumentSpec> = {}) {
  const { photoshop, state } = createFakePhotoshop({
    documents: [{ id: 1, path: '/art/portrait.psd', layers: [person()], activeLayerIds: [7], ...document }],
  });
  const uxp = createFakeUxp({ hostName: 'Photoshop', files });
  return { adapter: createPhotoshopAdapter(photoshop, uxp.storage), state };
}

async function layerOf(adapter: ReturnType<typeof createPhotoshopAdapter>): Promise<SelectedLayer> {
  const layer = await adapter.selectedLayer();
  if (!layer) throw new Error('no layer');
  return layer;
}

const bytesAt = (file: string) => new Uint8Array(fs.readFileSync(file));

describe('selectedLayer', () => {
  test('the active pixel layer, with its document and bounds', async () => {
    const { adapter } = setup();
    await expect(adapter.selectedLayer()).resolves.toEqual({
      kind: 'layer',
      name: 'Person',
      mediaPath: '/art/portrait.psd',
      documentId: 1,
      layerId: 7,
      bounds: LAYER_BOUNDS,
    });
  });

  test('no document or no active layer: undefined', async () => {
    const none = createFakePhotoshop({ documents: [] });
    const uxp = createFakeUxp({ hostName: 'Photoshop' });
    await expect(createPhotoshopAdapter(none.photoshop, uxp.storage).selectedLayer()).resolves.toBeUndefined();
    await expect(setup({ activeLayerIds: [] }).adapter.selectedLayer()).resolves.toBeUndefined();
  });

  test.each<[string, Partial<FakeLayerSpec>, string]>([
    ['the Background layer', { background: true }, 'The Background layer cannot take a mask: make it a normal layer first (Layer > New > Layer from Background).'],
    ['a text layer', { kind: 'text' }, '"Person" is a text layer: select a pixel layer, or rasterize this one first.'],
    ['a smart object', { kind: 'smartObject' }, '"Person" is a smart object layer: select a pixel layer, or rasterize this one first.'],
    ['an empty layer', { bounds: { left: 0, top: 0, right: 0, bottom: 0 } }, '"Person" is empty: select a layer with pixels.'],
  ])('refuses %s in one sentence', async (_what, layer, message) => {
    const refusal = setup({ layers: [person(layer)] }).adapter.selectedLayer();
    await expect(refusal).rejects.toBeInstanceOf(PanelError);
    await expect(refusal).rejects.toMatchObject({ code: 'UNSUPPORTED_SELECTION', message });
  });

  test('refuses two active layers', async () => {
    const layers = [person(), { id: 8, name: 'Sky', bounds: LAYER_BOUNDS }];
    await expect(setup({ layers, activeLayerIds: [7, 8] }).adapter.selectedLayer()).rejects.toMatchObject({
      message: '2 layers are selected: select only the layer to matte.',
    });
  });
});

describe('readStill', () => {
  test('with a selection: RGB pixels and the selection cropped to the layer, as raw files', async () => {
    // The selection covers x 14..30 of the document: the right half of the 8-pixel-wide layer.
    const { adapter, state } = setup({ selection: { bounds: { left: 14, top: 0, right: 30, bottom: 40 } } });
    const still = await adapter.readStill(await layerOf(adapter));

    expect(still).toEqual({
      image: { path: expect.any(String), width: 8, height: 6, channels: 3 },
      mask: { path: expect.any(String), width: 8, height: 6, channels: 1 },
      maskSource: 'selection',
      left: 10,
      top: 20,
    });
    expect(path.dirname(still.image.path)).toBe(files.rootPath);
    const rgb = bytesAt(still.image.path);
    expect(rgb).toHaveLength(8 * 6 * 3);
    expect([...rgb.subarray((2 * 8 + 5) * 3, (2 * 8 + 5) * 3 + 3)]).toEqual([5, 2, 128]); // the fake's gradient at (5, 2)
    const mask = bytesAt(still.mask.path);
    expect([...mask.subarray(0, 8)]).toEqual([0, 0, 0, 0, 255, 255, 255, 255]);
    expect(mask.filter((value) => value === 255)).toHaveLength(4 * 6);

    expect(state.modalCommands).toHaveLength(1); // one short modal scope for the reads
    expect(state.history).toEqual([]); // reading changes nothing
    expect(state.liveImageData()).toBe(0); // every PhotoshopImageData disposed
  });

  test('with a layer mask and no selection: the mask, over the same rectangle', async () => {
    const maskData = new Uint8Array(8 * 6).map((_, i) => (i % 8 < 2 ? 0 : 200));
    const { adapter, state } = setup({ layers: [person({ mask: { bounds: LAYER_BOUNDS, data: maskData } })] });
    const still = await adapter.readStill(await layerOf(adapter));
    expect(still.maskSource).toBe('layerMask');
    expect(bytesAt(still.mask.path)).toEqual(maskData);
    expect(state.batchPlay).toEqual([expect.objectContaining({ _obj: 'get', _target: expect.arrayContaining([{ _property: 'hasUserMask' }]) })]);
    expect(state.liveImageData()).toBe(0);
  });

  test('neither a selection nor a mask: NO_MASK, and Select Subject is only suggested', async () => {
    const { adapter, state } = setup();
    const refusal = adapter.readStill(await layerOf(adapter));
    await expect(refusal).rejects.toBeInstanceOf(PanelError);
    await expect(refusal).rejects.toMatchObject({ code: 'NO_MASK', message: NO_MASK });
    expect(state.modalCommands).toEqual([]);
    expect(state.batchPlay.map((command) => command._obj)).toEqual(['get']); // no autoCutout behind the user's back
  });

  test('a selection that misses the layer: NO_MASK saying so', async () => {
    const { adapter } = setup({ selection: { bounds: { left: 100, top: 100, right: 120, bottom: 120 } } });
    await expect(adapter.readStill(await layerOf(adapter))).rejects.toMatchObject({
      code: 'NO_MASK',
      message: `The selection does not overlap "Person": ${NO_MASK}`,
    });
  });
});

describe('writeLayerMask', () => {
  async function readAndAnswer(setupResult: ReturnType<typeof setup>, alpha: Uint8Array) {
    const layer = await layerOf(setupResult.adapter);
    const still = await setupResult.adapter.readStill(layer);
    const alphaPath = path.join(files.rootPath, 'job-1', 'alpha.raw'); // where the host writes its answer
    fs.mkdirSync(path.dirname(alphaPath));
    fs.writeFileSync(alphaPath, alpha);
    return { layer, still, alphaPath };
  }

  test('the host alpha becomes the layer mask at the layer position, in one history step', async () => {
    const fake = setup({ selection: { bounds: LAYER_BOUNDS } });
    const alpha = new Uint8Array(8 * 6).map((_, i) => (i * 5) % 256);
    const { layer, still, alphaPath } = await readAndAnswer(fake, alpha);

    await fake.adapter.writeLayerMask(layer, alphaPath, still);

    expect(fake.state.layerMask(1, 7)).toEqual({ bounds: LAYER_BOUNDS, channels: 1, data: alpha });
    // The layer had no mask: adding one and filling it would be two steps without the history suspension.
    expect(fake.state.history).toEqual([{ documentId: 1, name: 'Matte Subject' }]);
    expect(fake.state.modalCommands.at(-1)).toBe('Matte Subject');
    expect(fake.state.liveImageData()).toBe(0);
  });

  test('an alpha of the wrong size is refused before anything is written', async () => {
    const fake = setup({ selection: { bounds: LAYER_BOUNDS } });
    const { layer, still, alphaPath } = await readAndAnswer(fake, new Uint8Array(10));
    await expect(fake.adapter.writeLayerMask(layer, alphaPath, still)).rejects.toThrow(/holds 10 bytes, expected 8x6 = 48/);
    expect(fake.state.history).toEqual([]);
  });

  test('a path outside the plugin temp folder is refused (the "plugin" file permission cannot read it)', async () => {
    const fake = setup({ selection: { bounds: LAYER_BOUNDS } });
    const { layer, still } = await readAndAnswer(fake, new Uint8Array(48));
    await expect(fake.adapter.writeLayerMask(layer, '/elsewhere/alpha.raw', still)).rejects.toThrow(/not in the plugin's temp folder/);
  });

  test('a write Photoshop refuses rolls back and says where the alpha is', async () => {
    const fake = setup({ selection: { bounds: LAYER_BOUNDS } });
    const { still, alphaPath } = await readAndAnswer(fake, new Uint8Array(48));
    const gone: SelectedLayer = { kind: 'layer', name: 'Gone', mediaPath: '', documentId: 1, layerId: 99, bounds: LAYER_BOUNDS };
    await expect(fake.adapter.writeLayerMask(gone, alphaPath, still)).rejects.toMatchObject({
      code: 'PLACE_FAILED',
      message: `Photoshop could not write the mask on "Gone" (document 1 has no layer 99); the matte is saved at ${alphaPath}.`,
    });
    expect(fake.state.history).toEqual([]);
    expect(fake.state.liveImageData()).toBe(0);
  });
});
