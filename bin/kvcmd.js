#!/usr/bin/env node
// Thin launcher: the CLI is compiled to out/ by `npm run build` (run by `npm install` via prepare).
let finished = false;
process.on('exit', (code) => {
  // The event loop ran dry before the command finished: never report that as success.
  if (!finished && code === 0) {
    process.stderr.write('kvcmd: internal error: the run stopped before it finished\n');
    process.exitCode = 1;
  }
});
require('../out/cli/main.js').main(process.argv.slice(2)).then((code) => {
  // Exit once stdout is flushed, even if something still holds the event loop open.
  finished = true;
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
