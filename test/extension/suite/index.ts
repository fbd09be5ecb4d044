// Mocha runner for the extension-host tests. VS Code (code-server via scripts/vscode-test/run.mjs,
// or desktop via scripts/vscode-test/electron.mjs) loads the bundled copy of this file
// (dist/test/extension/suite/index.js) as `extensionTestsPath` and awaits `run()`.
// Environment: KVCMD_TEST_GREP filters tests by title; KVCMD_TEST_TIMEOUT (ms) per test.
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function run(): Promise<void> {
  // mocha 12 is ESM-only at its root; its CommonJS build loads on every Node an extension host has.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha: typeof import('mocha') = require('mocha/lib/mocha.cjs');
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.KVCMD_TEST_TIMEOUT) || 30_000,
    ...(process.env.KVCMD_TEST_GREP ? { grep: process.env.KVCMD_TEST_GREP } : {}),
  });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${__dirname}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
