/** A FileStore on disk (Node only, so kept apart from uxp.ts, which is also bundled for a browser page). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileStore } from './uxp';

/**
 * The plugin temp folder as a real directory, so that files the adapter writes can be read by a host process
 * and the other way round.
 * @param rootPath - the directory; default a new one under the OS temp dir (the caller removes it)
 */
export function diskFileStore(rootPath = fs.mkdtempSync(path.join(os.tmpdir(), 'uxp-plugin-temp-'))): FileStore {
  const full = (name: string) => path.join(rootPath, ...name.split('/'));
  return {
    rootPath,
    read: (name) => (fs.existsSync(full(name)) ? new Uint8Array(fs.readFileSync(full(name))) : undefined),
    write: (name, bytes) => {
      fs.mkdirSync(path.dirname(full(name)), { recursive: true });
      fs.writeFileSync(full(name), bytes);
    },
  };
}
