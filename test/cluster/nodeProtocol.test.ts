import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WireError } from '../../cluster/envelopeCheck';
import {
  controlArgs, controlFromWire, type ControlType, handshakeLine, HANDSHAKE, initAnswer, initFromWire, noticesFromWire, noticesToWire, resultFromWire, resultToWire,
} from '../../cluster/nodeProtocol';
import type { ControlBody, ControlResult, NodeNotice } from '../../protocol/messages';

const node = { id: 5, role: 'client' as const };
const cause = { line: 3, step: 2 };

// Both ends of the protocol use nodeProtocol.ts: what one writes the other reads back the same.
test('every control call survives the trip: master writes, node reads', () => {
  const init = initFromWire(controlArgs({ type: 'init', id: 5, role: 'client', seed: 9, gossip: 'async', trace: true, clock: 4 }, 4321));
  assert.deepEqual(init, { body: { type: 'init', id: 5, role: 'client', seed: 9, gossip: 'async', trace: true, clock: 4 }, reportPort: 4321 });
  const bodies: ControlBody[] = [
    { type: 'link', peer: 1, peerRole: 'server', port: 40000 },
    { type: 'unlink', peer: 1 },
    { type: 'put', key: 'k', value: 'a\u0001b', cause },
    { type: 'get', key: 'é日本', cause },
    { type: 'stabilize', epoch: 2, cause },
    { type: 'snapshot' },
    { type: 'shutdown' },
  ];
  for (const b of bodies) assert.deepEqual(controlFromWire(b.type as Exclude<ControlType, 'init'>, controlArgs(b, 0)), b, b.type);
  // A control character travels as base64 of its JSON form.
  assert.ok(Buffer.isBuffer((controlArgs(bodies[2], 0) as { value: unknown }).value));
});

test('every answer survives the trip: node writes, master reads', () => {
  const put: ControlBody = { type: 'put', key: 'k', value: 'v', cause };
  const get: ControlBody = { type: 'get', key: 'k', cause };
  const cases: [ControlBody, ControlResult][] = [
    [put, { type: 'putDone', ok: true, key: 'k', value: 'v', server: 0, stamp: { counter: 2, server: 0 }, counter: 4 }],
    [put, { type: 'putDone', ok: false, key: 'k', reason: 'client 5 has no link to a server', counter: 0 }],
    [get, { type: 'getDone', ok: true, key: 'k', server: 1, result: { kind: 'value', value: 'v', stamp: { counter: 2, server: 0 } }, depBefore: null, depAfter: { counter: 2, server: 0 }, counter: 6 }],
    [get, { type: 'getDone', ok: true, key: 'k', server: 1, result: { kind: 'ERR_DEP', held: null, dep: { counter: 2, server: 0 } }, depBefore: { counter: 2, server: 0 }, depAfter: { counter: 2, server: 0 }, counter: 6 }],
    [get, { type: 'getDone', ok: true, key: 'k', server: 1, result: { kind: 'ERR_KEY' }, depBefore: null, depAfter: null, counter: 6 }],
    [{ type: 'stabilize', epoch: 3, cause }, { type: 'stabilizeDone', epoch: 3, root: true, members: [0, 2, 5] }],
    [{ type: 'snapshot' }, { type: 'snapshot', snapshot: { id: 5, role: 'client', counter: 7, links: [0, 1], store: [], deps: [{ key: 'k', stamp: { counter: 2, server: 0 } }] } }],
  ];
  for (const [body, result] of cases) assert.deepEqual(resultFromWire(body, resultToWire(result), node), result, JSON.stringify(result));
  const server = { id: 0, role: 'server' as const };
  const store = [{ key: 'B', value: '1', stamp: { counter: 3, server: 0 } }, { key: 'a', value: '\u0001', stamp: { counter: 2, server: 1 } }];
  const snap: ControlResult = { type: 'snapshot', snapshot: { id: 0, role: 'server', counter: 9, links: [1], store, deps: [] } };
  assert.deepEqual(resultFromWire({ type: 'snapshot' }, resultToWire(snap), server), snap);
  assert.throws(() => resultToWire({ type: 'error', message: 'a client cannot stabilize' }), /a client cannot stabilize/);
  assert.deepEqual(initAnswer({ reports: true }), { reports: true });
  assert.deepEqual(initAnswer({}), { reports: false });
});

