import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v8 from 'v8';
import * as vm from 'vm';
import { ClusterRun } from '../../cluster/runner';
import type { Command } from '../../language/commands';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap in use after 4,000 and after 40,000 commands of the course shape (100 keys), in one untraced model run. */
async function heapAt(marks: number[]): Promise<number[]> {
  const run = new ClusterRun({ seed: 1, gossip: 'settled', backend: 'model' }, () => undefined);
  let line = 1;
  for (let s = 0; s < 5; s++) await run.execute({ name: 'joinServer', line: line++, server: s });
  for (let c = 0; c < 5; c++) await run.execute({ name: 'joinClient', line: line++, client: 10 + c, server: c });
  const out: number[] = [];
  for (let i = 1; i <= marks[marks.length - 1]; i++) {
    const client = 10 + (i % 5);
    const cmd: Command = i % 2 === 0 ? { name: 'put', line: line++, client, key: `k${i % 100}`, value: `v${i}` } : { name: 'get', line: line++, client, key: `k${(i * 7) % 100}` };
    await run.execute(cmd);
    if (marks.includes(i)) out.push(heapUsed());
  }
  await run.end();
  return out;
}

// The model's memory grows with the store (here 100 keys on 5 servers), not with the number of
// commands run: 36,000 more commands may not hold more than a little. Sizes, not times.
test('a model run holds memory for its store, not for its commands', async () => {
  const [at4k, at40k] = await heapAt([4_000, 40_000]);
  // Holding as little as 30 bytes per command would add over 1 MB here.
  assert.ok(at40k - at4k < 1024 * 1024, `heap grew by ${at40k - at4k} bytes over 36,000 commands`);
});
