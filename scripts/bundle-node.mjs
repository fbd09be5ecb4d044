// Bundles the node processes' entry, out/cluster/nodeMain.js (tsc's output) with everything it
// requires, into one file: out/cluster/nodeMain.bundle.js. A node process then loads one file
// instead of ~50 modules, which cut its boot by about a quarter (docs/protocol.md, "Processes").
// ProcessHost uses the bundle only while it is not older than nodeMain.js: after a plain `tsc`
// it falls back to nodeMain.js. Without esbuild (a production install) this does nothing.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const entry = path.join(root, 'out', 'cluster', 'nodeMain.js');
const outfile = path.join(root, 'out', 'cluster', 'nodeMain.bundle.js');

if (!existsSync(entry)) {
  console.error(`bundle-node: ${path.relative(root, entry)} is missing: run tsc first`);
  process.exit(1);
}
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('bundle-node: esbuild is not installed; node processes load out/cluster/nodeMain.js');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root,
});
// Not older than its entry, or ProcessHost would take it for stale.
if (statSync(outfile).mtimeMs < statSync(entry).mtimeMs) throw new Error('bundle-node: the bundle is older than its entry');
