// record/explain.ts on real records: small scripts run in the in-process model with tracing, their
// line-tied events handed over as the extension hands them to the language server (no runStarted).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../language/index';
import { runCommands } from '../../cluster/runner';
import type { GossipMode } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';
import { explainRun, historyOf, type GetExplanation, type RunExplanation } from '../../record/explain';

async function explain(lines: string[], gossip: GossipMode = 'settled', seed = 1): Promise<{ x: RunExplanation; events: ClusterEvent[]; stdout: string[] }> {
  const text = lines.join('\n') + '\n';
  const a = analyze(text);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], 'the script has no errors');
  const events: ClusterEvent[] = [];
  const result = await runCommands(a.commands, { seed, gossip, backend: 'model', trace: true }, (e) => events.push(e));
  assert.ok(result.ok, result.error);
  const lineTied = events.filter((e) => 'line' in e && e.line > 0);
  const stdout = events.flatMap((e) => (e.type === 'stdout' ? [e.text] : []));
  return { x: explainRun(lineTied, { gossip }), events, stdout };
}

function get(x: RunExplanation, line: number): GetExplanation {
  const g = x.gets.get(line);
  assert.ok(g, `an explanation for the get on line ${line}`);
  return g;
}

const reasonKinds = (g: GetExplanation, i = 0): string[] => (g.dependency?.missing ?? g.newer[i]).reasons.map((r) => r.kind);

