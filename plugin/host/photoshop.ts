import { PanelError, type HostAdapter, type MatteResult, type SelectedLayer, type SelectedMedia } from './host-adapter';

/** The runtime module `photoshop` (types: @types/photoshop). */
export type PhotoshopModule = typeof import('photoshop');

/** The history step the matte creates. */
const COMMAND_NAME = 'Matte Subject';

/**
 * The Photoshop adapter (Photoshop 25.0+): the active layer in, a layer mask out. Video layers are out of scope
 * for now: the Photoshop DOM has no timeline API (uxp.md §5).
 * @param photoshop - the runtime module; `index.ts` is the only place that requires it
 */
export function createPhotoshopAdapter(photoshop: PhotoshopModule): HostAdapter {
  return {
    hostName: () => 'photoshop',
    selectedMedia: async () => activeLayer(photoshop),
    placeMatte: (target, result) => putLayerMask(photoshop, target, result),
  };
}

function activeLayer({ app }: PhotoshopModule): SelectedLayer | undefined {
  if (app.documents.length === 0) return undefined;
  const document = app.activeDocument;
  const layer = document.activeLayers[0];
  if (!layer) return undefined;
  if (layer.isBackgroundLayer) {
    throw new PanelError(
      'UNSUPPORTED_SELECTION',
      'The Background layer cannot take a mask: convert it to a normal layer (Layer > New > Layer from Background).',
    );
  }
  const { left, top, right, bottom } = layer.bounds;
  return {
    kind: 'layer',
    name: layer.name,
    mediaPath: document.path,
    documentId: document.id,
    layerId: layer.id,
    bounds: { left, top, right, bottom },
  };
}

/** Applies the alpha as the layer's user mask, replacing any mask it had, as one history step. */
async function putLayerMask(
  { core, imaging }: PhotoshopModule,
  target: SelectedMedia,
  result: MatteResult,
): Promise<void> {
  if (target.kind !== 'layer') throw new Error(`the Photoshop adapter cannot place a matte on a ${target.kind}`);
  if (result.kind !== 'alpha') throw new Error('Photoshop applies a matte from pixels, not from a file');
  const { alpha, width, height, left, top } = result;
  if (alpha.length !== width * height) {
    throw new Error(`alpha has ${alpha.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
  // Document changes must run modal; the panel enters only to write, never while the host computes (uxp.md §5).
  await core.executeAsModal(
    async () => {
      const imageData = await imaging.createImageDataFromBuffer(alpha, {
        width,
        height,
        components: 1,
        chunky: false,
        colorSpace: 'Grayscale',
        colorProfile: 'Gray Gamma 2.2',
      });
      try {
        await imaging.putLayerMask({
          documentID: target.documentId,
          layerID: target.layerId,
          imageData,
          replace: true,
          targetBounds: { left, top, width, height },
          commandName: COMMAND_NAME,
        });
      } finally {
        await imageData.dispose();
      }
    },
    { commandName: COMMAND_NAME },
  );
}
