import { HostError } from '../errors';

/** Factories for the user-facing mask errors (one line each), built per throw for their own stacks. */
export const MaskErrors = {
  notFound(path: string): HostError {
    return new HostError('MASK_NOT_FOUND', `mask ${path} does not exist; check the path`);
  },
  unreadable(path: string, reason: string): HostError {
    return new HostError('MASK_UNREADABLE', `mask ${path} cannot be read as an image (${reason}); use a PNG`);
  },
  empty(path: string): HostError {
    return new HostError('MASK_EMPTY', `the mask is empty: nothing is selected in ${path}; paint the subject white`);
  },
  aspectMismatch(path: string, mask: { width: number; height: number }, frame: { width: number; height: number }): HostError {
    return new HostError(
      'MASK_ASPECT_MISMATCH',
      `mask ${path} is ${mask.width}×${mask.height} but the video is ${frame.width}×${frame.height}; ` +
        'export the mask from the first frame at the video size',
    );
  },
};
