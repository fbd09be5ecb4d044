import assert from 'node:assert/strict';
import * as path from 'path';
import { test } from 'node:test';
import { clusterFixtures, runFile, samples } from '../helpers';

// The in-process model must predict a real run exactly: the same stdout and the same final
// state of every node (stores with stamps, Lamport counters, links, client dependencies).
for (const file of [...samples(), ...clusterFixtures()]) {
  for (const gossip of ['settled', 'off'] as const) {
    test(`model agrees with processes: ${path.basename(file)} (${gossip})`, async () => {
      const seed = 11;
      const real = await runFile(file, { seed, gossip, backend: 'processes' });
      const model = await runFile(file, { seed, gossip, backend: 'model' });
      assert.equal(model.stdout, real.stdout);
      assert.deepEqual(model.snapshot, real.snapshot);
      assert.ok(real.snapshot.nodes.some((n) => n.counter > 0), 'counters moved');
    });
  }
}
