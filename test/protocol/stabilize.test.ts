import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterEvent, EventOf } from '../../record/events';
import { describeMessage } from '../../record/describe';
import { runCommands } from '../../cluster/runner';
import { analyze } from '../../language/analyzer';

/** Runs a script in the in-process model with gossip off, so only stabilize can move data. */
async function model(script: string, gossip: 'off' | 'settled' = 'off') {
  const a = analyze(script);
  assert.equal(a.hasErrors, false, JSON.stringify(a.diagnostics));
  const events: ClusterEvent[] = [];
  const r = await runCommands(a.commands, { seed: 1, gossip, backend: 'model', trace: true }, (e) => events.push(e));
  assert.ok(r.ok && r.snapshot, r.error);
  const stores = new Map(r.snapshot.nodes.filter((n) => n.role === 'server').map((n) => [n.id, JSON.stringify(n.store)]));
  // One per message: its delivery (a message over a cut link would be `lost` instead).
  const messages = events.filter((e): e is EventOf<'deliver'> => e.type === 'deliver');
  return { stores, messages, events, snapshot: r.snapshot };
}

const join = (ids: number[]) => ids.map((i) => `joinServer ${i}`).join('\n');
const cutAllBut = (ids: number[], keep: [number, number][]) => {
  const lines: string[] = [];
  for (const a of ids) for (const b of ids) {
    if (a < b && !keep.some(([x, y]) => (x === a && y === b) || (x === b && y === a))) lines.push(`breakConnection ${a} ${b}`);
  }
  return lines.join('\n');
};

test('stabilize over a chain makes every store identical, with n-1 explores', async () => {
  const ids = [0, 1, 2, 3, 4];
  const { stores, messages } = await model(`${join(ids)}
${cutAllBut(ids, [[0, 1], [1, 2], [2, 3], [3, 4]])}
joinClient 10 0
joinClient 14 4
put 10 a 1
put 14 b 2
put 14 a 3
stabilize`);
  assert.equal(new Set(stores.values()).size, 1, 'all five stores equal');
  assert.match(stores.get(0)!, /"key":"a","value":"3"/);
  assert.equal(messages.filter((m) => m.kind === 'explore').length, 4);
  assert.equal(messages.filter((m) => m.kind === 'install').length, 4);
});

test('stabilize over a star and over a complete graph explores each server once', async () => {
  for (const keep of [[[0, 1], [0, 2], [0, 3], [0, 4]] as [number, number][], null]) {
    const ids = [0, 1, 2, 3, 4];
    const { stores, messages } = await model(`${join(ids)}
${keep ? cutAllBut(ids, keep) : ''}
joinClient 11 1
joinClient 13 3
put 11 x 1
put 13 y 2
stabilize`);
    assert.equal(new Set(stores.values()).size, 1);
    assert.equal(messages.filter((m) => m.kind === 'explore').length, 4);
  }
});

test('stabilize is per partition: groups converge, but not across the cut', async () => {
  const ids = [0, 1, 2, 3];
  const { stores, events } = await model(`${join(ids)}
breakConnection 0 2
breakConnection 0 3
breakConnection 1 2
breakConnection 1 3
joinClient 10 0
joinClient 13 3
put 10 k left
put 13 k right
stabilize`);
  assert.equal(stores.get(0), stores.get(1));
  assert.equal(stores.get(2), stores.get(3));
  assert.notEqual(stores.get(0), stores.get(2));
  const groups = events.filter((e) => e.type === 'stabilizeGroup').map((e) => (e as { members: number[] }).members);
  assert.deepEqual(groups, [[0, 1], [2, 3]]);
});

test('stabilize sends a child only what its subtree lacks', async () => {
  const { messages, events } = await model(`joinServer 0
joinServer 1
joinClient 10 0
put 10 a 1
put 10 b 2
stabilize
stabilize`, 'settled');
  const installs = events.filter((e): e is EventOf<'send'> => e.type === 'send' && e.kind === 'install').map(describeMessage);
  assert.deepEqual(installs, ['install #1: 0 entries', 'install #2: 0 entries']);
  assert.equal(messages.filter((m) => m.kind === 'install').length, 2);
});

test('a dead server takes no part; the survivors of a star become singleton groups', async () => {
  const { events, snapshot } = await model(`joinServer 0
joinServer 1
joinServer 2
breakConnection 1 2
killServer 0
stabilize`);
  const groups = events.filter((e) => e.type === 'stabilizeGroup').map((e) => (e as { members: number[] }).members);
  assert.deepEqual(groups, [[1], [2]]);
  assert.deepEqual(snapshot.dead.map((d) => d.id), [0]);
});

test('gossip floods a complete graph with one message per server reached', async () => {
  const { messages, stores } = await model(`${join([0, 1, 2, 3, 4])}
joinClient 9 2
put 9 k v`, 'settled');
  assert.equal(messages.filter((m) => m.kind === 'gossip').length, 4);
  assert.equal(new Set(stores.values()).size, 1);
});
