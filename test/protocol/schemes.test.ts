import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stamp, StoreEntry } from '../../protocol/messages';
import { PROTOCOLS, schemeOf } from '../../protocol/schemes';
import { formatStamp, sameStamp, writeKey } from '../../protocol/stamp';
import { Store } from '../../protocol/store';

const entry = (value: string, stamp: Stamp): StoreEntry => ({ key: 'k', value, stamp });
const v = (vector: Record<number, number>, server: number): Stamp =>
  ({ counter: Object.values(vector).reduce((a, b) => a + b, 0), server, vector });

test('lamport: an equal counter goes to the higher server id; lamport-low: to the lower one', () => {
  const a = { counter: 4, server: 1 }, b = { counter: 4, server: 3 };
  assert.ok(schemeOf('lamport').compare(a, b) < 0);
  assert.ok(schemeOf('lamport-low').compare(a, b) > 0);
  for (const name of ['lamport', 'lamport-low'] as const) {
    assert.ok(schemeOf(name).compare({ counter: 3, server: 9 }, { counter: 4, server: 0 }) < 0, `${name}: counters first`);
  }
  const low = new Store(schemeOf('lamport-low'));
  low.offer(entry('from3', b));
  assert.equal(low.offer(entry('from1', a))?.value, 'from1', 'lamport-low keeps the lower id on a tie');
  const high = new Store(schemeOf('lamport'));
  high.offer(entry('from3', b));
  assert.equal(high.offer(entry('from1', a)), null, 'lamport keeps the higher id on a tie');
});

test('lamport-low counts writes, not messages, and never repeats a counter after what it has kept', () => {
  const clock = schemeOf('lamport-low').writeClock(2, 0);
  assert.deepEqual(clock.next(57), { counter: 1, server: 2 }, 'the message counter does not matter');
  clock.observe({ counter: 6, server: 0 });
  assert.deepEqual(clock.next(58), { counter: 7, server: 2 });
  const rejoined = schemeOf('lamport-low').writeClock(2, 40);
  assert.deepEqual(rejoined.next(1), { counter: 41, server: 2 });
  assert.deepEqual(schemeOf('lamport').writeClock(2, 0).next(57), { counter: 57, server: 2 }, 'lamport stamps with the message counter');
});

test('vector: a dominated write is dropped, a dominating one replaces, concurrent ones merge to the greater value', () => {
  const s = schemeOf('vector');
  const w0 = v({ 0: 1 }, 0), w1 = v({ 1: 1 }, 1), w01 = v({ 0: 1, 1: 1 }, 1);
  assert.equal(s.resolve(entry('new', w01), entry('old', w0)), null);
  assert.equal(s.resolve(entry('old', w0), entry('new', w01))?.value, 'new');
  // Concurrent: sums equal, the higher server id keeps its value; the stamp is the join.
  const merged = s.resolve(entry('a', w0), entry('b', w1))!;
  assert.equal(merged.value, 'b');
  assert.deepEqual(merged.stamp, { counter: 2, server: 1, vector: { 0: 1, 1: 1 } });
  assert.deepEqual(s.resolve(entry('b', w1), entry('a', w0)), merged, 'the same whichever arrives first');
  assert.equal(s.resolve(merged, entry('a', w0)), null, 'the merge supersedes both');
  assert.equal(s.resolve(merged, entry('b', w1)), null);
  // A greater sum wins a concurrent meeting even from a lower id.
  assert.equal(s.resolve(entry('a', v({ 1: 1 }, 1)), entry('c', v({ 0: 2 }, 0)))?.value, 'c');
});

test('vector: ERR_DEP unless the server has seen the write the client depends on, even behind a greater sum', () => {
  const s = schemeOf('vector');
  const mine = v({ 0: 1 }, 0);
  const theirs = v({ 1: 5 }, 1);
  assert.equal(s.covers(theirs, mine), false, 'a greater sum that has not seen my write does not cover it');
  assert.equal(schemeOf('lamport').covers(theirs, mine), true, 'where Lamport stamps would answer');
  assert.equal(s.covers(v({ 0: 1, 1: 5 }, 1), mine), true);
  assert.equal(s.covers(null, mine), false);
  const dep = s.depend(mine, theirs);
  assert.deepEqual(dep.vector, { 0: 1, 1: 5 }, 'a dependency is the join of what the client wrote and read');
  assert.equal(s.covers(theirs, dep), false);
});

test('vector write clocks carry what the server kept into its next write, and a rejoined server starts above its past', () => {
  const s = schemeOf('vector');
  const c = s.writeClock(1, 0);
  assert.deepEqual(c.next(9), { counter: 1, server: 1, vector: { 1: 1 } });
  c.observe(v({ 0: 2 }, 0));
  assert.deepEqual(c.next(9), { counter: 4, server: 1, vector: { 0: 2, 1: 2 } });
  assert.deepEqual(s.writeClock(1, 7).next(0).vector, { 1: 8 });
});

test('each scheme orders totally and agrees with resolve: what replaces is greater', () => {
  const stamps: Stamp[] = [];
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (const server of [0, 1]) {
    if (a + b > 0) stamps.push(v({ 0: a, 1: b }, server));
  }
  for (const name of PROTOCOLS) {
    const s = schemeOf(name);
    const pool = name === 'vector' ? stamps : stamps.map((x) => ({ counter: x.counter, server: x.server }));
    for (const x of pool) for (const y of pool) {
      assert.equal(Math.sign(s.compare(x, y)) + 0, -Math.sign(s.compare(y, x)) + 0, `${name}: antisymmetric`);
      const kept = s.resolve(entry('x', x), entry('y', y));
      if (kept) assert.ok(s.compare(kept.stamp, x) > 0, `${name}: ${formatStamp(kept.stamp)} replaced ${formatStamp(x)}`);
    }
  }
});

test('stamps are written in their scheme\'s form and name their write', () => {
  assert.equal(formatStamp({ counter: 5, server: 0 }), '(5,0)');
  assert.equal(formatStamp(v({ 0: 2, 3: 1 }, 3)), '{0:2,3:1}');
  assert.equal(formatStamp(null), 'none');
  assert.ok(sameStamp(v({ 0: 1 }, 0), v({ 0: 1 }, 0)));
  assert.ok(!sameStamp(v({ 0: 1, 1: 1 }, 1), v({ 1: 2 }, 1)), 'same sum and server, different vectors');
  // A merge keeps the winner's own count: it names the winning write.
  assert.equal(writeKey(v({ 0: 1, 1: 1 }, 1)), writeKey(v({ 1: 1 }, 1)));
  assert.notEqual(writeKey(v({ 1: 2 }, 1)), writeKey(v({ 0: 1, 1: 1 }, 1)));
});
