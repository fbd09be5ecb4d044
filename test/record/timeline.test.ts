import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCommands } from '../../cluster/runner';
import { analyze } from '../../language/analyzer';
import type { Command } from '../../language/commands';
import type { GossipMode } from '../../protocol/messages';
import { ClusterState } from '../../record/clusterState';
import type { ClusterEvent, ClusterSnapshot } from '../../record/events';
import { cloneState, keyHistory, lineOf, Timeline } from '../../record/timeline';
import { samples } from '../helpers';

interface ModelRun { commands: Command[]; events: ClusterEvent[]; snapshot: ClusterSnapshot }

async function modelRun(script: string, gossip: GossipMode = 'settled', seed = 7): Promise<ModelRun> {
  const analysis = analyze(script);
  assert.equal(analysis.hasErrors, false, JSON.stringify(analysis.diagnostics));
  const events: ClusterEvent[] = [];
  const result = await runCommands(analysis.commands, { backend: 'model', trace: true, seed, gossip }, (e) => events.push(e));
  assert.ok(result.ok && result.snapshot, result.error);
  return { commands: [...analysis.commands], events, snapshot: result.snapshot };
}

/** The state by a plain fold of the first `n` events: what the timeline must agree with. */
function fold(events: readonly ClusterEvent[], n = events.length): ClusterState {
  const s = new ClusterState();
  for (const e of events.slice(0, n)) s.apply(e);
  return s;
}

/** A state as plain data, for deepEqual. */
function plain(s: ClusterState): unknown {
  const servers = s.sortedServers().map((v) => ({ ...v, links: [...v.links].sort(), store: [...v.store.entries()].sort() }));
  const clients = s.sortedClients().map((v) => ({ ...v, links: [...v.links].sort(), deps: [...v.deps.entries()].sort() }));
  return { servers, clients, puts: [...s.puts.entries()].sort() };
}

const DEAD_SERVER = fs.readFileSync(path.join(samples().find((f) => f.includes('04-dead-server'))!), 'utf8');

test('after a put line the applying server holds the write; before it, not', async () => {
  const run = await modelRun(DEAD_SERVER);
  const timeline = new Timeline(run.events);
  const puts = run.events.filter((e) => e.type === 'put');
  assert.ok(puts.length >= 4);
  for (const put of puts) {
    const held = timeline.at(put.line).servers.get(put.server)?.store.get(put.key);
    assert.ok(held, `line ${put.line}: server ${put.server} holds ${put.key}`);
    assert.deepEqual([held.value, held.stamp], [put.value, put.stamp]);
    assert.deepEqual(held.arrival, { via: 'put', from: put.client, line: put.line });
    const before = timeline.at(put.line - 1).servers.get(put.server)?.store.get(put.key);
    assert.notDeepEqual(before?.stamp, put.stamp, `line ${put.line - 1}: the write is not there yet`);
  }
});

test('after a killServer line the server is dead, and alive the line before', async () => {
  const run = await modelRun(DEAD_SERVER);
  const timeline = new Timeline(run.events);
  const kill = run.commands.find((c) => c.name === 'killServer');
  assert.ok(kill && kill.name === 'killServer');
  const before = timeline.at(kill.line - 1).servers.get(kill.server);
  assert.equal(before?.alive, true);
  assert.ok(before.store.size > 0, 'it held writes');
  const after = timeline.at(kill.line).servers.get(kill.server);
  assert.equal(after?.alive, false);
  assert.equal(after.killedLine, kill.line);
  assert.equal(after.store.size, 0);
  // The sample joins the id again later: alive and empty from that line on.
  const rejoin = run.commands.find((c) => c.name === 'joinServer' && c.server === kill.server && c.line > kill.line)!;
  assert.equal(timeline.at(rejoin.line).servers.get(kill.server)?.alive, true);
});

test('after the last line the state is the final one: every event applied, the stores as the snapshot has them', async () => {
  for (const gossip of ['settled', 'async', 'off'] as const) {
    const run = await modelRun(DEAD_SERVER, gossip);
    const timeline = new Timeline(run.events);
    const last = run.commands[run.commands.length - 1].line;
    assert.equal(timeline.lastLine(), last);
    const final = timeline.at(last);
    assert.deepEqual(plain(final), plain(fold(run.events)), gossip);
    assert.deepEqual(plain(timeline.at(last + 100)), plain(final), 'lines past the end show the end');
    for (const n of run.snapshot.nodes) {
      if (n.role !== 'server') continue;
      const store = [...final.servers.get(n.id)!.store.values()].map((k) => ({ key: k.key, value: k.value, stamp: k.stamp }));
      assert.deepEqual(store.sort((a, b) => a.key.localeCompare(b.key)), n.store.map((e) => ({ key: e.key, value: e.value, stamp: e.stamp })), `${gossip}: server ${n.id}`);
    }
    for (const d of run.snapshot.dead) assert.equal(final.servers.get(d.id)?.alive, false);
  }
});

