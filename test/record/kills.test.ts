import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { runFile } from '../helpers';

// Writes applied on a line followed by killServer are in the record of a real run, every one of
// them, as in the model: the master waits until the nodes' reports of a command are all in before
// the next command (here the kill) can begin.
test('a put/kill/join loop records every applied write, real processes as in the model', async () => {
  const file = path.join(os.tmpdir(), `kvcmd-kills-${process.pid}.kvcmd`);
  const lines = ['joinServer 0', 'joinServer 1', 'joinClient 5 1'];
  for (let i = 0; i < 15; i++) lines.push('joinServer 2', 'createConnection 5 2', `put 5 k${i} v${i}`, 'killServer 2');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  for (const gossip of ['off', 'settled'] as const) {
    const model = await runFile(file, { seed: 1, gossip, trace: true, backend: 'model' });
    const real = await runFile(file, { seed: 1, gossip, trace: true, backend: 'processes' });
    const applied = (r: typeof model): number => r.events.filter((e) => e.type === 'applied').length;
    assert.ok(applied(model) >= 15, `${gossip}: the model records ${applied(model)} applies`);
    assert.equal(applied(real), applied(model), gossip);
  }
});
