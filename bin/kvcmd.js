#!/usr/bin/env node
// Thin launcher: the CLI is compiled to out/ by `npm run build` (run by `npm install` via prepare).
require('../out/cli/main.js').main(process.argv.slice(2)).then((code) => {
  // Exit once stdout is flushed, even if something still holds the event loop open.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
