// Bundles the VS Code extension and what it starts, into dist/ (CommonJS, Node platform):
//   extension/extension.ts          -> dist/extension.js   (the extension; `vscode` stays external)
//   lsp/languageServer.ts             -> dist/languageServer.js      (language server, if present)
//   cluster/nodeMain.ts          -> dist/nodeMain.js    (cluster child-process entry, if present)
//   cluster/externalNodeMain.ts, cluster/reaper.ts -> dist/ (kvcmd's own node as a program, the reaper: runs with foreign nodes)
//   test/extension/suite/*.ts       -> dist/test/extension/suite/*.js (extension-host test suite)
// Dependencies are inlined, so the packaged .vsix needs no node_modules.
// usage: node esbuild.mjs [--watch] [--production] [--no-tests | --tests-only]
//   --tests-only rebuilds just dist/test/ and leaves the rest of dist/ alone (e.g. after `npm run package`).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const argv = new Set(process.argv.slice(2));
const watch = argv.has('--watch'), production = argv.has('--production'), tests = !argv.has('--no-tests');
const testsOnly = argv.has('--tests-only');
const at = (p) => path.join(root, p);

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: production ? false : 'linked', minify: production, logLevel: 'warning',
  external: ['vscode'], absWorkingDir: root,
};

const runtime = [
  ['extension/extension.ts', 'extension'],
  ['lsp/languageServer.ts', 'languageServer'],
  ['cluster/nodeMain.ts', 'nodeMain'],
  // A run with foreign nodes (cluster/commandHost.ts) starts these beside the extension.
  ['cluster/externalNodeMain.ts', 'externalNodeMain'],
  ['cluster/reaper.ts', 'reaper'],
].filter(([src]) => existsSync(at(src))).map(([src, out]) => ({ in: src, out }));
if (!runtime.some((e) => e.out === 'extension')) throw new Error('extension/extension.ts is missing');

const configs = testsOnly ? [] : [{ ...common, entryPoints: runtime, outdir: at('dist') }];

if (tests && existsSync(at('test/extension/suite/index.ts'))) {
  // Every file of the suite is its own entry, so the mocha runner (index.js) can discover
  // *.test.js files at run time; mocha itself is loaded from node_modules (not packaged).
  const dir = 'test/extension/suite';
  const entries = readdirSync(at(dir)).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => ({ in: `${dir}/${f}`, out: f.replace(/\.ts$/, '') }));
  configs.push({ ...common, entryPoints: entries, outdir: at('dist/test/extension/suite'),
    external: ['vscode', 'mocha'], sourcemap: 'inline', minify: false });
}

if (!watch) rmSync(at(testsOnly ? 'dist/test' : 'dist'), { recursive: true, force: true });
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
  console.log('[esbuild] watching…');
} else {
  const t0 = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  const built = [...(testsOnly ? [] : runtime.map((e) => e.out)), ...(configs.length > (testsOnly ? 0 : 1) ? ['test suite'] : [])];
  console.log(`[esbuild] ${built.join(', ')} in ${Date.now() - t0} ms`);
}
