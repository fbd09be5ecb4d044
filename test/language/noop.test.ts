import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../language/analyzer';
import { noOpOf } from '../../language/noop';
import { Topology } from '../../language/topology';

// One rule, two users: every no-op warning of the analyzer is a command the master skips (the
// master asks noOpOf on its own cluster state), so here it is enough that the analyzer's warnings
// and noOpOf agree line for line on a script that holds every kind of no-op.
test('the analyzer warns of exactly the no-ops noOpOf names', () => {
  const text = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'killServer 1', 'killServer 1', 'breakConnection 5 1',
    'createConnection 5 0', 'printStore 1', 'joinClient 6 1', 'createConnection 6 1', 'breakConnection 0 5', 'breakConnection 0 5',
    'killServer 9'].join('\n');
  const a = analyze(text);
  const topo = new Topology();
  const fromRule: string[] = [];
  for (const cmd of a.commands) {
    const why = noOpOf(cmd, topo);
    if (why) fromRule.push(`${cmd.line}:${why}`);
    topo.apply(cmd);
  }
  const codes = new Set(['kill-dead', 'kill-unknown', 'not-linked', 'already-linked', 'dead-server', 'print-dead']);
  const fromAnalyzer = a.diagnostics.filter((d) => codes.has(d.code)).map((d) => `${d.range.start.line + 1}:${d.code}`);
  assert.deepEqual(fromAnalyzer, fromRule);
  assert.deepEqual(fromRule, ['5:kill-dead', '6:not-linked', '7:already-linked', '8:print-dead', '9:dead-server', '10:dead-server', '12:not-linked', '13:kill-unknown']);
});

test('the master, whose view cannot tell a never-joined id, still skips its kill (as kill-dead)', () => {
  const view = { isLiveServer: () => false, isClient: () => false, linked: () => false };
  assert.equal(noOpOf({ name: 'killServer', line: 1, server: 9 }, view), 'kill-dead');
  assert.equal(noOpOf({ name: 'killServer', line: 1, server: 9 }, { ...view, hasJoinedServer: () => false }), 'kill-unknown');
});
