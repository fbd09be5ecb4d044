import assert from 'node:assert/strict';
import * as path from 'path';
import { test } from 'node:test';
import { compareRuns, sideDocument, sideLabels } from '../../compare/compare';
import { analyze } from '../../language/analyzer';
import { ROOT, runCli } from '../helpers';

const scenario = (name: string) => path.join(ROOT, 'test', 'fixtures', 'protocols', name);
const commandsOf = (text: string) => analyze(text).commands;

test('compare finds the line where two protocols part, with each side\'s stamps, and runs the checker on both', async () => {
  const text = require('fs').readFileSync(scenario('unseen-write.kvcmd'), 'utf8');
  const r = await compareRuns(commandsOf(text), { protocol: 'lamport', gossip: 'settled', seed: 1, faults: true }, { protocol: 'vector', gossip: 'settled', seed: 1, faults: true });
  assert.equal(r.diverging, 1);
  assert.equal(r.firstDivergence, 16);
  const l = r.lines.find((x) => x.line === 16)!;
  assert.deepEqual(l.a.text, ['k:theirs3']);
  assert.deepEqual(l.b.text, ['k:ERR_DEP']);
  assert.match(l.b.why.join(), /holds \{1:3\}, which does not cover the dependency \{0:1\}/);
  assert.match(l.a.why.join(), /^\(\d+,1\) from server 1, dependency \(\d+,0\)$/);
  assert.ok(r.lines.find((x) => x.line === 20)!.same, 'after stabilize both answer');
  assert.deepEqual([r.a.violations, r.b.violations], [[], []]);
  assert.deepEqual([r.a.label, r.b.label], ['protocol lamport', 'protocol vector']);
  // The documents the editor diffs: only the diverging line carries its reasons.
  const a = sideDocument('x.kvcmd', r, 'a').split('\n'), b = sideDocument('x.kvcmd', r, 'b').split('\n');
  assert.equal(a.length, b.length);
  const differing = a.map((x, i) => (x !== b[i] ? i : -1)).filter((i) => i >= 2);
  assert.deepEqual(differing.map((i) => a[i].split('  ')[0]), ['line 16']);
});

test('sides are named by what differs', () => {
  assert.deepEqual(sideLabels({ protocol: 'lamport', gossip: 'settled', seed: 1, faults: true }, { protocol: 'lamport', gossip: 'off', seed: 1, faults: true }), ['gossip settled', 'gossip off']);
  assert.deepEqual(sideLabels({ protocol: 'vector', gossip: 'settled', seed: 1, faults: true }, { protocol: 'lamport', gossip: 'settled', seed: 2, faults: true }), ['protocol vector, seed 1', 'protocol lamport, seed 2']);
});

test('kvcmd compare: located divergence and exit 1; identical outputs exit 0; usage errors exit 2', async () => {
  const differ = await runCli(['compare', 'samples/03-partition.kvcmd', '--protocol', 'lamport', '--protocol', 'lamport-low']);
  assert.equal(differ.code, 1, differ.stderr);
  assert.match(differ.stdout, /^A: protocol lamport, gossip settled, seed 1: ran, checker: no violations$/m);
  assert.match(differ.stdout, /2 of 9 printing lines differ; first at line 33:/);
  assert.match(differ.stdout, /^samples\/03-partition\.kvcmd:33: get 10 color\n {2}A: color:orange {2}\[\(\d+,3\) from server 0/m);
  const same = await runCli(['compare', 'samples/03-partition.kvcmd', '--gossip', 'settled', '--gossip', 'off']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /the same output on all 9 printing lines/);
  const json = await runCli(['compare', scenario('tie.kvcmd'), '--protocol', 'lamport', '--protocol', 'lamport-low', '--json']);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.diverging, 2);
  assert.equal(parsed.a.stdout, 'k:from1\nk:from1\n');
  assert.equal(parsed.b.stdout, 'k:from0\nk:from0\n');
  const one = await runCli(['compare', 'samples/03-partition.kvcmd', '--protocol', 'vector']);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /compare needs two sides/);
  const three = await runCli(['compare', 'samples/03-partition.kvcmd', '--seed', '1', '--seed', '2', '--seed', '3']);
  assert.equal(three.code, 2);
  assert.match(three.stderr, /--seed is given 3 times/);
});

test('kvcmd compare --faults on --faults off: the sample with faults against the same script without them', async () => {
  const r = await runCli(['compare', 'samples/06-faults.kvcmd', '--faults', 'on', '--faults', 'off']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^B: protocol lamport, gossip settled, seed 1, without faults: ran, checker: no violations$/m);
  // Without the drop, server 1 has the write at once.
  assert.match(r.stdout, /^samples\/06-faults\.kvcmd:13: get 6 color\n {2}A: color:ERR_KEY {2}\[server 1 holds no color\]\n {2}B: color:blue {2}\[/m);
  const bad = await runCli(['compare', 'samples/06-faults.kvcmd', '--faults', 'maybe']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--faults must be on or off, not 'maybe'/);
});
