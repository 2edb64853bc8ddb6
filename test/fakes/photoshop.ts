/**
 * A fake `photoshop` module for the Photoshop adapter: documents with pixel layers, an optional selection and
 * layer masks, the imaging API over them, and Photoshop's modal rule (document writes only inside
 * core.executeAsModal, which does not nest) with a History panel to count steps. It implements PhotoshopApi, the
 * surface picked from @types/photoshop that the adapter is typed against. No Node API.
 *
 * @example
 * const { photoshop, state } = createFakePhotoshop({ documents: [{ id: 1, width: 8, height: 6, activeLayerIds: [2],
 *   layers: [{ id: 2, name: 'Person', bounds: { left: 0, top: 0, right: 8, bottom: 6 } }] }] });
 */
import type { ActionDescriptor, PhotoshopApi } from '../../plugin/host/photoshop-api';
import { FakeDocument, FakeLayer, FakeRuleError, Modality, type HistoryStep } from './photoshop/documents';
import { crop, FakeImageData, height, intersect, width, type Raster, type Rect } from './photoshop/image-data';

export { FakeRuleError } from './photoshop/documents';
export type { Rect } from './photoshop/image-data';

export interface FakeLayerSpec {
  id: number;
  name: string;
  /** constants.LayerKind value (default "pixel") */
  kind?: string;
  background?: boolean;
  bounds: Rect;
  /** RGBA over `bounds` (default: a gradient, opaque) */
  pixels?: Uint8Array;
  /** a user mask: grey bytes over `mask.bounds` */
  mask?: { bounds: Rect; data: Uint8Array };
}

export interface FakeDocumentSpec {
  id: number;
  path?: string;
  layers: FakeLayerSpec[];
  activeLayerIds: number[];
  /** the selection: grey bytes over `bounds` (default all 255, a rectangular selection) */
  selection?: { bounds: Rect; data?: Uint8Array };
}

export interface FakePhotoshopScenario {
  documents: FakeDocumentSpec[];
  /** default: the first document */
  activeDocumentId?: number;
}

export interface FakePhotoshopState {
  /** History panel entries made by the plugin, oldest first */
  readonly history: HistoryStep[];
  /** the commandName of each executeAsModal call */
  readonly modalCommands: string[];
  /** every batchPlay descriptor, in order */
  readonly batchPlay: ActionDescriptor[];
  /** PhotoshopImageData created and not disposed */
  liveImageData(): number;
  /** a layer's user mask, or undefined */
  layerMask(documentId: number, layerId: number): Raster | undefined;
}

type Imaging = PhotoshopApi['imaging'];

export function createFakePhotoshop(scenario: FakePhotoshopScenario): { photoshop: PhotoshopApi; state: FakePhotoshopState } {
  const documents = scenario.documents.map(documentOf);
  const modality = new Modality();
  const live = { count: 0 };
  const batchPlayed: ActionDescriptor[] = [];
  const activeId = scenario.activeDocumentId ?? documents[0]?.id;

  const find = (documentID: number | undefined) => {
    const document = documents.find((candidate) => candidate.id === (documentID ?? activeId));
    if (!document) throw new Error(`no open document ${documentID}`);
    return document;
  };
  const imageOf = (raster: Raster, colorSpace: 'RGB' | 'Grayscale') =>
    new FakeImageData(live, raster.data, width(raster.bounds), height(raster.bounds), raster.channels, colorSpace);

  const imaging: Imaging = {
    getPixels: async (options) => {
      const layer = find(options.documentID).layer(requireId(options.layerID, 'getPixels needs a layerID here'));
      // Photoshop trims the requested area to where the layer has pixels.
      const area = intersect(layer.pixels.bounds, options.sourceBounds ?? layer.pixels.bounds);
      const rgba = crop(layer.pixels, area);
      const raster = options.applyAlpha ? matteOnWhite(rgba) : rgba;
      return { imageData: imageOf(raster, 'RGB'), sourceBounds: area, level: 0 };
    },
    getSelection: async (options) => {
      const document = find(options.documentID);
      if (!document.selectionRaster) throw new Error('there is no selection');
      return maskResult(imageOf, document.selectionRaster, options.sourceBounds);
    },
    getLayerMask: async (options) => {
      const layer = find(options.documentID).layer(options.layerID);
      if (!layer.mask) throw new Error(`layer "${layer.name}" has no user mask`);
      return maskResult(imageOf, layer.mask, options.sourceBounds);
    },
    createImageDataFromBuffer: async (buffer, options) => {
      if (!(buffer instanceof Uint8Array)) throw new Error('the fake keeps 8-bit data only');
      const colorSpace = options.colorSpace === 'Grayscale' ? 'Grayscale' : 'RGB';
      const { width: w, height: h, components, colorProfile } = options;
      return new FakeImageData(live, buffer.slice(), w, h, components, colorSpace, colorProfile);
    },
    putLayerMask: async (options) => {
      const document = find(options.documentID);
      const layer = document.layer(options.layerID);
      const image = options.imageData;
      if (!(image instanceof FakeImageData)) throw new FakeRuleError('putLayerMask takes image data made by the imaging API');
      if (image.components !== 1 || image.colorSpace !== 'Grayscale') throw new Error('a layer mask takes 1-component Grayscale data');
      if (layer.isBackgroundLayer) throw new Error('the Background layer cannot have a mask');
      const target = options.targetBounds ?? layer.bounds;
      const bounds = { left: target.left, top: target.top, right: target.left + image.width, bottom: target.top + image.height };
      const before = layer.mask;
      const revert = () => void (layer.mask = before);
      // [unverified] Whether Photoshop logs adding a missing mask as a step of its own: assumed yes, so that
      // only a suspended history yields one step.
      if (!before) modality.change(document.id, 'Add Layer Mask', () => undefined, 'putLayerMask');
      modality.change(document.id, options.commandName ?? 'Put Layer Mask', revert, 'putLayerMask');
      layer.mask = { bounds, channels: 1, data: image.read() };
    },
  };

  const photoshop = {
    app: {
      get documents() {
        return documents;
      },
      get activeDocument() {
        return documents.find((document) => document.id === activeId) ?? null;
      },
    },
    core: { executeAsModal: modality.executeAsModal.bind(modality) },
    action: {
      batchPlay: async (commands: ActionDescriptor[]) => {
        batchPlayed.push(...commands);
        return commands.map((command) => play(command, find, modality));
      },
    },
    imaging,
  } satisfies PhotoshopApi;

  const state: FakePhotoshopState = {
    history: modality.history,
    modalCommands: modality.modalCommands,
    batchPlay: batchPlayed,
    liveImageData: () => live.count,
    layerMask: (documentId, layerId) => find(documentId).layer(layerId).mask,
  };
  return { photoshop, state };
}