describe('explain: why a get returned what it did', () => {
  it('a stale read across a cut link names the newer write and the cut', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinClient 10 0', //        3
      'joinClient 11 1', //        4
      'put 11 k old', //           5  reaches both servers by gossip
      'breakConnection 0 1', //    6
      'put 11 k new', //           7  stays on server 1
      'get 10 k', //               8  stale: old
    ]);
    const g = get(x, 8);
    assert.equal(g.outcome, 'value');
    assert.equal(g.server, 0);
    assert.equal(g.write?.line, 5, 'the value was written on line 5');
    assert.equal(g.write?.client, 11);
    assert.deepEqual(g.path.map((h) => `${h.server}:${h.via}:${h.from}:${h.line}`), ['1:put:11:5', '0:gossip:1:5']);
    assert.equal(g.newer.length, 1);
    assert.equal(g.newer[0].write?.line, 7, 'the newer write is line 7');
    assert.deepEqual(g.newer[0].holders, [1]);
    assert.deepEqual(g.newer[0].reasons.map((r) => r.kind === 'cut' ? `cut ${r.a}-${r.b} line ${r.line}` : r.kind), ['cut 0-1 line 6']);
    assert.deepEqual(g.lines, [5, 6, 7, 8]);
    assert.match(g.hint, /^→ k:old \(\d+,1\) from server 0$/);
    const all = g.text.join(' ');
    assert.match(all, /written by the put on line 5/);
    assert.match(all, /A newer write existed: the put on line 7/);
    assert.match(all, /the link 0–1 was cut on line 6/);
  });

  it('ERR_DEP names the line that set the dependency and where that write was', async () => {
    const { x, stdout } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'breakConnection 0 1', //    3
      'joinClient 10 0', //        4
      'put 10 k v1', //            5  sets the dependency, on server 0 only
      'breakConnection 10 0', //   6
      'createConnection 10 1', //  7
      'get 10 k', //               8  server 1 lacks it
    ]);
    assert.deepEqual(stdout, ['k:ERR_DEP']);
    const g = get(x, 8);
    assert.equal(g.outcome, 'ERR_DEP');
    assert.equal(g.hint, '→ k:ERR_DEP from server 1');
    assert.equal(g.dependency?.line, 5, 'set by the put on line 5');
    assert.equal(g.dependency?.write?.line, 5);
    assert.equal(g.dependency?.held, null);
    assert.deepEqual(g.dependency?.missing.holders, [0]);
    assert.deepEqual(reasonKinds(g), ['cut']);
    assert.match(g.text.join(' '), /depends on \(\d+,0\) for k, set on line 5; server 1 holds nothing/);
    assert.match(g.text.join(' '), /It was on server 0 at that moment/);
    assert.deepEqual(g.lines, [3, 5, 8]);
  });

  it('a dependency raised by a get names that get', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinClient 10 0', //        3
      'joinClient 11 1', //        4
      'put 10 k v1', //            5
      'get 11 k', //               6  client 11 now depends on line 5's write
      'breakConnection 0 1', //    7
      'put 10 k v2', //            8
      'breakConnection 11 1', //   9
      'createConnection 11 0', // 10
      'get 11 k', //              11  fine: server 0 has v2
      'breakConnection 11 0', //  12
      'createConnection 11 1', // 13
      'get 11 k', //              14  server 1 only has v1: ERR_DEP on the dependency raised by line 11
    ]);
    const g = get(x, 14);
    assert.equal(g.outcome, 'ERR_DEP');
    assert.equal(g.dependency?.line, 11, 'the get on line 11 raised the dependency');
    assert.equal(g.dependency?.write?.line, 8, 'to the write of line 8');
    assert.ok(g.dependency?.held, 'server 1 holds the older write');
    assert.match(g.text.join(' '), /server 1 holds only \(\d+,\d\)/);
  });

  it('gossip off: ERR_KEY while the write sat on another server, then stabilize brings it', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinClient 10 0', //        3
      'joinClient 11 1', //        4
      'put 10 k v1', //            5
      'get 11 k', //               6  ERR_KEY: gossip is off
      'stabilize', //              7
      'get 11 k', //               8  v1 by stabilize
      'joinServer 2', //           9
      'joinClient 12 2', //       10
      'get 12 k', //              11  ERR_KEY: joined after the stabilize
    ], 'off');
    const before = get(x, 6);
    assert.equal(before.outcome, 'ERR_KEY');
    assert.equal(before.newer[0].write?.line, 5);
    assert.deepEqual(reasonKinds(before), ['gossipOff']);
    assert.match(before.text.join(' '), /gossip is off \(writes spread only by stabilize\) and no stabilize ran between line 5 and this line/);

    const after = get(x, 8);
    assert.equal(after.write?.line, 5);
    assert.deepEqual(after.path.map((h) => `${h.server}:${h.via}:${h.line}`), ['0:put:5', '1:stabilize:7'], 'the stabilize line is named');
    assert.match(after.text.join(' '), /server 1 \(stabilize on line 7, installed from 0\)/);
    assert.deepEqual(after.newer, [], 'nothing newer existed');

    const late = get(x, 11);
    assert.deepEqual(reasonKinds(late), ['gossipOff', 'joinedLater']);
    assert.match(late.text.join(' '), /server 2 joined on line 9, after line 5/);
  });

  it('a killed server: the newer write was lost with it', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'breakConnection 0 1', //    3
      'joinClient 10 0', //        4
      'joinClient 11 1', //        5
      'put 10 k old', //           6
      'put 11 k new', //           7  only on server 1
      'killServer 1', //           8
      'joinClient 12 0', //        9
      'get 12 k', //              10  old
    ]);
    const g = get(x, 10);
    assert.equal(g.write?.line, 6);
    assert.equal(g.newer.length, 1);
    assert.equal(g.newer[0].write?.line, 7);
    assert.deepEqual(g.newer[0].holders, []);
    const killed = g.newer[0].reasons.find((r) => r.kind === 'killed');
    assert.ok(killed && killed.kind === 'killed' && killed.server === 1 && killed.line === 8 && killed.role === 'holder');
    const cut = g.newer[0].reasons.find((r) => r.kind === 'cut');
    assert.ok(cut && cut.kind === 'cut' && cut.line === 3, 'and it never crossed the cut of line 3');
    assert.deepEqual(g.lines, [3, 6, 7, 8, 10]);
    const put = x.writes.get(7)!;
    assert.deepEqual(put.erased, [{ server: 1, line: 8 }]);
    assert.deepEqual(put.heldAtEnd, []);
  });

  it('a value that came through an intermediate server (chain) names the path', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinServer 2', //           3
      'breakConnection 0 2', //    4  chain 0 - 1 - 2
      'joinClient 10 0', //        5
      'joinClient 12 2', //        6
      'put 10 k v1', //            7
      'get 12 k', //               8
      'killServer 1', //           9  the bridge is gone
      'put 10 k v2', //           10
      'get 12 k', //              11  stale
    ]);
    const g = get(x, 8);
    assert.deepEqual(g.path.map((h) => `${h.server}:${h.via}:${h.from}`), ['0:put:10', '1:gossip:0', '2:gossip:1']);
    assert.match(g.text.join(' '), /server 0 \(put by client 10, line 7\) → server 1 \(gossip from 0, line 7\) → server 2 \(gossip from 1, line 7\)/);
    const stale = get(x, 11);
    assert.equal(stale.newer[0].write?.line, 10);
    const why = stale.newer[0].reasons.map((r) => r.text).join('; ');
    assert.match(why, /the link 0–2 was cut on line 4/);
    assert.match(why, /server 1, which linked them, was killed on line 9/);
  });

  it('a killed server counts as a broken bridge only if it was linked to both sides when it died', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinServer 2', //           3
      'breakConnection 0 2', //    4
      'joinClient 10 0', //        5
      'joinClient 12 2', //        6
      'killServer 1', //           7  a bridge, but it comes back
      'joinServer 1', //           8
      'breakConnection 0 1', //    9
      'killServer 1', //          10  linked to server 2 only
      'put 10 k v', //            11
      'get 12 k', //              12
    ]);
    const reasons = get(x, 12).newer[0].reasons;
    assert.deepEqual(reasons.map((r) => r.kind === 'cut' ? `cut ${r.line}` : r.kind), ['cut 4']);
  });

  it('stabilize across a healed partition (sample 3): the path names the put and the stabilize', async () => {
    const { x } = await explain([
      'joinServer 0', 'joinServer 1', 'joinServer 2', 'joinServer 3', //   1-4
      'joinClient 10 0', 'joinClient 13 3', //                             5-6
      'breakConnection 0 2', 'breakConnection 0 3', 'breakConnection 1 2', 'breakConnection 1 3', // 7-10
      'put 10 color blue', //   11
      'put 13 color orange', // 12
      'createConnection 1 2', // 13
      'stabilize', //           14
      'get 10 color', //        15
      'printStore 2', //        16
    ]);
    const g = get(x, 15);
    assert.equal(g.result?.kind === 'value' && g.result.value, 'orange');
    assert.equal(g.write?.line, 12);
    assert.deepEqual(g.path.map((h) => `${h.server}:${h.via}:${h.line}`), ['3:put:12', '0:stabilize:14']);
    assert.deepEqual(g.lines, [12, 14, 15]);
    const store = x.stores.get(16)!;
    assert.equal(store.hint, '→ color:orange');
    assert.match(store.text.join('\n'), /color=orange \(\d+,3\), written on line 12 by client 13, by gossip from server 3 \(line 12\)/);
    const put = x.writes.get(11)!;
    assert.match(put.text.join(' '), /Replaced by a newer write of color on servers 0, 1/);
  });

  it('summarizes printStore, and lists per server and key what arrived and what lost', async () => {
    const { x } = await explain([
      'joinServer 0', //           1
      'joinServer 1', //           2
      'joinServer 2', //           3
      'breakConnection 0 2', //    4
      'breakConnection 1 2', //    5
      'joinClient 10 0', //        6
      'joinClient 12 2', //        7
      'put 12 k z1', //            8
      'put 12 k z2', //            9
      'createConnection 1 2', //  10
      'put 10 k a', //            11  older than z2: dropped at server 2
      'printStore 2', //          12
      'put 10 j 1', //            13
      'put 10 i 2', //            14
      'put 10 h 3', //            15
      'printStore 0', //          16
    ]);
    assert.equal(x.stores.get(12)?.hint, '→ k:z2');
    assert.equal(x.stores.get(16)?.hint, '→ 4 keys');
    const h2 = historyOf(x, 2, 'k');
    assert.deepEqual(h2.map((e) => `${e.line} ${e.kind} ${e.value}`), ['8 applied z1', '9 applied z2', '11 dropped a']);
    assert.match(h2[2].text, /arrived by gossip from 1 and lost to the newer/);
    assert.deepEqual(historyOf(x, 1, 'k').map((e) => `${e.line} ${e.kind} ${e.via} ${e.from}`), ['11 applied gossip 0']);
    const put = x.writes.get(11)!;
    assert.deepEqual(put.reached.map((h) => `${h.server}:${h.via}`), ['0:put', '1:gossip']);
    assert.deepEqual(put.dropped.map((d) => `${d.server}:${d.line}`), ['2:11']);
    assert.deepEqual(put.heldAtEnd, [0, 1]);
    assert.deepEqual(historyOf(x, 5, 'k'), []);
  });

  it('a failed get says why', async () => {
    const { x } = await explain(['joinServer 0', 'joinClient 5 0', 'killServer 0', 'get 5 k']);
    const g = get(x, 4);
    assert.equal(g.outcome, 'failed');
    assert.match(g.hint, /^→ failed: /);
  });

  it('every get is explained, and its hint shows what it printed', async () => {
    const { x, events } = await explain([
      'joinServer 0', 'joinServer 1', 'joinClient 10 0', 'joinClient 11 1', 'put 10 a 1', 'get 11 a', 'get 11 b', 'breakConnection 0 1',
      'put 11 a 2', 'get 10 a', 'stabilize', 'get 10 a',
    ]);
    const printed = new Map(events.flatMap((e) => (e.type === 'stdout' ? [[e.line, e.text] as const] : [])));
    for (const e of events) {
      if (e.type !== 'get') continue;
      const g = get(x, e.line);
      const [key, value] = printed.get(e.line)!.split(':');
      assert.ok(g.hint.startsWith(`→ ${key}:${value}`), `${g.hint} shows ${printed.get(e.line)}`);
    }
  });
});

