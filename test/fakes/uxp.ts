/**
 * A fake `uxp` module: `host` and the part of `storage` the adapters use (the plugin temp folder, binary
 * files), with UXP's rules: binary data is a whole ArrayBuffer written with `formats.binary`, createFile will not
 * overwrite unless told to, getEntry rejects a missing file. Files live in a FileStore: in memory (works in a
 * browser page) or on disk (test/fakes/disk-file-store.ts, so that a real host process can read them).
 */
import type { UxpFileApi, UxpFolderApi, UxpStorageApi } from '../../plugin/host/uxp-api';

/** Where the temp folder's files are kept. Names are relative to the folder, with forward slashes. */
export interface FileStore {
  /** the folder's native path */
  readonly rootPath: string;
  read(name: string): Uint8Array | undefined;
  write(name: string, bytes: Uint8Array): void;
}

/** A FileStore in memory, for a browser page or a test that only needs the adapter's view. */
export function memoryFileStore(rootPath = '/fake-uxp/plugin-temp'): FileStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    rootPath,
    files,
    read: (name) => files.get(name)?.slice(),
    write: (name, bytes) => void files.set(name, bytes.slice()),
  };
}

export interface FakeUxp {
  host: { name: string; version: string; uiLocale: string };
  storage: UxpStorageApi & {
    localFileSystem: UxpStorageApi['localFileSystem'] & {
      /** the user's file picker: this fake's user always cancels */
      getFileForOpening(options?: object): Promise<null>;
    };
  };
}

const formats = { binary: Symbol('binary'), utf8: Symbol('utf8') } as const;

/**
 * @param options.hostName - uxp.host.name: "premierepro" or "Photoshop" as the apps report it
 * @example
 * const uxp = createFakeUxp({ hostName: 'Photoshop', files: memoryFileStore() });
 */
export function createFakeUxp(options: { hostName: string; files?: FileStore; version?: string }): FakeUxp {
  const folder = new FakeFolder(options.files ?? memoryFileStore());
  return {
    host: { name: options.hostName, version: options.version ?? '26.3.0', uiLocale: 'en_US' },
    storage: {
      localFileSystem: {
        getTemporaryFolder: async () => folder,
        getFileForOpening: async () => null,
      },
      formats,
    },
  };
}

class FakeFolder implements UxpFolderApi {
  constructor(private readonly store: FileStore) {}

  get nativePath(): string {
    return this.store.rootPath;
  }

  /** A file entry only; the file itself appears on the first write (UXP docs). */
  async createFile(name: string, options: { overwrite?: boolean } = {}): Promise<UxpFileApi> {
    if (this.store.read(name) && !options.overwrite) throw new Error(`${name} exists (pass overwrite: true)`);
    return new FakeFile(this.store, name);
  }

  async getEntry(name: string): Promise<UxpFileApi> {
    if (!this.store.read(name)) throw new Error(`no entry "${name}" in ${this.store.rootPath}`);
    return new FakeFile(this.store, name);
  }
}

class FakeFile implements UxpFileApi {
  constructor(
    private readonly store: FileStore,
    private readonly name: string,
  ) {}

  get nativePath(): string {
    return `${this.store.rootPath}/${this.name}`;
  }

  async read(options: { format?: symbol } = {}): Promise<ArrayBuffer | string> {
    const bytes = this.store.read(this.name);
    if (!bytes) throw new Error(`${this.nativePath} does not exist`);
    if (options.format === formats.binary) return bytes.slice().buffer;
    return new TextDecoder().decode(bytes);
  }

  async write(data: ArrayBuffer | string, options: { format?: symbol; append?: boolean } = {}): Promise<number> {
    let bytes: Uint8Array;
    if (typeof data === 'string') {
      if (options.format === formats.binary) throw new Error('a string is written with formats.utf8');
      bytes = new TextEncoder().encode(data);
    } else {
      // UXP takes an ArrayBuffer, not a view (types: string | ArrayBuffer), and binary data needs formats.binary.
      if (Object.prototype.toString.call(data) !== '[object ArrayBuffer]') {
        throw new Error('write takes an ArrayBuffer, not a typed array');
      }
      if (options.format !== formats.binary) throw new Error('binary data needs { format: formats.binary }');
      bytes = new Uint8Array(data);
    }
    const before = options.append ? (this.store.read(this.name) ?? new Uint8Array()) : new Uint8Array();
    const next = new Uint8Array(before.length + bytes.length);
    next.set(before);
    next.set(bytes, before.length);
    this.store.write(this.name, next);
    return bytes.length;
  }
}
