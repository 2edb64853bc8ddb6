/**
 * The part of `require('uxp').storage` the adapters use: the plugin's temp folder and binary files. Declared
 * here because @adobe/cc-ext-uxp-types 7.3.1 leaves it out or untyped: `storage.localFileSystem` is missing,
 * folder methods return `any`, and File has no `nativePath` (uxp.md §7.2 and the UXP docs have all three).
 */

/** A file in the plugin's temp folder. */
export interface UxpFileApi {
  /** The OS path, for the host process to open. */
  readonly nativePath: string;
  /** With `formats.binary` it resolves an ArrayBuffer. */
  read(options: { format: symbol }): Promise<ArrayBuffer | string>;
  /** Binary data must be a whole ArrayBuffer and come with `formats.binary`; resolves the bytes written. */
  write(data: ArrayBuffer | string, options: { format: symbol; append?: boolean }): Promise<number>;
}

export interface UxpFolderApi {
  readonly nativePath: string;
  createFile(name: string, options: { overwrite?: boolean }): Promise<UxpFileApi>;
  /** Rejects when there is no entry of that name. */
  getEntry(name: string): Promise<UxpFileApi>;
}

export interface UxpStorageApi {
  localFileSystem: { getTemporaryFolder(): Promise<UxpFolderApi> };
  formats: { readonly binary: symbol; readonly utf8: symbol };
}
