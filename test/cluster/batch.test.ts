import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as xmlrpc from 'xmlrpc';
import { WireError } from '../../cluster/envelopeCheck';
import { fromWire, fromWireBatch, MAX_BATCH, toWireBatch, toWireText } from '../../cluster/wire';
import { XmlRpcTransport } from '../../cluster/xmlrpcTransport';
import type { XmlRpcServer } from '../../cluster/xmlrpcServer';
import type { Envelope } from '../../protocol/messages';

// Async gossip between kvcmd's own nodes is paced: at most one gossip call to a node per pace,
// what comes meanwhile goes in one call (a batch), answered with every reply in order. Nothing
// else is ever held, and a transport that may talk to nodes you bring (no compact wire) never
// batches.

const SECRET = 's3cret';

const gossip = (id: number, to = 1): Envelope => ({
  from: 0, to, id, replyTo: 0, counter: id, cause: { line: id, step: id },
  body: { type: 'gossip', entry: { key: `k${id}`, value: `v${id}`, stamp: { counter: id, server: 0 } }, visited: [0, to] },
});

/** A node that acknowledges every request at once, and counts the HTTP calls it is sent. */
async function acker(): Promise<{ t: XmlRpcTransport; port: number; got: Envelope[]; calls: () => number; refused: string[] }> {
  const got: Envelope[] = [];
  const refused: string[] = [];
  const t = new XmlRpcTransport((env) => {
    got.push(env);
    t.send({ from: env.to, to: env.from, id: 100 + env.id, replyTo: env.id, counter: env.counter + 1, cause: env.cause, body: { type: 'gossipAck', visited: [0, 1], frontier: [] } });
  }, (why) => refused.push(why));
  t.setSecret(SECRET);
  t.compactWire();
  let calls = 0;
  (t as unknown as { server: XmlRpcServer }).server.http.on('request', () => calls++);
  return { t, port: await t.listen(), got, calls: () => calls, refused };
}

/** A sender whose replies resolve the returned promise once `n` are in. */
function sender(port: number, pace: number, n: number, compact = true): { t: XmlRpcTransport; replies: Promise<Envelope[]> } {
  const replies: Envelope[] = [];
  let done!: (r: Envelope[]) => void;
  const all = new Promise<Envelope[]>((resolve) => (done = resolve));
  const t = new XmlRpcTransport((env) => {
    replies.push(env);
    if (replies.length === n) done(replies);
  });
  t.setSecret(SECRET);
  t.setPort(1, port);
  if (compact) t.compactWire();
  t.paceGossip(pace);
  return { t, replies: all };
}

test('async gossip to one node: the first goes at once, what follows within the pace goes in one call, every reply to its request', async () => {
  const b = await acker();
  const a = sender(b.port, 200, 6);
  try {
    for (let id = 1; id <= 6; id++) a.t.send(gossip(id));
    const replies = await a.replies;
    assert.deepEqual(b.got.map((e) => e.id), [1, 2, 3, 4, 5, 6], 'in send order');
    assert.deepEqual(b.got, [1, 2, 3, 4, 5, 6].map((id) => gossip(id)), 'each envelope whole');
    assert.equal(b.calls(), 2, 'one call for the first, one for the five after it');
    assert.deepEqual(replies.map((r) => [r.replyTo, r.id, r.body.type]), [1, 2, 3, 4, 5, 6].map((id) => [id, 100 + id, 'gossipAck']));
  } finally {
    a.t.close();
    b.t.close();
  }
});

test('without a pace (settled and off modes), or without the compact wire, every gossip is its own call; other requests are never held', async () => {
  for (const [pace, compact] of [[0, true], [10_000, false]] as const) {
    const b = await acker();
    const a = sender(b.port, pace, 4, compact);
    try {
      for (let id = 1; id <= 4; id++) a.t.send(gossip(id));
      await a.replies;
      assert.equal(b.calls(), 4, `pace ${pace}, compact ${compact}`);
    } finally {
      a.t.close();
      b.t.close();
    }
  }
  const c = await acker();
  const d = sender(c.port, 10_000, 3);
  try {
    d.t.send(gossip(1));
    d.t.send(gossip(2));
    d.t.send({ ...gossip(3), body: { type: 'get', key: 'k', dep: null } });
    // The get is answered long before the pace lets the second gossip go.
    const first = await Promise.race([d.replies, new Promise<Envelope[]>((resolve) => setTimeout(() => resolve(c.got), 2_000))]);
    assert.deepEqual(first.map((e) => e.id).sort(), [1, 3]);
  } finally {
    d.t.close();
    c.t.close();
  }
});

