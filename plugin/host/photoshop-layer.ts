import { PanelError, type SelectedLayer } from './host-adapter';
import type { DocumentApi, PhotoshopApi } from './photoshop-api';

/** constants.LayerKind.NORMAL: the only kind whose pixels getPixels reads and that takes a pixel mask here. */
const PIXEL_LAYER = 'pixel';

/** See PhotoshopAdapter.selectedLayer. DOM getters only: no modal state is needed to read. */
export function selectedLayer({ app }: PhotoshopApi): SelectedLayer | undefined {
  if (app.documents.length === 0) return undefined;
  const document = app.activeDocument;
  if (!document || document.activeLayers.length === 0) return undefined;
  if (document.activeLayers.length > 1) {
    throw refuse(`${document.activeLayers.length} layers are selected: select only the layer to matte`);
  }
  const layer = document.activeLayers[0];
  if (layer.isBackgroundLayer) {
    throw refuse('The Background layer cannot take a mask: make it a normal layer first (Layer > New > Layer from Background)');
  }
  if (layer.kind !== PIXEL_LAYER) {
    throw refuse(`"${layer.name}" is a ${kindName(layer.kind)} layer: select a pixel layer, or rasterize this one first`);
  }
  const { left, top, right, bottom } = layer.bounds;
  if (right <= left || bottom <= top) throw refuse(`"${layer.name}" is empty: select a layer with pixels`);
  return {
    kind: 'layer',
    name: layer.name,
    mediaPath: document.path,
    documentId: document.id,
    layerId: layer.id,
    bounds: { left, top, right, bottom },
  };
}

/** The open document with this id (the user may have switched documents since the layer was chosen). */
export function documentById({ app }: PhotoshopApi, documentId: number): DocumentApi | undefined {
  for (let index = 0; index < app.documents.length; index++) {
    if (app.documents[index].id === documentId) return app.documents[index];
  }
  return undefined;
}

/** "smartObject" → "smart object". */
function kindName(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function refuse(sentence: string): PanelError {
  return new PanelError('UNSUPPORTED_SELECTION', `${sentence}.`);
}
