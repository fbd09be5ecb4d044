import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GossipMode } from '../../protocol/messages';
import { randomScript } from './generate';
import { CheckedRun, describeViolations, runAndCheck } from './run';
import type { VariantName } from './variants';

// A checker that flags correct runs is useless: hundreds of random valid scripts, on the model
// with every message traced, in each gossip mode, must give no violation.
const RUNS = 250;

function tally(runs: CheckedRun[]): Record<string, number> {
  const count = (f: (r: CheckedRun) => number): number => runs.reduce((n, r) => n + f(r), 0);
  return {
    stabilizes: count((r) => r.events.filter((e) => e.type === 'stabilizeDone').length),
    errDep: count((r) => r.events.filter((e) => e.type === 'get' && e.result.kind === 'ERR_DEP').length),
    values: count((r) => r.events.filter((e) => e.type === 'get' && e.result.kind === 'value').length),
    kills: count((r) => r.events.filter((e) => e.type === 'nodeKilled').length),
    cuts: count((r) => r.events.filter((e) => e.type === 'linkCut').length),
    gossip: count((r) => r.events.filter((e) => e.type === 'applied' && e.via === 'gossip').length),
  };
}

for (const gossip of ['settled', 'async', 'off'] as GossipMode[]) {
  test(`${RUNS} random correct runs on the model (gossip ${gossip}): no violation`, async () => {
    const runs: CheckedRun[] = [];
    for (let seed = 1; seed <= RUNS; seed++) {
      const text = randomScript(seed, { commands: 50, maxServer: 7 });
      const run = await runAndCheck(text, gossip, { seed });
      assert.ok(run.ok, run.error);
      assert.deepEqual(run.report.violations, [], `seed ${seed}:\n${describeViolations(run)}\n${text}`);
      runs.push(run);
    }
    // The scripts exercise what the rules are about.
    const t = tally(runs);
    for (const [what, n] of Object.entries(t)) if (what !== 'gossip' || gossip !== 'off') assert.ok(n >= (what === 'errDep' ? 10 : 50), `${what}: ${n}`);
    if (gossip === 'off') assert.equal(t.gossip, 0);
  });
}

// The other protocols (protocol/schemes), judged by the checker's own order for each (check/stamp.ts).
for (const protocol of ['lamport-low', 'vector'] as const) {
  for (const gossip of ['settled', 'async', 'off'] as GossipMode[]) {
    test(`100 random correct runs under protocol ${protocol} (gossip ${gossip}), rejoins included: no violation`, async () => {
      const runs: CheckedRun[] = [];
      for (let seed = 1; seed <= 100; seed++) {
        const text = randomScript(seed, { commands: 50, maxServer: seed % 2 ? 7 : 2, rejoin: seed % 2 === 0 });
        const run = await runAndCheck(text, gossip, { seed, protocol });
        assert.ok(run.ok, run.error);
        assert.deepEqual(run.report.violations, [], `seed ${seed}:\n${describeViolations(run)}\n${text}`);
        runs.push(run);
      }
      const t = tally(runs);
      assert.ok(t.errDep >= 5 && t.values >= 50 && t.stabilizes >= 50, JSON.stringify(t));
    });
  }
}

test('random runs where killed servers rejoin pass the checker: a rejoined server never reuses a stamp', async () => {
  for (let seed = 1; seed <= 150; seed++) {
    const text = randomScript(seed, { commands: 50, maxServer: 2, rejoin: true });
    const run = await runAndCheck(text, 'settled', { seed });
    assert.equal(run.report.violations.length, 0, `seed ${seed}:\n${describeViolations(run)}`);
  }
});

// And the broken servers are caught on random scripts too, not only on the scripts made for them.
const expected: Record<Exclude<VariantName, 'correct' | 'copied'>, string> = {
  ignoreDep: 'session',
  keepOlder: 'stamps',
  skipLastChild: 'convergence',
  forgetfulGossip: 'gossip',
};

for (const [variant, rule] of Object.entries(expected) as [VariantName, string][]) {
  test(`random scripts catch variant ${variant} (rule ${rule})`, async () => {
    let caught = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const run = await runAndCheck(randomScript(seed, { commands: 50, maxServer: 7 }), 'settled', { seed, variant });
      if (run.report.violations.some((v) => v.rule === rule)) caught++;
    }
    assert.ok(caught >= 3, `caught in ${caught} of 60 runs`);
  });
}

// Real processes in async mode: gossip races the commands (sleep lets it travel), stabilize
// included. A chain of servers makes floods slow enough to overlap what follows.
test('async mode on real processes: random scripts and a slow chain, no violation', { timeout: 180_000 }, async () => {
  const chain = [
    ...[0, 1, 2, 3, 4].map((s) => `joinServer ${s}`),
    ...[0, 1, 2, 3, 4].flatMap((a) => [0, 1, 2, 3, 4].filter((b) => b > a + 1).map((b) => `breakConnection ${a} ${b}`)),
    'joinClient 10 0', 'joinClient 11 4', 'joinClient 12 2',
    'put 10 k a', 'put 11 k b', 'get 12 k', 'stabilize', 'put 10 j c', 'get 11 j', 'put 12 k d', 'stabilize', 'get 10 k', 'get 11 k',
    'sleep 50', 'put 11 j e', 'stabilize', 'get 10 j',
  ].join('\n') + '\n';
  const scripts = [chain, ...[1, 2, 3, 4].map((seed) => randomScript(1000 + seed, { commands: 35, maxServer: 5, sleepMs: 30 }))];
  for (const [i, text] of scripts.entries()) {
    const run = await runAndCheck(text, 'async', { seed: i + 1, backend: 'processes' });
    assert.ok(run.ok, run.error);
    assert.ok(run.report.traced);
    assert.deepEqual(run.report.violations, [], `script ${i}:\n${describeViolations(run)}\n${text}`);
  }
});
