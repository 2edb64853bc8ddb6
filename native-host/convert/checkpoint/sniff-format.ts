import { safetensorsHeaderLength } from './safetensors';

/** What a file's first bytes say it is. `hint` describes a recognised non-checkpoint for the message. */
export type SniffedFormat =
  | { readonly kind: 'torch-zip' | 'safetensors' | 'legacy-torch' }
  | { readonly kind: 'foreign'; readonly hint: string };

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Common files users pick by mistake, so the message can say what was chosen. */
const KNOWN_FOREIGN: ReadonlyArray<readonly [readonly number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'it looks like a PNG image'],
  [[0xff, 0xd8, 0xff], 'it looks like a JPEG image'],
  [ascii('GIF8'), 'it looks like a GIF image'],
  [[0x1f, 0x8b], 'it looks like a gzip archive'],
  [ascii('%PDF'), 'it looks like a PDF document'],
];

/** torch < 0.4 wrote a tar whose members are these. */
const LEGACY_TAR_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

/**
 * Identifies a checkpoint format from content, not extension: torch.save zip (`PK\x03\x04`), safetensors
 * (u64 header length then `{`), or the legacy torch.save formats (a raw pickle stream, or a tar).
 */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return { kind: 'torch-zip' };
  }
  // Legacy torch.save (< 1.6 or _use_new_zipfile_serialization=False) is a bare pickle stream: PROTO 2..5.
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return { kind: 'legacy-torch' };
  if (startsWith(bytes, ascii('ustar'), 257)) {
    const first = new TextDecoder().decode(bytes.subarray(0, 100)).replace(/\0.*$/s, '');
    if (LEGACY_TAR_MEMBERS.includes(first)) return { kind: 'legacy-torch' };
    return { kind: 'foreign', hint: 'it looks like a tar archive' };
  }
  if (safetensorsHeaderLength(bytes) !== undefined) return { kind: 'safetensors' };
  for (const [magic, hint] of KNOWN_FOREIGN) if (startsWith(bytes, magic)) return { kind: 'foreign', hint };
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) {
    return { kind: 'foreign', hint: 'it is a web page, so the download probably failed' };
  }
  return { kind: 'foreign', hint: 'unrecognised content' };
}
