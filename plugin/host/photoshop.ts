import type { PhotoshopAdapter } from './host-adapter';
import type { PhotoshopApi } from './photoshop-api';
import { selectedLayer } from './photoshop-layer';
import { writeLayerMask } from './photoshop-mask';
import { readStill } from './photoshop-still';
import type { UxpStorageApi } from './uxp-api';

/**
 * The Photoshop adapter (Photoshop 25.0+: imaging, the selection DOM): a pixel layer in, a layer mask out.
 * Stills only: the Photoshop DOM has no timeline API for video layers (uxp.md §5).
 * @param photoshop - the runtime module; `index.ts` is the only place that requires it
 * @param storage - `require('uxp').storage`, for the raw files exchanged with the host
 * @example
 * const adapter = createPhotoshopAdapter(require('photoshop'), storage);
 * const layer = await adapter.selectedLayer();
 * const still = layer && (await adapter.readStill(layer));
 */
export function createPhotoshopAdapter(photoshop: PhotoshopApi, storage: UxpStorageApi): PhotoshopAdapter {
  return {
    hostName: () => 'photoshop',
    selectedLayer: async () => selectedLayer(photoshop),
    readStill: (layer) => readStill(photoshop, storage, layer),
    writeLayerMask: (layer, alphaPath, still) => writeLayerMask(photoshop, storage, layer, alphaPath, still),
  };
}
