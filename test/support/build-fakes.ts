import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PROJECT_ROOT } from './cli';

const run = promisify(execFile);

/**
 * Builds the fake `uxp` / `premierepro` modules for a browser page (test/fakes/browser-premiere.ts) with
 * webpack, target web.
 * @param outDir - where to put fakes.js (default: a new temp dir, which the caller removes)
 * @returns the path of fakes.js: load it before the panel's index.js, after setting
 *   globalThis.__FAKE_PREMIERE_SCENARIO__ (see test/fakes/premiere/scenario-json.ts)
 */
export async function buildBrowserFakes(outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakes-'))): Promise<string> {
  const webpackCli = require.resolve('webpack-cli/bin/cli.js', { paths: [PROJECT_ROOT] });
  const config = path.join(PROJECT_ROOT, 'test/fakes/webpack.fakes.config.js');
  await run(process.execPath, [webpackCli, '--config', config, '--env', `outDir=${outDir}`], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 << 20,
  });
  return path.join(outDir, 'fakes.js');
}
