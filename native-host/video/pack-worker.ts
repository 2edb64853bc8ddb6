import { parentPort } from 'worker_threads';
import { rgbAlphaToYuva444p10Into } from './ycbcr';

/** One band of a frame for the pack pool: pixels [from, to) of shared buffers. */
export interface PackBand {
  id: number;
  rgb: SharedArrayBuffer;
  alpha: SharedArrayBuffer;
  out: SharedArrayBuffer;
  from: number;
  to: number;
}

parentPort?.on('message', (band: PackBand) => {
  rgbAlphaToYuva444p10Into(new Uint8Array(band.rgb), new Float32Array(band.alpha), new Uint16Array(band.out), band.from, band.to);
  parentPort!.postMessage(band.id);
});
