#!/usr/bin/env node
// Runs the same extension-host suite in desktop VS Code via @vscode/test-electron, for machines
// WITH internet (it downloads VS Code from Microsoft into .vscode-test/). Offline, use run.mjs.
// usage: node scripts/vscode-test/electron.mjs [--workspace DIR] [--vscode-version stable|1.91.0] [--grep RE]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { values: o } = parseArgs({ options: {
  workspace: { type: 'string', default: path.join(root, 'test/fixtures/extension') },
  'vscode-version': { type: 'string', default: process.env.VSCODE_VERSION || 'stable' },
  grep: { type: 'string' },
} });

try {
  const code = await runTests({
    version: o['vscode-version'],
    cachePath: path.join(root, '.vscode-test/electron'),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist/test/extension/suite/index.js'),
    extensionTestsEnv: o.grep ? { KVCMD_TEST_GREP: o.grep } : {},
    launchArgs: [path.resolve(o.workspace), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
  process.exit(code);
} catch (err) {
  console.error(`[vscode-test electron] ${err instanceof Error ? err.message : err}`);
  if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN/.test(String(err))) console.error('[vscode-test electron] no internet: use `npm run test:vscode` (code-server, offline) instead');
  process.exit(1);
}
