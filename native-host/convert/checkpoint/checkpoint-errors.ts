import { HostError } from '../../errors';

/**
 * What is wrong with a file, as seen by a low-level reader that does not know the file's name:
 * - `corrupt`: it is the right kind of file but damaged (cut short, offsets past the end);
 * - `foreign`: it is not a checkpoint at all;
 * - `unsupported`: a checkpoint using a feature this loader does not read (quantised tensors, exotic dtypes).
 */
export type FormatProblem = 'corrupt' | 'foreign' | 'unsupported';

/**
 * Thrown by the readers (zip, pickle, safetensors); `parseCheckpoint` turns it into a {@link HostError}
 * that names the file. `detail` is a lower-case clause without a trailing period.
 */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
  constructor(
    readonly problem: FormatProblem,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Reader-side shorthand: the file is damaged. */
export function corrupt(detail: string): CheckpointFormatError {
  return new CheckpointFormatError('corrupt', detail);
}

/** Reader-side shorthand: the file is not a checkpoint. */
export function foreign(detail: string): CheckpointFormatError {
  return new CheckpointFormatError('foreign', detail);
}

/** Reader-side shorthand: a checkpoint, but one that uses something this loader cannot read. */
export function unsupported(detail: string): CheckpointFormatError {
  return new CheckpointFormatError('unsupported', detail);
}

/**
 * Factories for the user-facing errors (one line each: what is wrong, then what to do). Built per throw so
 * that each has its own stack.
 */
export const CheckpointErrors = {
  notFound(path: string, reason = 'does not exist'): HostError {
    return new HostError('CHECKPOINT_NOT_FOUND', `checkpoint ${path} ${reason}; check the path`);
  },
  legacyFormat(name: string): HostError {
    return new HostError(
      'CHECKPOINT_LEGACY_FORMAT',
      `${name} uses the legacy (pre-1.6, non-zip) torch.save format; re-save it with a current PyTorch ` +
        '(torch.save(torch.load(f), g)) and use the new file',
    );
  },
  corrupt(name: string, detail: string): HostError {
    return new HostError('CHECKPOINT_CORRUPT', `${name} is truncated or corrupt (${detail}); download it again`);
  },
  foreign(name: string, detail: string): HostError {
    return new HostError(
      'CHECKPOINT_FOREIGN',
      `${name} is not a PyTorch (.pth) or safetensors checkpoint (${detail}); choose the model's checkpoint file`,
    );
  },
  unsupported(name: string, detail: string): HostError {
    return new HostError('CHECKPOINT_FOREIGN', `${name} cannot be read: ${detail}`);
  },
  notMatAnyone(name: string, detail: string): HostError {
    return new HostError(
      'CHECKPOINT_FOREIGN',
      `${name} is not a MatAnyone checkpoint: ${detail}; use matanyone.pth or matanyone2.pth`,
    );
  },
  /** Maps a reader's {@link CheckpointFormatError} onto the user-facing error for file `name`. */
  fromFormatError(name: string, e: CheckpointFormatError): HostError {
    switch (e.problem) {
      case 'corrupt':
        return CheckpointErrors.corrupt(name, e.detail);
      case 'foreign':
        return CheckpointErrors.foreign(name, e.detail);
      case 'unsupported':
        return CheckpointErrors.unsupported(name, e.detail);
    }
  },
};
