#!/usr/bin/env node
'use strict';
// The CLI is TypeScript compiled to dist/ by `npm run build` (run by `npm install` via `prepare`).
let cli;
try {
  cli = require('../dist/native-host/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/native-host/cli/main.js')) {
    process.stderr.write('matanyone: the CLI is not built yet; run `npm run build` in the project folder\n');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
