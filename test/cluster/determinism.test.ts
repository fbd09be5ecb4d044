import assert from 'node:assert/strict';
import * as path from 'path';
import { test } from 'node:test';
import { runCommands } from '../../cluster/runner';
import { analyze } from '../../language/analyzer';
import { ROOT, runFile } from '../helpers';

// Same script, same seed: identical stdout and identical stamps and counters on every node, three times over.
const file = path.join(ROOT, 'samples', '05-multi-linked-client.kvcmd');
for (const gossip of ['settled', 'off'] as const) {
  test(`three runs with one seed are identical (${gossip})`, async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await runFile(file, { seed: 42, gossip, backend: 'processes' }));
    for (const r of runs.slice(1)) {
      assert.equal(r.stdout, runs[0].stdout);
      assert.deepEqual(r.snapshot, runs[0].snapshot);
    }
  });
}

test('a multi-linked client\'s choices of server follow the seed', async () => {
  const script = ['joinServer 0', 'joinServer 1', 'joinServer 2', 'joinClient 9 0', 'createConnection 9 1', 'createConnection 9 2',
    ...Array.from({ length: 20 }, (_, i) => `put 9 k${i} v`)].join('\n');
  const servers = async (seed: number) => {
    const a = analyze(script);
    const chosen: number[] = [];
    await runCommands(a.commands, { seed, gossip: 'settled', backend: 'model' }, (e) => {
      if (e.type === 'put') chosen.push(e.server);
    });
    return chosen;
  };
  assert.deepEqual(await servers(3), await servers(3));
  assert.notDeepEqual(await servers(3), await servers(4));
  assert.deepEqual(new Set(await servers(3)), new Set([0, 1, 2]));
});
