import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cmd, startCluster } from '../../bench/cluster';
import { measureFloor } from '../../bench/floor';
import { printTable } from '../../bench/table';

// The benchmark is not run by `npm test` (its figures are not test material), but its parts must work.
test('the floor measurements run and report rates', async () => {
  const floor = await measureFloor(30);
  for (const v of [floor.oneHop, floor.twoHop, floor.xmlrpcHop]) assert.ok(Number.isFinite(v) && v > 0, String(v));
});

test('a benchmark cluster starts, takes puts and closes', async () => {
  const c = await startCluster(2, 2, 'settled');
  await c.run.execute(cmd.put(100, 'k', 'v'));
  const result = await c.run.end();
  assert.equal(result.snapshot?.nodes.filter((n) => n.role === 'server' && n.store.length === 1).length, 2);
  assert.equal(c.pids.length, 4);
  for (const pid of c.pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `node process ${pid} outlived the run`);
});

test('the table prints every row', () => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (lines.push(s), true)) as typeof process.stdout.write;
  try {
    printTable([{ section: 's', name: 'figure one', value: 12.345, unit: 'ms', target: '< 50 ms', pass: true }]);
  } finally {
    process.stdout.write = write;
  }
  assert.match(lines.join(''), /figure one\s+12\.3 ms\s+< 50 ms\s+ok/);
});
