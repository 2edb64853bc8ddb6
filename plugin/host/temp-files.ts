/**
 * Raw buffers in the plugin's temp folder: how pixels reach the host and alphas come back without base64 in
 * JSON (uxp.md §5, §7.3). With the "plugin" file permission the panel may only touch its own folders, so a path
 * the host hands back must lie inside the temp folder.
 */
import type { UxpStorageApi } from './uxp-api';

/**
 * Writes `bytes` as the file `name` in the temp folder, replacing any file of that name.
 * @returns the file's native path, for the host
 */
export async function writeTempFile(storage: UxpStorageApi, name: string, bytes: Uint8Array): Promise<string> {
  const folder = await storage.localFileSystem.getTemporaryFolder();
  const file = await folder.createFile(name, { overwrite: true });
  // write() takes a whole ArrayBuffer; a view may cover only part of a bigger one, so copy its bytes out.
  await file.write(bytes.slice().buffer, { format: storage.formats.binary });
  return file.nativePath;
}

/**
 * Reads a file of the temp folder, given its native path.
 * @throws Error when the path is outside the temp folder or the file is missing
 */
export async function readTempFile(storage: UxpStorageApi, nativePath: string): Promise<Uint8Array> {
  const folder = await storage.localFileSystem.getTemporaryFolder();
  const name = pathInside(folder.nativePath, nativePath);
  if (name === undefined) throw new Error(`${nativePath} is not in the plugin's temp folder ${folder.nativePath}`);
  const data = await (await folder.getEntry(name)).read({ format: storage.formats.binary });
  if (typeof data === 'string') throw new Error(`${nativePath} was read as text, not bytes`);
  return new Uint8Array(data);
}

/** `path` relative to `folder` with forward slashes, or undefined when it is not inside. */
function pathInside(folder: string, path: string): string | undefined {
  const normal = (value: string) => value.replace(/\\/g, '/').replace(/\/+$/, '');
  const root = `${normal(folder)}/`;
  const full = normal(path);
  return full.startsWith(root) && full.length > root.length ? full.slice(root.length) : undefined;
}
