import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { clusterFixtures, runCli, samples } from '../helpers';

// Every sample and fixture, through the real `kvcmd` binary and real node processes, byte for byte.
for (const file of [...samples(), ...clusterFixtures()]) {
  const name = path.basename(file);
  for (const gossip of ['settled', 'off'] as const) {
    const expectedFile = file.replace(/\.kvcmd$/, gossip === 'settled' ? '.expected' : '.off.expected');
    if (!fs.existsSync(expectedFile)) continue;
    test(`${name} (${gossip}) prints exactly ${path.basename(expectedFile)}`, async () => {
      const r = await runCli(['run', file, '--seed', '7', '--gossip', gossip]);
      // Exit 3 exactly when a put or get failed (no reachable server): the run went on to its end.
      const failed = /: error: (put|get) by client \d+ .*failed/.test(r.stderr);
      assert.equal(r.code, failed ? 3 : 0, r.stderr);
      if (name === 'failures-and-warnings.kvcmd') assert.ok(failed, 'this fixture fails operations on purpose');
      assert.equal(r.stdout, fs.readFileSync(expectedFile, 'utf8'));
      assert.match(r.stderr, /seed 7, gossip /);
    });
  }
}

test('every sample has an expected output', () => {
  for (const file of samples()) assert.ok(fs.existsSync(file.replace(/\.kvcmd$/, '.expected')), file);
  assert.ok(samples().length >= 5);
});
