import * as fs from 'fs';
import * as path from 'path';

/** Where the installed onnxruntime-node keeps its native binding, and which version it is. */
export interface OnnxruntimeLocation {
  /** onnxruntime-node's version, e.g. `1.30.0` */
  version: string;
  /** `<package>/bin/napi-v6/<platform>/<arch>`: onnxruntime looks for provider libraries beside its own library here */
  bindingDir: string;
}

/**
 * The installed onnxruntime-node, found the way `require` finds it (so `npm ci` recreating node_modules moves
 * nothing: the same path comes back).
 */
export function onnxruntimeLocation(platform: string = process.platform, arch: string = process.arch): OnnxruntimeLocation {
  const packageJson = require.resolve('onnxruntime-node/package.json');
  const { version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string };
  return { version, bindingDir: path.join(path.dirname(packageJson), 'bin', 'napi-v6', platform, arch) };
}
