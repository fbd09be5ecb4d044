// The house has no import cycles: no source file reaches itself through its relative imports,
// whatever their form (type-only imports count: a cycle of types is still a knot to untie).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { ROOT, codeOnly, findCycles, importGraph, importsOf, sourceFolders, tsFiles } from './importGraph';

const graphOf = (edges: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(edges));

test('the cycle finder finds each cycle once, as its shortest loop, and nothing in a graph without one', () => {
  const cycles = findCycles(graphOf({
    a: ['b'], b: ['c', 'x'], c: ['a', 'd'], d: [], // a -> b -> c -> a, with a way out to d
    x: ['y'], y: ['x', 'z'], z: ['y'], // one component x, y, z: reported once, through x
    self: ['self'],
  }));
  assert.deepEqual(cycles, [['a', 'b', 'c', 'a'], ['self', 'self'], ['x', 'y', 'x']]);
  assert.deepEqual(findCycles(graphOf({ a: ['b', 'c'], b: ['c'], c: [], d: ['a'] })), []);
});

test('the import reader sees every form of import, and none in comments or template text', () => {
  const source = [
    "import { a } from './a';",
    "import type { B } from './b';",
    'import {',
    '  C,',
    "} from './c.js';",
    "export * from './d';",
    "export { type E } from './e';",
    "import './f';",
    "const g = () => import('./g.js');",
    "const h = require('./h');",
    "// import { old } from './commented';",
    "/* export * from './block'; */",
    "const generated = `import { x } from './inTemplate'; ${'./notImported'.length}`;",
    "const re = /['`]/g;",
    "import { i } from './i'; // after a regex holding quotes",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['./a', './b', './c.js', './d', './e', './f', './g.js', './h', './i']);
  assert.equal(codeOnly('a /* x\ny */ b').split('\n').length, 2, 'newlines are kept');
  assert.throws(() => codeOnly('const s = `never closed'));
});

test('no import cycle among the source folders', () => {
  const folders = sourceFolders();
  for (const f of ['language', 'lsp', 'protocol']) assert.ok(folders.includes(f), `${f} is read (found: ${folders.join(', ')})`);
  assert.ok(!folders.includes('test'));
  const files = folders.flatMap((f) => tsFiles(path.join(ROOT, f)));
  const graph = importGraph(files);
  const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
  assert.ok(edges > files.length / 2, `only ${edges} imports among ${files.length} files: the reader is broken`);
  const cycles = findCycles(graph);
  assert.deepEqual(cycles.map((c) => c.join(' -> ')), [], `import cycles among ${folders.join(', ')}`);
});

// The floors of the house, from the ground up: a folder may import its own floor and those below,
// never one above (the pure protocol and the language at the bottom, editors and commands on top).
const FLOORS: readonly (readonly string[])[] = [
  ['protocol', 'language'],
  ['record'],
  ['cluster', 'check', 'diagram'],
  ['debug', 'lsp', 'testing', 'explore', 'compare'],
  // The conformance kit runs scripts as tests (testing/) against foreign nodes (cluster/).
  ['conform'],
  ['cli', 'extension', 'bench'],
];

test('no import runs up a floor: every folder imports only its own floor and those below', () => {
  const floorOf = new Map(FLOORS.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const folders = sourceFolders();
  for (const f of folders) assert.ok(floorOf.has(f), `${f}/ has no floor in this test: place it`);
  const graph = importGraph(folders.flatMap((f) => tsFiles(path.join(ROOT, f))));
  const up: string[] = [];
  for (const [from, targets] of graph) {
    const a = from.split(/[\\/]/)[0];
    for (const to of targets) {
      const b = to.split(/[\\/]/)[0];
      if ((floorOf.get(b) ?? 0) > (floorOf.get(a) ?? 0)) up.push(`${from} -> ${to}`);
    }
  }
  assert.deepEqual(up, []);
});
