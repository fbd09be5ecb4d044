// record/explain.ts on runs with faults of the network: why a value is missing when the network
// dropped its gossip, held it back, or its receiver was paused. Model runs with tracing, their
// line-tied events handed over as the extension hands them to the language server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../language/index';
import { runCommands } from '../../cluster/runner';
import type { GossipMode } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';
import { explainRun, type GetExplanation, type Reason } from '../../record/explain';

async function explainGet(lines: string[], line: number, gossip: GossipMode = 'settled'): Promise<{ g: GetExplanation; stdout: string[] }> {
  const a = analyze(lines.join('\n') + '\n');
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  const events: ClusterEvent[] = [];
  const result = await runCommands(a.commands, { seed: 1, gossip, backend: 'model', trace: true }, (e) => events.push(e));
  assert.ok(result.ok, result.error);
  const x = explainRun(events.filter((e) => 'line' in e && e.line > 0), { gossip });
  const g = x.gets.get(line);
  assert.ok(g, `an explanation for line ${line}`);
  return { g, stdout: events.flatMap((e) => (e.type === 'stdout' ? [e.text] : [])) };
}

const SETUP = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'joinClient 6 1'];

test('ERR_KEY because the gossip was dropped: the dropped message and the drop command are named', async () => {
  const { g, stdout } = await explainGet([...SETUP, 'drop 0 1 1', 'put 5 color blue', 'get 6 color'], 7);
  assert.deepEqual(stdout, ['color:ERR_KEY']);
  const reasons = g.newer[0].reasons;
  const dropped = reasons.find((r): r is Extract<Reason, { kind: 'dropped' }> => r.kind === 'dropped');
  assert.ok(dropped, JSON.stringify(reasons));
  assert.deepEqual([dropped.from, dropped.to, dropped.line, dropped.faultLine], [0, 1, 6, 5]);
  assert.match(dropped.text, /the network dropped the gossip from server 0 to server 1 \(line 6; the drop on line 5\), so server 1 was not reached by it/);
  assert.ok(!reasons.some((r) => r.kind === 'unknown'));
  assert.deepEqual(g.lines, [5, 6, 7]);
});

test('an older value in async mode because the gossip was held back: in flight, with the delay and its line', async () => {
  const { g, stdout } = await explainGet([...SETUP, 'put 5 color red', 'stabilize', 'delay 0 1 500', 'put 5 color blue', 'get 6 color'], 9, 'async');
  assert.deepEqual(stdout, ['color:red']);
  const inFlight = g.newer[0].reasons.find((r): r is Extract<Reason, { kind: 'inFlight' }> => r.kind === 'inFlight');
  assert.ok(inFlight);
  assert.equal(inFlight.faultLine, 7);
  assert.match(inFlight.text, /had not been delivered yet: the network held it back 500 ms \(the delay on line 7\)/);
  assert.ok(g.lines.includes(7));
});

test('a write still on its way to a paused server says so', async () => {
  // Server 1 reads before the gossip (held back) reaches it; the copy for server 2 waits for its resume.
  const { g, stdout } = await explainGet(['joinServer 0', 'joinServer 1', 'joinServer 2', 'joinClient 5 0', 'joinClient 7 1',
    'delay 0 1 500', 'pauseServer 2', 'put 5 k v', 'get 7 k', 'resumeServer 2'], 9, 'async');
  assert.deepEqual(stdout, ['k:ERR_KEY']);
  const texts = g.newer[0].reasons.filter((r) => r.kind === 'inFlight').map((r) => r.text);
  assert.equal(texts.length, 2, texts.join('\n'));
  assert.match(texts.find((t) => t.includes('to server 1'))!, /held it back 500 ms \(the delay on line 6\)/);
  assert.match(texts.find((t) => t.includes('to server 2'))!, /server 2 was paused on line 7 and takes nothing in until it is resumed/);
});
