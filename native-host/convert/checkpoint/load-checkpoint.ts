import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HostError } from '../../errors';
import { CheckpointErrors, CheckpointFormatError, corrupt, unsupported } from './checkpoint-errors';
import { parseSafetensors } from './safetensors';
import { sniffFormat } from './sniff-format';
import type { StateDict } from './tensor';
import { parseTorchZip } from './torch-zip';

/** Why `readFileSync` failed, in words, for the errno codes a user can act on. */
function readFailure(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ERR_FS_FILE_TOO_LARGE':
      return 'is too large to read (over 2 GiB)';
    default:
      return `cannot be read (${code ?? 'unknown error'})`;
  }
}

/**
 * Reads a checkpoint file: a .pth/.pt (torch.save zip) or a .safetensors file, detected by content (not
 * extension). A state dict nested under `model` or `state_dict` (training checkpoints) is unwrapped.
 *
 * @param path - the checkpoint file
 * @returns tensor name to tensor, in file order (see {@link parseCheckpoint} for aliasing)
 * @throws HostError `CHECKPOINT_NOT_FOUND` when the file cannot be read, and the codes of
 * {@link parseCheckpoint}
 * @example
 * ```ts
 * const sd = loadCheckpoint('/models/matanyone.pth');
 * sd.get('pixel_encoder.conv1.weight'); // { dtype: 'float32', shape: [64, 3, 7, 7], data: Float32Array }
 * ```
 */
export function loadCheckpoint(path: string): StateDict {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw CheckpointErrors.notFound(path, readFailure((e as NodeJS.ErrnoException).code));
  }
  return parseCheckpoint(bytes, basename(path));
}

/**
 * Parses checkpoint bytes (torch.save zip or safetensors, detected by content).
 *
 * @param bytes - the whole file; tensors may be zero-copy views into it, so do not reuse the buffer
 * @param name - the file name, for messages
 * @returns tensor name to tensor, in file order
 * @throws HostError with a one-line message naming the file: `CHECKPOINT_LEGACY_FORMAT` for the pre-1.6
 * torch.save format, `CHECKPOINT_CORRUPT` for a truncated or damaged file, `CHECKPOINT_FOREIGN` for a
 * file that is not a checkpoint (or uses features this loader does not read). Nothing else escapes.
 */
export function parseCheckpoint(bytes: Uint8Array, name: string): StateDict {
  try {
    if (bytes.length === 0) throw corrupt('the file is empty');
    const format = sniffFormat(bytes);
    let stateDict: StateDict;
    switch (format.kind) {
      case 'legacy-torch':
        throw CheckpointErrors.legacyFormat(name);
      case 'foreign':
        throw CheckpointErrors.foreign(name, format.hint);
      case 'torch-zip':
        stateDict = parseTorchZip(bytes);
        break;
      case 'safetensors':
        stateDict = parseSafetensors(bytes);
        break;
    }
    if (stateDict.size === 0) throw unsupported('it contains no tensors');
    return stateDict;
  } catch (e) {
    if (e instanceof HostError) throw e;
    if (e instanceof CheckpointFormatError) throw CheckpointErrors.fromFormatError(name, e);
    // Anything else comes from parsing malformed bytes (pickleparser, DataView bounds): a damaged file.
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw CheckpointErrors.corrupt(name, `its data cannot be parsed: ${why}`);
  }
}
