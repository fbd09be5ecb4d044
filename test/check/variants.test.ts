import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import type { ClusterEvent, EventOf } from '../../record/events';
import { clusterFixtures, samples } from '../helpers';
import { describeViolations, fixtureHeader, FIXTURES, runAndCheck } from './run';

const scripts = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.kvcmd')).sort().map((f) => path.join(FIXTURES, f));

/** The record without what differs between any two runs (times). */
function stable(events: ClusterEvent[]): unknown[] {
  return events.map((e) => {
    const { t: _t, ...rest } = e as ClusterEvent & { t?: number; ms?: number };
    if ('ms' in rest) delete (rest as { ms?: number }).ms;
    return rest;
  });
}

// The copy the variants are built on must be the protocol's server to the last message: else a
// flagged variant might be flagged for a difference of the copy, not for its bug.
for (const file of [...samples(), ...clusterFixtures(), ...scripts]) {
  test(`the copied server behaves exactly as ServerNode: ${path.basename(file)}`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    for (const gossip of ['settled', 'off'] as const) {
      const real = await runAndCheck(text, gossip, { seed: 4 });
      const copy = await runAndCheck(text, gossip, { seed: 4, variant: 'copied' });
      assert.deepEqual(stable(copy.events), stable(real.events), gossip);
    }
  });
}

/** Two puts of a key under one stamp with different values: what the rejoin fixture shows. */
function stampReused(events: ClusterEvent[]): boolean {
  const seen = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'put') continue;
    const id = `${e.key}|${e.stamp.counter},${e.stamp.server}`;
    if (seen.has(id) && seen.get(id) !== e.value) return true;
    seen.set(id, e.value);
  }
  return false;
}

for (const file of scripts) {
  const { variant, expect } = fixtureHeader(file);
  const name = path.basename(file);
  if (variant === 'correct') {
    // Not a broken server: the real protocol, on the script where a rejoined server once reused a
    // stamp (its counter started at 0). It now starts above the cluster: no stamp repeats, all converge.
    test(`${name}: the real protocol gives a rejoined server new stamps; the run is clean`, async () => {
      const run = await runAndCheck(fs.readFileSync(file, 'utf8'), 'settled');
      assert.equal(stampReused(run.events), false, 'a stamp named two writes');
      assert.deepEqual(run.report.violations, [], describeViolations(run));
      assert.deepEqual(expect, []);
    });
    continue;
  }
  test(`${name}: variant ${variant} is flagged (${expect.join(', ')}); protocol's servers are not`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    const bad = await runAndCheck(text, 'settled', { variant });
    assert.ok(bad.ok, bad.error);
    assert.deepEqual([...new Set(bad.report.violations.map((v) => v.rule))].sort(), [...expect].sort(), describeViolations(bad));
    for (const v of bad.report.violations) {
      assert.ok(v.events.length >= 1 && v.events.length <= 3, `few witnesses: ${v.events}`);
      assert.ok(v.lines.length >= 1, 'names script lines');
      for (const i of v.events) assert.ok(i > 0 && i < bad.events.length);
    }
    const good = await runAndCheck(text, 'settled');
    assert.deepEqual(good.report.violations, [], describeViolations(good));
  });
}

test('ignore-dep: the stale answers are the gets on lines 16 and 22, witnessed by the write and the read they contradict', async () => {
  const run = await runAndCheck(fs.readFileSync(path.join(FIXTURES, 'ignore-dep.kvcmd'), 'utf8'), 'settled', { variant: 'ignoreDep' });
  const got = run.report.violations.map((v) => ({ rule: v.rule, lines: v.lines, kinds: v.events.map((i) => run.events[i].type) }));
  assert.deepEqual(got, [
    { rule: 'session', lines: [10, 16], kinds: ['get', 'put'] },
    { rule: 'session', lines: [19, 22], kinds: ['get', 'get'] },
  ]);
  // In the correct run the same gets answer ERR_DEP, and each is justified by server 1's store.
  const good = await runAndCheck(fs.readFileSync(path.join(FIXTURES, 'ignore-dep.kvcmd'), 'utf8'), 'settled');
  const errDeps = good.events.filter((e): e is EventOf<'get'> => e.type === 'get' && e.result.kind === 'ERR_DEP');
  assert.deepEqual(errDeps.map((e) => e.line), [16, 22]);
  assert.deepEqual(good.report.violations, []);
});

test('forgetful gossip: the write that never reached server 2, and the link it should have crossed', async () => {
  const run = await runAndCheck(fs.readFileSync(path.join(FIXTURES, 'forgetful-gossip.kvcmd'), 'utf8'), 'settled', { variant: 'forgetfulGossip' });
  assert.equal(run.report.violations.length, 1, describeViolations(run));
  const [v] = run.report.violations;
  assert.match(v.message, /^put k=first \(\d+,0\) reached server \d, but its flood never reached server 2/);
  assert.deepEqual(v.events.map((i) => run.events[i].type).sort(), ['applied', 'linkCreated', 'put']);
});

test('a broken variant caught in one gossip mode is caught in the others where its bug can show', async () => {
  for (const [file, variant] of [['ignore-dep.kvcmd', 'ignoreDep'], ['skip-last-child.kvcmd', 'skipLastChild']] as const) {
    for (const gossip of ['async', 'off'] as const) {
      const run = await runAndCheck(fs.readFileSync(path.join(FIXTURES, file), 'utf8'), gossip, { variant });
      assert.ok(run.report.violations.length > 0, `${file} ${gossip}`);
    }
  }
});

test('under vector clocks, a server that ignores the dependency is caught where only vectors tell: an unseen own write behind a greater sum', async () => {
  const text = fs.readFileSync(path.join(FIXTURES, '..', 'protocols', 'unseen-write.kvcmd'), 'utf8');
  const good = await runAndCheck(text, 'settled', { protocol: 'vector' });
  assert.deepEqual(good.report.violations, [], describeViolations(good));
  const bad = await runAndCheck(text, 'settled', { protocol: 'vector', variant: 'ignoreDep' });
  const [v] = bad.report.violations;
  assert.ok(v, 'flagged');
  assert.equal(v.rule, 'session');
  assert.match(v.message, /returned theirs3 \{1:3\}, which has not seen \{0:1\} the client wrote before/);
  assert.deepEqual(v.lines, [7, 16]);
  // The same answer is right under Lamport stamps, where (counter,1) is greater than the write: no violation.
  const lamport = await runAndCheck(text, 'settled', { protocol: 'lamport', variant: 'ignoreDep' });
  assert.deepEqual(lamport.report.violations, []);
});
