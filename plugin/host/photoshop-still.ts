/**
 * Reading a layer for the host: its pixels and a first mask of the same rectangle, as raw files. The modal
 * state lasts only for the reads; files are written after it ends, and nothing waits on the host inside it
 * (uxp.md §5).
 */
import { PanelError, type SelectedLayer, type StillForMatte } from './host-adapter';
import { documentById } from './photoshop-layer';
import type { BoundsApi, PhotoshopApi, PhotoshopImageData } from './photoshop-api';
import { writeTempFile } from './temp-files';
import type { UxpStorageApi } from './uxp-api';

/** The progress bar's label while reading. */
const READ_COMMAND = 'Matte Subject: reading the layer';

/**
 * Shown when there is no mask to start from. Select > Subject would make one, but running it silently would
 * change the user's selection behind their back, so the sentence points at it instead.
 */
export const NO_MASK_MESSAGE =
  'Make a selection around the subject (Select > Subject works), or add a layer mask, then press Matte Subject again.';

interface Pixels {
  /** RGB [height, width, 3] u8, or RGBA when Photoshop keeps alpha */
  rgb: Uint8Array;
  channels: 3 | 4;
  /** first mask [height, width] u8, 255 = subject, 0 outside the selection or mask */
  mask: Uint8Array;
  bounds: BoundsApi;
}

/** See PhotoshopAdapter.readStill. */
export async function readStill(ps: PhotoshopApi, storage: UxpStorageApi, layer: SelectedLayer): Promise<StillForMatte> {
  const document = documentById(ps, layer.documentId);
  if (!document) throw new PanelError('NO_PROJECT', `Open the document that holds "${layer.name}" again.`);
  const maskSource = document.selection.bounds
    ? 'selection'
    : (await hasUserMask(ps, layer))
      ? 'layerMask'
      : undefined;
  if (!maskSource) throw new PanelError('NO_MASK', NO_MASK_MESSAGE);

  const pixels = await ps.core.executeAsModal(() => readPixels(ps, layer, maskSource), { commandName: READ_COMMAND });
  if (!pixels.mask.some((value) => value > 0)) {
    const what = maskSource === 'selection' ? 'The selection does not overlap' : 'The layer mask hides all of';
    throw new PanelError('NO_MASK', `${what} "${layer.name}": ${NO_MASK_MESSAGE}`);
  }

  const { left, top, right, bottom } = pixels.bounds;
  const [width, height] = [right - left, bottom - top];
  const stem = `still-${layer.documentId}-${layer.layerId}-${Date.now()}`;
  const [imagePath, maskPath] = await Promise.all([
    writeTempFile(storage, `${stem}-image.raw`, pixels.rgb),
    writeTempFile(storage, `${stem}-mask.raw`, pixels.mask),
  ]);
  return {
    image: { path: imagePath, width, height, channels: pixels.channels },
    mask: { path: maskPath, width, height, channels: 1 },
    maskSource,
    left,
    top,
  };
}

/** Whether the layer has a pixel (user) mask; the 25.0 DOM has no getter, the layer descriptor does. */
async function hasUserMask(ps: PhotoshopApi, layer: SelectedLayer): Promise<boolean> {
  const target = [
    { _property: 'hasUserMask' },
    { _ref: 'layer', _id: layer.layerId },
    { _ref: 'document', _id: layer.documentId },
  ];
  const [reply] = await ps.action.batchPlay([{ _obj: 'get', _target: target }], {});
  return reply?.hasUserMask === true;
}

/** The reads, inside the modal scope. Every PhotoshopImageData is disposed: they hold native memory. */
async function readPixels(ps: PhotoshopApi, layer: SelectedLayer, source: 'selection' | 'layerMask'): Promise<Pixels> {
  const ids = { documentID: layer.documentId, layerID: layer.layerId };
  // applyAlpha mattes transparent pixels on white, so the host gets plain RGB (any alpha stays in the layer).
  const image = await ps.imaging.getPixels({ ...ids, colorSpace: 'RGB', componentSize: 8, applyAlpha: true });
  try {
    const bounds = image.sourceBounds;
    const rgb = await bytesOf(image.imageData);
    const channels = image.imageData.components === 4 ? 4 : 3;
    const first =
      source === 'selection'
        ? await ps.imaging.getSelection({ documentID: layer.documentId, sourceBounds: bounds })
        : await ps.imaging.getLayerMask({ ...ids, kind: 'user', sourceBounds: bounds });
    try {
      const mask = cropInto(bounds, await bytesOf(first.imageData), first.sourceBounds);
      return { rgb, channels, mask, bounds: { ...bounds } };
    } finally {
      await first.imageData.dispose();
    }
  } finally {
    await image.imageData.dispose();
  }
}

async function bytesOf(imageData: PhotoshopImageData): Promise<Uint8Array> {
  const data = await imageData.getData({ chunky: true });
  if (!(data instanceof Uint8Array)) throw new Error(`expected 8-bit pixels, got ${imageData.componentSize}-bit`);
  return data;
}

/**
 * A one-channel image covering `target`, with `source` (covering `sourceBounds`, which Photoshop may have
 * trimmed to where the selection or mask has data) copied in at its place and 0 elsewhere.
 */
function cropInto(target: BoundsApi, source: Uint8Array, sourceBounds: BoundsApi): Uint8Array {
  const width = target.right - target.left;
  const out = new Uint8Array(width * (target.bottom - target.top));
  const sourceWidth = sourceBounds.right - sourceBounds.left;
  const left = Math.max(target.left, sourceBounds.left);
  const right = Math.min(target.right, sourceBounds.right);
  for (let y = Math.max(target.top, sourceBounds.top); y < Math.min(target.bottom, sourceBounds.bottom); y++) {
    const from = (y - sourceBounds.top) * sourceWidth + (left - sourceBounds.left);
    out.set(source.subarray(from, from + (right - left)), (y - target.top) * width + (left - target.left));
  }
  return out;
}
