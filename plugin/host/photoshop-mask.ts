import { PanelError, type SelectedLayer, type StillForMatte } from './host-adapter';
import type { PhotoshopApi } from './photoshop-api';
import { readTempFile } from './temp-files';
import type { UxpStorageApi } from './uxp-api';

/** The history step (and progress label) of the mask write. */
export const MASK_COMMAND = 'Matte Subject';

/**
 * See PhotoshopAdapter.writeLayerMask. History is suspended around the write so that the History panel shows one
 * "Matte Subject" step, whether or not Photoshop counts creating the mask as a step of its own.
 */
export async function writeLayerMask(
  ps: PhotoshopApi,
  storage: UxpStorageApi,
  layer: SelectedLayer,
  alphaPath: string,
  still: StillForMatte,
): Promise<void> {
  const alpha = await readTempFile(storage, alphaPath);
  const { width, height } = still.image;
  if (alpha.length !== width * height) {
    throw new Error(`${alphaPath} holds ${alpha.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
  try {
    await ps.core.executeAsModal(
      async ({ hostControl }) => {
        const suspension = await hostControl.suspendHistory({ documentID: layer.documentId, name: MASK_COMMAND });
        let written = false;
        try {
          const imageData = await ps.imaging.createImageDataFromBuffer(alpha, {
            width,
            height,
            components: 1,
            chunky: false,
            colorSpace: 'Grayscale',
            colorProfile: 'Gray Gamma 2.2',
          });
          try {
            await ps.imaging.putLayerMask({
              documentID: layer.documentId,
              layerID: layer.layerId,
              kind: 'user',
              imageData,
              replace: true,
              targetBounds: { left: still.left, top: still.top, width, height },
              commandName: MASK_COMMAND,
            });
            written = true;
          } finally {
            await imageData.dispose();
          }
        } finally {
          // commit false drops a half-done write: the document returns to its state before the suspension.
          await hostControl.resumeHistory({ ...suspension, finalName: MASK_COMMAND }, written);
        }
      },
      { commandName: MASK_COMMAND },
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PanelError(
      'PLACE_FAILED',
      `Photoshop could not write the mask on "${layer.name}" (${reason}); the matte is saved at ${alphaPath}.`,
      { cause: error },
    );
  }
}
