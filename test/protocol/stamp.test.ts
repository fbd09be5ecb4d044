import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemeOf } from '../../protocol/schemes';

const { compare: compareStamps } = schemeOf('lamport');
const newerStamp = (a: Stamp | null, b: Stamp): Stamp => schemeOf('lamport').depend(a, b);
import { LamportClock } from '../../protocol/clock';
import { Store } from '../../protocol/store';
import type { Stamp } from '../../protocol/messages';

test('stamps order by counter, then by server id', () => {
  assert.ok(compareStamps({ counter: 2, server: 9 }, { counter: 3, server: 0 }) < 0);
  assert.ok(compareStamps({ counter: 2, server: 0 }, { counter: 2, server: 3 }) < 0);
  assert.equal(compareStamps({ counter: 4, server: 1 }, { counter: 4, server: 1 }), 0);
    assert.deepEqual(newerStamp({ counter: 5, server: 0 }, { counter: 4, server: 9 }), { counter: 5, server: 0 });
});

test('Lamport clock: +1 on send, max(own, received) + 1 on receive', () => {
  const c = new LamportClock();
  assert.equal(c.tickForSend(), 1);
  assert.equal(c.observe(7), 8);
  assert.equal(c.observe(3), 9);
  assert.equal(c.tickForSend(), 10);
});

test('a store keeps the entry with the greatest stamp, tie broken by server id', () => {
  const s = new Store();
  assert.notEqual(s.offer({ key: 'k', value: 'a', stamp: { counter: 2, server: 0 } }), null);
  assert.notEqual(s.offer({ key: 'k', value: 'b', stamp: { counter: 2, server: 3 } }), null);
  assert.equal(s.offer({ key: 'k', value: 'c', stamp: { counter: 2, server: 1 } }), null);
  assert.equal(s.offer({ key: 'k', value: 'b', stamp: { counter: 2, server: 3 } }), null, 'an equal write is dropped');
  assert.equal(s.get('k')?.value, 'b');
});

test('newerThan lists exactly what the other store lacks or holds older', () => {
  const a = Store.of([
    { key: 'x', value: '1', stamp: { counter: 5, server: 0 } },
    { key: 'y', value: '2', stamp: { counter: 3, server: 0 } },
    { key: 'z', value: '3', stamp: { counter: 1, server: 0 } },
  ]);
  const b = Store.of([
    { key: 'x', value: 'old', stamp: { counter: 4, server: 2 } },
    { key: 'y', value: 'new', stamp: { counter: 3, server: 1 } },
  ]);
  assert.deepEqual(a.newerThan(b).map((e) => e.key).sort(), ['x', 'z']);
  assert.deepEqual(b.newerThan(a).map((e) => e.key), ['y'], 'same counter, greater server id is newer');
});

test('sorted() uses plain string order', () => {
  const s = Store.of(['b', 'B', 'a', '10', '9'].map((key) => ({ key, value: key, stamp: { counter: 1, server: 0 } })));
  assert.deepEqual(s.sorted().map((e) => e.key), ['10', '9', 'B', 'a', 'b']);
});