describe('explain: messages still in flight (async)', () => {
  // A hand-made record in the shape of a real async run: the get is answered while the write's
  // gossip to server 1 is on its way, and then while server 1's ack to server 0 is.
  const stamp = { counter: 2, server: 0 };
  const base: ClusterEvent[] = [
    { type: 'nodeStarted', line: 1, step: 1, id: 0, role: 'server', port: 0, pid: 0 },
    { type: 'nodeStarted', line: 2, step: 2, id: 1, role: 'server', port: 0, pid: 0 },
    { type: 'linkCreated', line: 2, step: 2, a: 1, b: 0 },
    { type: 'nodeStarted', line: 3, step: 3, id: 10, role: 'client', port: 0, pid: 0 },
    { type: 'linkCreated', line: 3, step: 3, a: 10, b: 0 },
    { type: 'nodeStarted', line: 4, step: 4, id: 11, role: 'client', port: 0, pid: 0 },
    { type: 'linkCreated', line: 4, step: 4, a: 11, b: 1 },
    { type: 'applied', line: 5, step: 5, node: 0, counter: 2, key: 'k', value: 'v', stamp, via: 'put', from: 10 },
    { type: 'send', line: 5, step: 5, msg: '0.2', from: 0, to: 1, kind: 'gossip', node: 0, counter: 4, body: { key: 'k', value: 'v', stamp } },
    { type: 'put', line: 5, step: 5, client: 10, key: 'k', value: 'v', server: 0, stamp, counter: 4 },
  ];
  const answer = (line: number, step: number): ClusterEvent[] => [
    { type: 'send', line, step, msg: `1.${step}`, re: `11.${step}`, from: 1, to: 11, kind: 'getReply', node: 1, counter: 9, body: { key: 'k', result: { kind: 'ERR_KEY' } } },
    { type: 'get', line, step, client: 11, key: 'k', server: 1, result: { kind: 'ERR_KEY' }, depBefore: null, depAfter: null, counter: 10 },
  ];

  it('names the gossip message not yet delivered', () => {
    const x = explainRun([...base, ...answer(6, 6)], { gossip: 'async' });
    const r = get(x, 6).newer[0].reasons;
    assert.deepEqual(r.map((x) => x.kind), ['inFlight']);
    assert.match(r[0].text, /the gossip from server 0 to server 1 \(line 5\) had not been delivered yet/);
  });

  it('names the ack when the write reached a server but the flood had not gone on', () => {
    const x = explainRun([
      ...base,
      { type: 'deliver', line: 5, step: 5, msg: '0.2', from: 0, to: 1, kind: 'gossip', node: 1, counter: 5 },
      { type: 'applied', line: 5, step: 5, node: 1, counter: 5, key: 'k', value: 'v', stamp, via: 'gossip', from: 0 },
      { type: 'send', line: 5, step: 5, msg: '1.1', re: '0.2', from: 1, to: 0, kind: 'gossipAck', node: 1, counter: 6, body: {} },
      { type: 'nodeStarted', line: 6, step: 6, id: 2, role: 'server', port: 0, pid: 0 },
      { type: 'linkCreated', line: 6, step: 6, a: 2, b: 0 },
      { type: 'linkCreated', line: 6, step: 6, a: 2, b: 1 },
      { type: 'nodeStarted', line: 7, step: 7, id: 12, role: 'client', port: 0, pid: 0 },
      { type: 'linkCreated', line: 7, step: 7, a: 12, b: 2 },
      { type: 'send', line: 8, step: 8, msg: '2.1', re: '12.1', from: 2, to: 12, kind: 'getReply', node: 2, counter: 9, body: { key: 'k', result: { kind: 'ERR_KEY' } } },
      { type: 'get', line: 8, step: 8, client: 12, key: 'k', server: 2, result: { kind: 'ERR_KEY' }, depBefore: null, depAfter: null, counter: 10 },
    ], { gossip: 'async' });
    const reasons = get(x, 8).newer[0].reasons;
    assert.deepEqual(reasons.map((r) => r.kind), ['inFlight', 'joinedLater']);
    assert.match(reasons[0].text, /the gossip ack from server 1 to server 0 \(line 5\) had not been delivered yet/);
  });
});
