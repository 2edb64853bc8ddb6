// Bundles the fake `uxp` and `premierepro` modules for a browser page (test/fakes/browser-premiere.ts): one
// classic script that installs globalThis.require before the panel's index.js runs.
//
//   npx webpack --config test/fakes/webpack.fakes.config.js --env outDir=/tmp/fakes   -> /tmp/fakes/fakes.js
'use strict';

const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

/** @param env - `--env outDir=...`: where fakes.js goes (default dist/fakes/, which git ignores) */
module.exports = (env = {}) => ({
  name: 'fakes',
  mode: 'production',
  context: ROOT,
  target: 'web',
  entry: './test/fakes/browser-premiere.ts',
  output: { path: path.resolve(env.outDir || path.join(ROOT, 'dist', 'fakes')), filename: 'fakes.js', clean: true },
  // No eval-based source maps: the test page forbids code from strings, as UXP does.
  devtool: false,
  optimization: { minimize: false },
  performance: { hints: false },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: { loader: 'swc-loader', options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2020' } } },
      },
    ],
  },
});