test('a batch on the wire: read back whole, and refused whole when anything in it is wrong', async () => {
  const envs = [gossip(1), gossip(2, 3)];
  assert.deepEqual(fromWireBatch(toWireBatch(envs.map((e) => toWireText(e)))), envs);
  const bad: unknown[] = [undefined, {}, '', '{}', '[]', '[1]', toWireText(gossip(1)), `[${toWireText(gossip(1))},{"from":-1}]`, `[${'{}'.repeat(2)}]`,
    JSON.stringify(new Array(MAX_BATCH + 1).fill(JSON.parse(toWireText(gossip(1)))))];
  for (const [i, b] of bad.entries()) assert.throws(() => fromWireBatch(b), WireError, `case ${i}`);
  // A single envelope is not read as a list, nor a list as one envelope.
  assert.throws(() => fromWire(toWireBatch(envs.map((e) => toWireText(e)))), WireError);

  const b = await acker();
  const call = (params: unknown[]): Promise<{ err: unknown; value: unknown }> => {
    const c = xmlrpc.createClient({ host: '127.0.0.1', port: b.port, path: '/' });
    return new Promise((resolve) => c.methodCall('deliver', params, (err: unknown, value: unknown) => resolve({ err, value })));
  };
  try {
    const ok = await call([toWireBatch([gossip(7), gossip(8)].map((e) => toWireText(e))), SECRET]);
    assert.equal(ok.err, null);
    assert.deepEqual(fromWireBatch(ok.value).map((r) => r.replyTo), [7, 8]);
    for (const params of [
      [toWireBatch([gossip(9), gossip(9)].map((e) => toWireText(e))), SECRET],
      [toWireBatch([gossip(10), { ...gossip(11), replyTo: 3 }].map((e) => toWireText(e))), SECRET],
      [toWireBatch([gossip(12), gossip(13)].map((e) => toWireText(e))), 'guess'],
      [`[${toWireText(gossip(14))},"x"]`, SECRET],
    ]) assert.ok((await call(params)).err, JSON.stringify(params).slice(0, 120));
    assert.deepEqual(b.got.map((e) => e.id), [7, 8], 'nothing of a refused batch reached the node');
    assert.ok(b.refused.some((r) => /again/.test(r)) && b.refused.some((r) => /reply sent as a call/.test(r)) && b.refused.some((r) => /secret/.test(r)), b.refused.join('\n'));
  } finally {
    b.t.close();
  }
});

test('in a batch each envelope keeps what the network did to it: a copy arrives marked, a dropped reply reaches its requester marked', async () => {
  const got: { env: Envelope; how: unknown }[] = [];
  const b = new XmlRpcTransport((env, how) => {
    got.push({ env, how });
    // The reply to the third request is dropped on its way back.
    b.send({ from: env.to, to: env.from, id: 100 + env.id, replyTo: env.id, counter: env.counter + 1, cause: env.cause, body: { type: 'gossipAck', visited: [0, 1], frontier: [] } }, env.id === 3 ? { dropped: true } : undefined);
  });
  b.setSecret(SECRET);
  b.compactWire();
  const port = await b.listen();
  const replies: { env: Envelope; how: unknown }[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const a = new XmlRpcTransport((env, how) => {
    replies.push({ env, how });
    if (replies.length === 4) done();
  });
  a.setSecret(SECRET);
  a.setPort(1, port);
  a.compactWire();
  a.paceGossip(200);
  try {
    a.send(gossip(1));
    a.send(gossip(2), { copies: 2 });
    a.send(gossip(3));
    a.send(gossip(4));
    await all;
    assert.deepEqual(got.map((g) => [g.env.id, g.how]), [[1, undefined], [2, { copies: 2 }], [3, undefined], [4, undefined]]);
    assert.deepEqual(replies.map((r) => [r.env.replyTo, r.how]), [[1, undefined], [2, undefined], [3, { dropped: true }], [4, undefined]]);
  } finally {
    a.close();
    b.close();
  }
});
