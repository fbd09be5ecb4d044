// The packaged extension (kvcmd.vsix) holds every bundle esbuild.mjs builds for run time: the
// .vscodeignore allowlist once left out the two that runs with foreign nodes start, and only the
// installed-vsix suite noticed.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { ROOT } from '../helpers';

test('every run-time bundle of esbuild.mjs is in the .vscodeignore allowlist', () => {
  const build = fs.readFileSync(path.join(ROOT, 'esbuild.mjs'), 'utf8');
  const runtime = build.slice(build.indexOf('const runtime = ['), build.indexOf('].filter('));
  const outs = [...runtime.matchAll(/\['[^']+\.ts', '([\w-]+)'\]/g)].map((m) => m[1]);
  assert.ok(outs.length >= 5 && outs.includes('nodeMain') && outs.includes('reaper'), outs.join(', '));
  const allowed = new Set(fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()));
  assert.deepEqual(outs.filter((o) => !allowed.has(`!dist/${o}.js`)), []);
});