function documentOf(spec: FakeDocumentSpec): FakeDocument {
  const layers = spec.layers.map(
    (layer) =>
      new FakeLayer(
        layer.id,
        layer.name,
        layer.kind ?? 'pixel',
        layer.background ?? false,
        { ...layer.bounds },
        { bounds: { ...layer.bounds }, channels: 4, data: layer.pixels ?? gradient(layer.bounds) },
        layer.mask && { bounds: { ...layer.mask.bounds }, channels: 1, data: layer.mask.data.slice() },
      ),
  );
  const selection = spec.selection && {
    bounds: { ...spec.selection.bounds },
    channels: 1,
    data: spec.selection.data ?? new Uint8Array(width(spec.selection.bounds) * height(spec.selection.bounds)).fill(255),
  };
  return new FakeDocument(spec.id, spec.path ?? '', layers, [...spec.activeLayerIds], selection);
}

/** A selection or mask read over `requested`, trimmed (as Photoshop may) to where it has data. */
function maskResult(
  imageOf: (raster: Raster, colorSpace: 'Grayscale') => FakeImageData,
  raster: Raster,
  requested: Rect | undefined,
) {
  const area = requested ? intersect(raster.bounds, requested) : raster.bounds;
  return { imageData: imageOf(crop(raster, area), 'Grayscale'), sourceBounds: area };
}

/** The answer to one batchPlay descriptor: the `get` of hasUserMask, or a recorded document change. */
function play(command: ActionDescriptor, find: (id: number) => FakeDocument, modality: Modality): ActionDescriptor {
  const target = (command._target ?? []) as Array<Record<string, unknown>>;
  if (command._obj === 'get') {
    const property = target.find((ref) => '_property' in ref)?._property;
    const layerId = target.find((ref) => ref._ref === 'layer')?._id;
    const documentId = target.find((ref) => ref._ref === 'document')?._id;
    if (property !== 'hasUserMask' || typeof layerId !== 'number' || typeof documentId !== 'number') {
      throw new Error(`the fake does not answer ${JSON.stringify(command)}`);
    }
    return { _obj: 'layer', hasUserMask: find(documentId).layer(layerId).mask !== undefined };
  }
  // Anything else (autoCutout = Select > Subject, make, set ...) changes the document.
  const documentId = target.find((ref) => ref._ref === 'document')?._id;
  modality.change(typeof documentId === 'number' ? documentId : 0, command._obj, () => undefined, `batchPlay ${command._obj}`);
  return { _obj: command._obj };
}

/** RGBA → RGB over white, as getPixels' applyAlpha does. */
function matteOnWhite(raster: Raster): Raster {
  const pixels = raster.data.length / 4;
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const alpha = raster.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(raster.data[i * 4 + c] * alpha + 255 * (1 - alpha));
  }
  return { bounds: raster.bounds, channels: 3, data: rgb };
}

/** Opaque RGBA with red growing left to right and green top to bottom: every pixel tells where it came from. */
function gradient(bounds: Rect): Uint8Array {
  const [w, h] = [width(bounds), height(bounds)];
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([x % 256, y % 256, 128, 255], (y * w + x) * 4);
  }
  return data;
}

function requireId(id: number | undefined, message: string): number {
  if (id === undefined) throw new Error(message);
  return id;
}
