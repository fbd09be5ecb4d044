import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { ROOT } from '../helpers';

/** The folders the README's Layout block names, in its order. */
function mapped(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /## Layout\s+```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has a Layout block');
  return block.split('\n').map((l) => /^([\w.-]+)\/\s/.exec(l)?.[1]).filter((x): x is string => !!x);
}

// A newcomer's map: every folder of the repository is in the README's Layout, and nothing there is gone.
test('the README\'s Layout names every folder of the repository, and only those', () => {
  const built = new Set(['node_modules', 'out', 'dist']);
  const folders = fs.readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !built.has(d.name)).map((d) => d.name).sort();
  assert.deepEqual([...mapped()].sort(), folders);
});
