import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import type { EventOf } from '../../record/events';
import { runFile } from '../helpers';
import { checkCauses } from './causes';

// In async mode nobody waits for gossip: it lands while the master runs later commands. It still
// belongs to the put that set it off, and the record still respects happened-before.
test('async gossip that lands during later commands is tagged with its put\'s line', async () => {
  const file = path.join(os.tmpdir(), `kvcmd-async-${process.pid}.kvcmd`);
  const servers = [0, 1, 2, 3, 4, 5];
  const lines = [
    ...servers.map((s) => `joinServer ${s}`),
    // A chain 0-1-2-3-4-5: the flood walks it one hop at a time, slowly enough to overlap what follows.
    ...servers.flatMap((a) => servers.filter((b) => b > a + 1).map((b) => `breakConnection ${a} ${b}`)),
    'joinClient 10 0',
    'joinClient 15 5',
  ];
  const putLine = lines.length + 1;
  lines.push('put 10 k first', 'get 15 k', 'get 15 k', 'put 15 j second', 'get 10 j', 'sleep 300', 'get 15 k');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  let overlapped = false;
  for (let attempt = 0; attempt < 5 && !overlapped; attempt++) {
    const run = await runFile(file, { seed: 3, gossip: 'async', trace: true, backend: 'processes' });
    checkCauses(file, run.events, false);
    const first = run.events.filter((e): e is EventOf<'send'> => e.type === 'send' && (e.kind === 'gossip' || e.kind === 'spread') && e.body.value === 'first');
    assert.ok(first.length >= 5, 'the first put gossips down the chain');
    for (const e of first) assert.equal(e.line, putLine, `gossip of the first put tagged line ${e.line}`);
    // Did some of that gossip land after the master had moved on to a later line?
    const laterCommand = run.events.findIndex((e) => e.type === 'stdout');
    overlapped = run.events.slice(laterCommand).some((e) => e.type === 'deliver' && e.line === putLine && e.kind === 'gossip');
    assert.equal(run.stdout.split('\n').filter(Boolean).length, 4);
  }
  assert.ok(overlapped, 'in five async runs, gossip of the put never landed after a later command had begun');
});
