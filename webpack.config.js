// Builds the UXP panel (plugin/) into one folder per host app, plugin-dist/premierepro and plugin-dist/photoshop,
// and packs each into a .ccx next to it. Both folders hold the same bundle; only manifest.json differs, because a
// release manifest may name a single host (the Marketplace rejects a `host` array; docs/uxp.md §0.1, §2.3).
// manifest.json at the project root is the source of both.
//
// The host port is one build setting, `--env port=N` (default: bridge/protocol.ts's DEFAULT_PORT). It gives both
// the manifest's network domains and the panel's origin (plugin/config.ts, through a DefinePlugin constant), so
// the two cannot disagree. The root manifest.json therefore carries no requiredPermissions.network: JSON has no
// comments to mark a placeholder, and a hard-coded list could drift from the port (the build refuses one).
//
//   npm run build:plugin                                  -> plugin-dist/{premierepro,photoshop}/ and
//                                                            plugin-dist/<id>_<app>.ccx, port 47860
//   npx webpack --mode production --env port=47999        -> the same for a host started with --port 47999
//   npx webpack --mode production --env outDir=/tmp/x     (the build test uses this)
//
// After emit, each folder is checked for browser APIs that UXP lacks (scripts/uxp-api-check.js; the build fails
// naming file:line and the API), then packed (scripts/ccx.js).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');
const CopyPlugin = require('copy-webpack-plugin');
const { UxpApiCheckPlugin } = require('./scripts/uxp-api-check');
const { writeCcx } = require('./scripts/ccx');

/** Runtime modules that UXP and the host app supply: `require`d at run time, never bundled. */
const HOST_MODULES = ['uxp', 'premierepro', 'photoshop', 'fs', 'os', 'path'];

/**
 * One release folder per host app. `manifest` derives that host's manifest from the root one. The Photoshop
 * id gets a suffix so that the two packages never clash on install (bolt-uxp does the same, uxp.md §2.3).
 */
const TARGETS = [
  { dir: 'premierepro', manifest: (source) => source },
  {
    dir: 'photoshop',
    manifest: (source) => ({
      ...source,
      id: `${source.id}_ps`,
      // apiVersion 2 is the current modal-execution model; 25.0 brings imaging + selection (uxp.md §1, §2.2).
      host: { app: 'PS', minVersion: '25.0.0', data: { apiVersion: 2 } },
    }),
  },
];

/** bridge/protocol.ts's DEFAULT_PORT, the port `matanyone serve` listens on without --port. */
function defaultPort() {
  const protocol = fs.readFileSync(path.join(__dirname, 'bridge', 'protocol.ts'), 'utf8');
  const match = /^export const DEFAULT_PORT = (\d+);$/m.exec(protocol);
  if (!match) throw new Error('bridge/protocol.ts: no `export const DEFAULT_PORT = <number>;` to take the host port from');
  return Number(match[1]);
}

/**
 * The host port of this build.
 * @param value - `--env port=N`, or undefined for the default
 */