test('before the first command the cluster is empty; a comment line shows the command above it', async () => {
  const run = await modelRun('# two servers\njoinServer 0\n\njoinServer 1\n# a comment\njoinClient 5 0\nput 5 k v\n');
  const timeline = new Timeline(run.events);
  assert.equal(timeline.cut(1), 0);
  assert.equal(timeline.at(1).servers.size, 0);
  assert.deepEqual(timeline.lines(), [2, 4, 6, 7]);
  assert.deepEqual(plain(timeline.at(3)), plain(timeline.at(2)));
  assert.deepEqual(plain(timeline.at(5)), plain(timeline.at(4)));
  assert.equal(timeline.at(5).servers.size, 2);
  assert.equal(timeline.at(5).clients.size, 0);
});

test('every line, in any order and with checkpoints every few events, agrees with a plain fold of the cut', async () => {
  for (const file of samples()) {
    const run = await modelRun(fs.readFileSync(file, 'utf8'), 'async', 3);
    const timeline = new Timeline(run.events, { every: 5 });
    const lines = Array.from({ length: timeline.lastLine() + 2 }, (_, i) => i);
    // Forward, backward, then a fixed shuffle.
    const order = [...lines, ...[...lines].reverse(), ...lines.map((l, i) => lines[(i * 7919) % lines.length])];
    for (const line of order) {
      assert.deepEqual(plain(timeline.at(line)), plain(fold(run.events, timeline.cut(line))), `${path.basename(file)} line ${line}`);
    }
  }
});

test('the cut is the shortest prefix holding every event of the lines up to it', async () => {
  const run = await modelRun(DEAD_SERVER, 'async', 11);
  const timeline = new Timeline(run.events);
  for (let line = 0; line <= timeline.lastLine() + 1; line++) {
    const n = timeline.cut(line);
    const lastOwn = run.events.reduce((m, e, i) => ((lineOf(e) ?? Infinity) <= line ? i + 1 : m), 0);
    assert.equal(n, lastOwn, `line ${line}`);
  }
});

test('a state handed out is the caller\'s: changing it changes no later answer', async () => {
  const run = await modelRun(DEAD_SERVER);
  const timeline = new Timeline(run.events, { every: 4 });
  const a = timeline.at(14);
  const expected = plain(fold(run.events, timeline.cut(14)));
  a.servers.get(1)!.store.clear();
  a.servers.get(1)!.links.clear();
  a.clients.clear();
  assert.deepEqual(plain(timeline.at(14)), expected);
  assert.deepEqual(plain(cloneState(timeline.at(14))), expected);
});

test('the record may grow while it is read (a run going on)', async () => {
  const run = await modelRun(DEAD_SERVER);
  const growing: ClusterEvent[] = [];
  const timeline = new Timeline(growing, { every: 8 });
  for (let i = 0; i < run.events.length; i++) {
    growing.push(run.events[i]);
    if (i % 17 === 0) {
      const last = timeline.lastLine();
      assert.deepEqual(plain(timeline.at(last)), plain(fold(growing, timeline.cut(last))));
    }
  }
  assert.deepEqual(plain(timeline.at(timeline.lastLine())), plain(fold(run.events)));
});

test('big records: moving forward replays only what lies between, a jump back at most one checkpoint span', async () => {
  const lines = ['joinServer 0', 'joinServer 1', 'joinServer 2', 'joinClient 9 0'];
  for (let i = 0; i < 1500; i++) lines.push(`put 9 k${i % 40} v${i}`);
  lines.push('stabilize');
  const run = await modelRun(lines.join('\n') + '\n');
  const timeline = new Timeline(run.events, { every: 200 });
  const total = run.events.length;
  assert.ok(total > 10_000, `${total} events`);
  // Walk the script line by line, as a cursor moving down does: each event is replayed once.
  for (let line = 1; line <= lines.length; line++) timeline.at(line);
  assert.ok(timeline.replayed <= total, `forward walk replayed ${timeline.replayed} of ${total}`);
  // Jumps back and forth cost at most one checkpoint span each.
  const before = timeline.replayed;
  const jumps = [10, lines.length, 700, 20, 1400, 3];
  for (const line of jumps) timeline.at(line);
  assert.ok(timeline.replayed - before <= jumps.length * 200, `jumps replayed ${timeline.replayed - before}`);
  assert.deepEqual(plain(timeline.at(700)), plain(fold(run.events, timeline.cut(700))));
});

test('keyHistory lists every write a server kept for a key, with the way it arrived', async () => {
  const run = await modelRun('joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k a\nput 5 k b\nbreakConnection 0 1\nput 5 k c\nstabilize\ncreateConnection 0 1\nstabilize\n', 'settled');
  const on0 = keyHistory(run.events, 0, 'k');
  assert.deepEqual(on0.map((e) => [e.line, e.via, e.value]), [[4, 'put', 'a'], [5, 'put', 'b'], [7, 'put', 'c']]);
  const on1 = keyHistory(run.events, 1, 'k');
  assert.deepEqual(on1.map((e) => [e.line, e.via, e.from, e.value]), [[4, 'gossip', 0, 'a'], [5, 'gossip', 0, 'b'], [10, 'stabilize', on1[2]?.from, 'c']]);
  const timeline = new Timeline(run.events);
  assert.deepEqual(keyHistory(run.events, 1, 'k', timeline.cut(7)).map((e) => e.value), ['a', 'b']);
});
