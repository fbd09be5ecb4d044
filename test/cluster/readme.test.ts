import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers';

// The README's example script prints what its comments say, through real processes.
test('the README example prints what its comments promise', async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const script = /## A script\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(script, 'the README has a script block');
  const promised = [...script.matchAll(/#\s+(\S+:\S+)/g)].map((m) => m[1]);
  assert.ok(promised.length >= 3);
  const file = path.join(ROOT, 'out', 'readme-example.kvcmd');
  fs.writeFileSync(file, script);
  const r = await runCli(['run', file, '--seed', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), promised);
});