function hostPort(value) {
  if (value === undefined) return defaultPort();
  const port = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--env port=${value}: expected a port number from 1 to 65535`);
  }
  return port;
}

/**
 * The network domains a panel talking to the host on `port` needs: its HTTP origin (health, previews) and its
 * WebSocket origin (the bridge). UXP matches loopback origins by exact scheme, host and port.
 */
function networkDomains(port) {
  return [`http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`];
}

/**
 * Throws when a release manifest breaks a rule that UXP only reports in the app (or not at all).
 * @param manifest - a parsed manifest.json
 * @param where - what to name in the message
 */
function checkReleaseManifest(manifest, where) {
  const fail = (what) => {
    throw new Error(`${where}: ${what}`);
  };
  if (manifest.manifestVersion !== 5) fail(`manifestVersion is ${manifest.manifestVersion}, expected 5`);
  if (manifest.main !== 'index.html') fail(`main is '${manifest.main}', expected 'index.html' (what this build emits)`);
  if (Array.isArray(manifest.host) || typeof manifest.host !== 'object' || manifest.host === null) {
    fail('host must be one object per release manifest, not an array');
  }
  const domains = manifest.requiredPermissions?.network?.domains;
  if (!Array.isArray(domains)) fail('requiredPermissions.network.domains must list the host origins');
  // UXP matches loopback origins by exact scheme, host and port; `*` ports fail with "Manifest entry not found".
  for (const domain of domains) {
    if (!/^(https?|wss?):\/\/[^/*:]+:\d+$/.test(domain)) {
      fail(`network domain '${domain}' needs a scheme and an exact port`);
    }
  }
  if (!manifest.entrypoints?.some((entry) => entry.type === 'panel')) fail('no panel entrypoint');
}

/**
 * A host's release manifest: the root manifest, that host's changes, and the network domains for `port`.
 * @param target - an entry of TARGETS
 * @param source - the parsed root manifest.json
 * @param port - the host port of this build
 */
function releaseManifest(target, source, port) {
  if (source.requiredPermissions?.network !== undefined) {
    throw new Error(
      'manifest.json: remove requiredPermissions.network; the build writes the domains for the host port (--env port=N)',
    );
  }
  const manifest = target.manifest(source);
  return {
    ...manifest,
    requiredPermissions: { network: { domains: networkDomains(port) }, ...manifest.requiredPermissions },
  };
}

/**
 * After emit (and after UxpApiCheckPlugin, registered before it), packs the output folder into
 * `<outRoot>/<id>_<app>.ccx`, the name UDT's Package gives it. When the build has errors, nothing is packed and
 * the .ccx of an earlier build is removed, so that no stale package is left to install.
 */
class CcxPlugin {
  constructor(outRoot, manifest) {
    this.ccx = path.join(outRoot, `${manifest.id}_${manifest.host.app}.ccx`);
  }

  apply(compiler) {
    compiler.hooks.afterEmit.tap('CcxPlugin', (compilation) => {
      if (compilation.getErrors().length > 0) {
        fs.rmSync(this.ccx, { force: true });
        return;
      }
      try {
        writeCcx(compiler.outputPath, this.ccx);
      } catch (error) {
        fs.rmSync(this.ccx, { force: true });
        compilation.errors.push(new compiler.webpack.WebpackError(`${this.ccx}: ${error.message}`));
      }
    });
  }
}

/**
 * @param env - `--env port=N`: the host port (default bridge/protocol.ts's DEFAULT_PORT); `--env outDir=...` puts
 *   the host folders and .ccx files under another directory (default plugin-dist)
 * @param argv - webpack-cli arguments; `--mode development` keeps the same layout
 */
module.exports = (env = {}, argv = {}) => {
  const outRoot = path.resolve(__dirname, env.outDir || 'plugin-dist');
  const port = hostPort(env.port);
  const sourceManifest = JSON.parse(fs.readFileSync(path.join(__dirname, 'manifest.json'), 'utf8'));
  const manifests = TARGETS.map((target) => releaseManifest(target, sourceManifest, port));
  TARGETS.forEach((target, index) => checkReleaseManifest(manifests[index], `${target.dir}/manifest.json`));

  return TARGETS.map((target, index) => ({
    name: target.dir,
    mode: argv.mode || 'production',
    context: __dirname,
    target: 'web',
    entry: './plugin/index.ts',
    output: { path: path.join(outRoot, target.dir), filename: 'index.js', clean: true },
    // A separate .map file: eval-based maps would need allowCodeGenerationFromStrings (uxp.md §8.2).
    devtool: 'source-map',
    // Readable output for UDT debugging, plugin review and the UXP API check, as Adobe's Premiere sample does.
    optimization: { minimize: false },
    // The panel loads from disk, not over a network: webpack's bundle-size advice (zod is most of the bundle) is noise.
    performance: { hints: false },
    resolve: { extensions: ['.ts', '.js'] },
    externals: Object.fromEntries(HOST_MODULES.map((name) => [name, `commonjs2 ${name}`])),
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2020' }, sourceMaps: true },
          },
        },
      ],
    },
    plugins: [
      // UXP loads index.js with a plain <script>: keep everything in one chunk.
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      // plugin/config.ts reads the port from this constant (and falls back to the default outside webpack).
      new webpack.DefinePlugin({ __MATANYONE_HOST_PORT__: JSON.stringify(port) }),
      new CopyPlugin({
        patterns: [
          { from: 'plugin/ui/index.html', to: 'index.html' },
          {
            from: 'manifest.json',
            to: 'manifest.json',
            transform: (content) => {
              const manifest = releaseManifest(target, JSON.parse(content.toString('utf8')), port);
              checkReleaseManifest(manifest, `${target.dir}/manifest.json`);
              return `${JSON.stringify(manifest, null, 2)}\n`;
            },
          },
        ],
      }),
      // Both after emit, in this order: a bundle that fails the API check is not packed.
      new UxpApiCheckPlugin(),
      new CcxPlugin(outRoot, manifests[index]),
    ],
  }));
};

