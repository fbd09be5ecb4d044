import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageFacts, RecordNotice } from '../../protocol/messages';
import { CausalOrder } from '../../record/causalOrder';

const cause = { line: 4, step: 2 };
const msg = (from: number, to: number, id: number, replyTo = 0): MessageFacts =>
  ({ from, to, id, replyTo, kind: replyTo ? 'getReply' : 'get', cause });

// A get from client 9 to server 0 and its reply, as each node reports it.
const client: RecordNotice[][] = [
  [{ type: 'sent', node: 9, counter: 1, msg: msg(9, 0, 1), body: { key: 'k' } }],
  [{ type: 'delivered', node: 9, counter: 4, msg: msg(0, 9, 1, 1) }],
];
const server: RecordNotice[][] = [
  [{ type: 'delivered', node: 0, counter: 2, msg: msg(9, 0, 1) }, { type: 'sent', node: 0, counter: 3, msg: msg(0, 9, 1, 1), body: {} }],
];

function order(batches: RecordNotice[][]): { types: string[]; quietAfter: boolean[] } {
  const o = new CausalOrder();
  const quietAfter = batches.map((b) => {
    for (const n of b) o.add(n);
    return o.quiet();
  });
  return { types: o.drain().map((e) => `${e.type}@${'node' in e ? e.node : ''}`), quietAfter };
}

test('the same reports give the same order, whichever node\'s arrive first', () => {
  const expected = ['send@9', 'deliver@0', 'send@0', 'deliver@9'];
  assert.deepEqual(order([...client, ...server]).types, expected);
  assert.deepEqual(order([...server, ...client]).types, expected);
  assert.deepEqual(order([client[0], ...server, client[1]]).types, expected);
});

test('quiet only when every send has its end and every end its send', () => {
  assert.deepEqual(order([...client, ...server]).quietAfter, [false, false, true]);
  assert.deepEqual(order([client[0], ...server, client[1]]).quietAfter, [false, false, true]);
});

test('a delivery whose send has not been reported waits; drain(true) lets everything out', () => {
  const o = new CausalOrder();
  for (const n of server[0]) o.add(n);
  assert.deepEqual(o.drain().map((e) => e.type), [], 'the server\'s stream starts with a delivery of an unreported send');
  assert.equal(o.size, 2);
  assert.deepEqual(o.drain(true).map((e) => e.type), ['deliver', 'send']);
  assert.equal(o.size, 0);
});

test('events carry the cause\'s line and step, the message id and the reply\'s request', () => {
  const o = new CausalOrder();
  for (const b of [...client, ...server]) for (const n of b) o.add(n, 12.5);
  const [send, , reply] = o.drain();
  assert.deepEqual(send, { type: 'send', line: 4, step: 2, msg: '9.1', from: 9, to: 0, kind: 'get', node: 9, counter: 1, body: { key: 'k' }, t: 12.5 });
  assert.equal(reply.type === 'send' && reply.re, '9.1');
});

// A gossip wave of server 0 (step 21) while server 2 is paused: 0.11 is held for it, and server 0
// takes the wave's acks only once all are in. After the resume, server 0's reports of those acks
// may reach the master before server 2's report of taking 0.11: the order must not depend on it.
test('after a resume, a holder\'s deliveries wait for the paused server\'s reports, whichever come first', () => {
  const at = { line: 31, step: 21 };
  const m = (from: number, to: number, id: number, replyTo = 0): MessageFacts =>
    ({ from, to, id, replyTo, kind: replyTo ? 'gossipAck' : 'gossip', cause: at });
  const before: RecordNotice[] = [
    { type: 'sent', node: 0, counter: 34, msg: m(0, 1, 10), body: {} },
    { type: 'sent', node: 0, counter: 35, msg: m(0, 2, 11), body: {} },
    { type: 'delivered', node: 1, counter: 35, msg: m(0, 1, 10) },
    { type: 'sent', node: 1, counter: 36, msg: m(1, 0, 9, 10), body: {} },
  ];
  const holder: RecordNotice[] = [
    { type: 'delivered', node: 0, counter: 37, msg: m(1, 0, 9, 10) },
    { type: 'delivered', node: 0, counter: 38, msg: m(2, 0, 7, 11) },
  ];
  const paused: RecordNotice[] = [
    { type: 'delivered', node: 2, counter: 36, msg: m(0, 2, 11) },
    { type: 'sent', node: 2, counter: 37, msg: m(2, 0, 7, 11), body: {} },
  ];
  // As the master does: whenever the run is quiet, what is ready goes out.
  const run = (after: RecordNotice[][]): string[] => {
    const o = new CausalOrder();
    const out: string[] = [];
    const flush = (): void => {
      if (o.quiet()) for (const e of o.drain()) out.push(`${e.type}@${'node' in e ? e.node : ''}`);
    };
    for (const n of before) o.add(n);
    o.park(0, 11);
    flush();
    o.resumed(2, 21);
    for (const b of after) {
      for (const n of b) o.add(n);
      flush();
    }
    return out;
  };
  const expected = ['send@0', 'send@0', 'deliver@1', 'send@1', 'deliver@2', 'deliver@0', 'send@2', 'deliver@0'];
  assert.deepEqual(run([paused, holder]), expected);
  assert.deepEqual(run([holder, paused]), expected);
});