test('a malformed answer is a WireError naming the field', () => {
  const put: ControlBody = { type: 'put', key: 'k', value: 'v', cause };
  const bad: [ControlBody, unknown, RegExp][] = [
    [put, 'ok', /the answer is not a struct/],
    [put, { ok: true, server: 0, stamp: { counter: 'x', server: 0 }, counter: 1 }, /stamp\.counter is not an integer/],
    [put, { ok: true, server: 0, stamp: { counter: 1, server: 0 } }, /counter is not an integer/],
    [{ type: 'get', key: 'k', cause }, { ok: true, server: 0, result: { kind: 'VALUE' }, counter: 1 }, /result\.kind is not value, ERR_KEY or ERR_DEP/],
    [{ type: 'stabilize', epoch: 1, cause }, { root: true, members: 'all' }, /members is not a list of ids/],
    [{ type: 'snapshot' }, { counter: 0, links: [], store: '[["k","v",1,0],["k","w",2,0]]', deps: [] }, /holds the key "k" twice/],
    [{ type: 'snapshot' }, { counter: 0, links: [], store: 'not json', deps: [] }, /entries are not JSON/],
  ];
  for (const [body, value, why] of bad) assert.throws(() => resultFromWire(body, value, node), (e: unknown) => e instanceof WireError && why.test(e.message), JSON.stringify(value));
});

test('reports: notices survive the trip, a get\'s absent dependency reads as null, malformed ones are refused', () => {
  const msg = { from: 5, to: 0, id: 1, replyTo: 0, kind: 'get' as const, cause };
  const notices: NodeNotice[] = [
    { type: 'sent', node: 5, counter: 1, msg, body: { key: 'k', dep: null } },
    { type: 'delivered', node: 0, counter: 2, msg },
    { type: 'lost', node: 0, counter: 2, msg, reason: 'link cut' },
    { type: 'applied', node: 0, counter: 2, cause, key: 'k', value: 'v', stamp: { counter: 2, server: 0 }, via: 'put', from: 5 },
    { type: 'gossipSettled', server: 0, key: 'k', stamp: { counter: 2, server: 0 } },
    { type: 'sent', node: 0, counter: 3, msg: { ...msg, from: 0, to: 5, replyTo: 1, kind: 'getReply' }, body: { key: 'k', result: { kind: 'ERR_DEP', held: null, dep: { counter: 1, server: 0 } } } },
  ];
  assert.deepEqual(noticesFromWire(noticesToWire(notices)), notices);
  for (const [v, why] of [
    [{}, /not a list/],
    [[{ type: 'said' }], /type "said" is not/],
    [[{ type: 'sent', node: 1, counter: 1, msg: { ...msg, kind: 'refused' }, body: {} }], /kind is not a message kind/],
    [[{ type: 'lost', node: 1, counter: 1, msg, reason: 'gone' }], /reason is not 'link cut' or 'unreachable'/],
    [[{ type: 'applied', node: 0, counter: 2, cause, key: 'a:b', value: 'v', stamp: { counter: 2, server: 0 }, via: 'put', from: 5 }], /key holds ':'/],
  ] as const) assert.throws(() => noticesFromWire(v), (e: unknown) => e instanceof WireError && why.test(e.message), JSON.stringify(v));
});

test('the handshake line', () => {
  assert.equal(handshakeLine(41234), 'kvcmd-node port 41234');
  assert.equal(HANDSHAKE.exec('kvcmd-node port 41234\r')?.[1], '41234');
  assert.equal(HANDSHAKE.exec('listening on 41234'), null);
});
