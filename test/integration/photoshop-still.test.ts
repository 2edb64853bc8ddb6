import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { fixtureModel } from '../support/engine-fixture';
import { PARITY_DIR } from '../support/parity-fixture';
import { connect, serve } from '../support/serve-host';
import { diskFileStore } from '../fakes/disk-file-store';
import { createFakePhotoshop } from '../fakes/photoshop';
import { createFakeUxp } from '../fakes/uxp';

const { createPhotoshopAdapter } = require('../../plugin/host/photoshop') as typeof import('../../plugin/host/photoshop');

/**
 * The Photoshop flow end to end, as the panel runs it: the adapter reads the layer and its selection (fake
 * `photoshop`, files in a real plugin temp folder) → a real `matanyone serve` refines the selection with
 * MatAnyone's first-frame passes (refineStill) → the adapter writes the alpha as the layer's mask in one
 * history step. Photoshop is modal only while reading and writing, never while the host computes.
 */
test('a layer and its selection → refineStill → the layer mask, in one history step', async () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ps-still-')));
  const files = diskFileStore(path.join(tmp, 'plugin-temp'));
  fs.mkdirSync(files.rootPath, { recursive: true });
  const model = await fixtureModel();
  const env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
  fs.mkdirSync(env.HOME);
  const host = await serve(['--port', '0', '--ep', 'cpu', '--data', path.join(tmp, 'data'), '--allow', tmp, '--model', model.dir], env);
  try {
    // The fixture's first frame as a 426x240 layer at (30, 40) in the document; the selection is the fixture mask.
    const rgba = await sharp(path.join(PARITY_DIR, 'frame_0000.png')).ensureAlpha().raw().toBuffer();
    const selection = await sharp(path.join(PARITY_DIR, 'mask.png')).extractChannel(0).raw().toBuffer();
    const bounds = { left: 30, top: 40, right: 30 + 426, bottom: 40 + 240 };
    const { photoshop, state } = createFakePhotoshop({
      documents: [{ id: 1, path: path.join(tmp, 'portrait.psd'), layers: [{ id: 7, name: 'Portrait', bounds, pixels: new Uint8Array(rgba) }], activeLayerIds: [7], selection: { bounds, data: new Uint8Array(selection) } }],
    });
    const adapter = createPhotoshopAdapter(photoshop, createFakeUxp({ hostName: 'Photoshop', files }).storage);
    const panel = await connect(host.url, host.token, 'photoshop-panel-1');

    const layer = (await adapter.selectedLayer())!;
    const still = await adapter.readStill(layer);
    expect(still).toMatchObject({ maskSource: 'selection', left: 30, top: 40, image: { width: 426, height: 240 }, mask: { width: 426, height: 240, channels: 1 } });
    const modalBefore = state.modalCommands.length;
    const out = path.join(path.dirname(still.image.path), 'matte.raw');
    const refined = await panel.call('refineStill', {
      image: { path: still.image.path, width: 426, height: 240, channels: still.image.channels === 4 ? 4 : 3 },
      mask: { path: still.mask.path, width: 426, height: 240 },
      out,
    }, { timeoutMs: 300_000 });
    expect(state.modalCommands.length).toBe(modalBefore); // nothing modal while the host computed
    await adapter.writeLayerMask(layer, refined.path, still);
    panel.close();

    const alpha = new Uint8Array(fs.readFileSync(refined.path));
    expect(state.layerMask(1, 7)).toEqual({ bounds, channels: 1, data: alpha });
    expect(state.history).toEqual([{ documentId: 1, name: 'Matte Subject' }]);
    // (The fixture's weights are random: what the alpha looks like is host-side parity, tested elsewhere.)
  } finally {
    host.child.kill('SIGTERM');
    await host.exited;
    model.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 300_000);
