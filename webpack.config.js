// Builds the UXP panel (plugin/) into one folder per host app: plugin-dist/premierepro and plugin-dist/photoshop.
// Both folders hold the same bundle; only manifest.json differs, because a release manifest may name a single
// host (the Marketplace rejects a `host` array; docs/uxp.md §0.1, §2.3). manifest.json at the project root is
// the Premiere manifest and the source of the Photoshop one.
//
//   npm run build:plugin                       -> plugin-dist/
//   npx webpack --mode production --env outDir=/tmp/x   (the build test uses this)
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');
const CopyPlugin = require('copy-webpack-plugin');

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
 * @param env - `--env outDir=...` puts the host folders under another directory (default plugin-dist)
 * @param argv - webpack-cli arguments; `--mode development` keeps the same layout
 */
module.exports = (env = {}, argv = {}) => {
  const outRoot = path.resolve(__dirname, env.outDir || 'plugin-dist');
  const sourceManifest = JSON.parse(fs.readFileSync(path.join(__dirname, 'manifest.json'), 'utf8'));
  checkReleaseManifest(sourceManifest, 'manifest.json');

  return TARGETS.map((target) => ({
    name: target.dir,
    mode: argv.mode || 'production',
    context: __dirname,
    target: 'web',
    entry: './plugin/index.ts',
    output: { path: path.join(outRoot, target.dir), filename: 'index.js', clean: true },
    // A separate .map file: eval-based maps would need allowCodeGenerationFromStrings (uxp.md §8.2).
    devtool: 'source-map',
    // Readable output for UDT debugging and plugin review, as Adobe's Premiere sample does; the bundle is tiny.
    optimization: { minimize: false },
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
      new CopyPlugin({
        patterns: [
          { from: 'plugin/ui/index.html', to: 'index.html' },
          {
            from: 'manifest.json',
            to: 'manifest.json',
            transform: (content) => {
              const manifest = target.manifest(JSON.parse(content.toString('utf8')));
              checkReleaseManifest(manifest, `${target.dir}/manifest.json`);
              return `${JSON.stringify(manifest, null, 2)}\n`;
            },
          },
        ],
      }),
    ],
  }));
};
