import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientNode, ServerNode } from '../../protocol';
import { Envelope, lostReply, PeerBody } from '../../protocol/messages';

const cfg = (id: number, gossip: 'settled' | 'off' = 'settled') => ({ id, seed: 1, gossip, trace: false });

function linked<T extends ServerNode | ClientNode>(node: T, peers: [number, 'server' | 'client'][]): T {
  for (const [peer, peerRole] of peers) node.handleControl({ seq: 0, body: { type: 'link', peer, peerRole, port: 0 } });
  return node;
}

function request(from: number, to: number, counter: number, body: PeerBody, id = 1): Envelope {
  return { from, to, id, replyTo: 0, counter, cause: { line: 1, step: 1 }, body };
}

test('put: the server stamps with its counter after receiving, replies, then floods', () => {
  const s = linked(new ServerNode(cfg(0)), [[1, 'server'], [9, 'client']]);
  const fx = s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' }));
  assert.equal(fx.sends.length, 2);
  const [reply, gossip] = fx.sends;
  assert.deepEqual(reply.body, { type: 'putReply', key: 'k', stamp: { counter: 2, server: 0 } });
  assert.equal(reply.counter, 3);
  assert.equal(reply.replyTo, 1);
  assert.equal(gossip.to, 1);
  assert.equal(gossip.counter, 4);
  assert.deepEqual(gossip.body, { type: 'gossip', entry: { key: 'k', value: 'v', stamp: { counter: 2, server: 0 } }, visited: [0, 1] });
});

test('put then get: client counters follow max(own, received) + 1 and the dependency is the stamp', () => {
  const s = linked(new ServerNode(cfg(0, 'off')), [[9, 'client']]);
  const c = linked(new ClientNode(cfg(9)), [[0, 'server']]);
  const put = c.handleControl({ seq: 1, body: { type: 'put', key: 'k', value: 'v', cause: { line: 1, step: 1 } } });
  assert.equal(put.sends[0].counter, 1);
  const reply = s.handleMessage(put.sends[0]).sends[0];
  const done = c.handleMessage(reply).replies[0].result;
  assert.deepEqual(done, { type: 'putDone', ok: true, key: 'k', value: 'v', server: 0, stamp: { counter: 2, server: 0 }, counter: 4 });
  const get = c.handleControl({ seq: 2, body: { type: 'get', key: 'k', cause: { line: 2, step: 2 } } });
  assert.deepEqual(get.sends[0].body, { type: 'get', key: 'k', dep: { counter: 2, server: 0 } });
  const got = c.handleMessage(s.handleMessage(get.sends[0]).sends[0]).replies[0].result;
  assert.equal(got.type, 'getDone');
  assert.ok(got.type === 'getDone' && got.ok && got.result.kind === 'value' && got.result.value === 'v');
  assert.equal(s.snapshot().counter, 7, 'received 5 -> 6, replied with 7');
  assert.equal(c.snapshot().counter, 8);
});

test('get: ERR_KEY without a dependency, ERR_DEP when the copy is missing or older', () => {
  const s = linked(new ServerNode(cfg(0, 'off')), [[9, 'client']]);
  const ask = (dep: { counter: number; server: number } | null) =>
    s.handleMessage(request(9, 0, 1, { type: 'get', key: 'k', dep })).sends[0].body;
  assert.deepEqual(ask(null), { type: 'getReply', key: 'k', result: { kind: 'ERR_KEY' } });
  assert.deepEqual(ask({ counter: 3, server: 1 }), { type: 'getReply', key: 'k', result: { kind: 'ERR_DEP', held: null, dep: { counter: 3, server: 1 } } });
  s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' }, 2));
  const stamp = s.store.stampOf('k')!;
  assert.equal(ask({ counter: stamp.counter, server: stamp.server + 1 }).type, 'getReply');
  const older = ask({ counter: stamp.counter, server: stamp.server + 1 });
  assert.ok(older.type === 'getReply' && older.result.kind === 'ERR_DEP', 'same counter, greater server id: the copy is older');
  const same = ask(stamp);
  assert.ok(same.type === 'getReply' && same.result.kind === 'value');
});

test('gossip: an older or equal write is dropped, and the sender is told to go no further through it', () => {
  const s = linked(new ServerNode(cfg(1)), [[0, 'server'], [2, 'server']]);
  s.store.offer({ key: 'k', value: 'new', stamp: { counter: 5, server: 1 } });
  const fx = s.handleMessage(request(0, 1, 9, { type: 'gossip', entry: { key: 'k', value: 'old', stamp: { counter: 3, server: 0 } }, visited: [0, 1] }));
  assert.equal(fx.sends.length, 1, 'only the acknowledgement');
  assert.deepEqual(fx.sends[0].body, { type: 'gossipAck', visited: [0, 1], frontier: [] });
  assert.equal(s.store.get('k')?.value, 'new');
});

test('gossip: a newer write is applied and its receiver names its unreached neighbours, never the sender', () => {
  const s = linked(new ServerNode(cfg(1)), [[0, 'server'], [2, 'server'], [3, 'server']]);
  const fx = s.handleMessage(request(0, 1, 4, { type: 'gossip', entry: { key: 'k', value: 'v', stamp: { counter: 2, server: 0 } }, visited: [0, 1, 3] }));
  assert.equal(s.store.get('k')?.value, 'v');
  assert.deepEqual(fx.sends.map((e) => e.body), [{ type: 'gossipAck', visited: [0, 1, 3], frontier: [2] }]);
});

test('a flood sends one wave to all unreached neighbours, then spreads through them one at a time', () => {
  const s = linked(new ServerNode(cfg(0)), [[1, 'server'], [2, 'server'], [9, 'client']]);
  const fx = s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' }));
  const wave = fx.sends.filter((e) => e.body.type === 'gossip');
  assert.deepEqual(wave.map((e) => e.to), [1, 2]);
  assert.deepEqual(wave.map((e) => e.counter), [4, 5], 'counters assigned in id order');
  const ack = (e: Envelope, counter: number, frontier: number[]): Envelope =>
    ({ from: e.to, to: 0, id: 0, replyTo: e.id, counter, cause: e.cause, body: { type: 'gossipAck', visited: [0, 1, 2], frontier } });
  // Replies arrive out of order: nothing happens until both are in, then they count in id order.
  assert.equal(s.handleMessage(ack(wave[1], 30, [])).sends.length, 0);
  assert.equal(s.clock.value, 5, 'the early reply is not counted yet');
  const after = s.handleMessage(ack(wave[0], 10, [7]));
  assert.equal(s.clock.value, 32, 'max(max(5,10)+1, 30)+1 = 31, then +1 to send the spread');
  assert.equal(after.sends.length, 1);
  assert.equal(after.sends[0].to, 1);
  assert.deepEqual(after.sends[0].body, { type: 'spread', entry: { key: 'k', value: 'v', stamp: { counter: 2, server: 0 } }, visited: [0, 1, 2] });
  const done = s.handleMessage({ from: 1, to: 0, id: 0, replyTo: after.sends[0].id, counter: 40, cause: after.sends[0].cause, body: { type: 'gossipAck', visited: [0, 1, 2, 7], frontier: [] } });
  assert.deepEqual(done.notices.filter((n) => n.type === 'gossipSettled').length, 1);
});

test('a request over a cut link is refused and moves no counter', () => {
  const s = new ServerNode(cfg(0));
  const fx = s.handleMessage(request(5, 0, 10, { type: 'get', key: 'k', dep: null }));
  assert.deepEqual(fx.sends[0].body, { type: 'refused' });
  assert.equal(s.clock.value, 0);
});

test('a multi-linked client picks its server from the seeded generator, and retries another when one is gone', () => {
  const picks = (seed: number) => {
    const c = new ClientNode({ id: 9, seed, gossip: 'settled', trace: false });
    linked(c, [[0, 'server'], [1, 'server'], [2, 'server']]);
    const out: number[] = [];
    for (let i = 0; i < 12; i++) {
      const fx = c.handleControl({ seq: i, body: { type: 'get', key: 'k', cause: { line: 1, step: 1 } } });
      out.push(fx.sends[0].to);
      c.handleMessage({ from: fx.sends[0].to, to: 9, id: 0, replyTo: fx.sends[0].id, counter: 1, cause: fx.sends[0].cause, body: { type: 'getReply', key: 'k', result: { kind: 'ERR_KEY' } } });
    }
    return out;
  };
  assert.deepEqual(picks(4), picks(4));
  assert.notDeepEqual(picks(4), picks(5));
  assert.deepEqual(new Set([...picks(4), ...picks(5)]), new Set([0, 1, 2]));

  const c = linked(new ClientNode(cfg(9)), [[0, 'server'], [1, 'server']]);
  const first = c.handleControl({ seq: 1, body: { type: 'put', key: 'k', value: 'v', cause: { line: 1, step: 1 } } }).sends[0];
  const retry = c.handleMessage(lostReply(first, 'unreachable')).sends[0];
  assert.equal(retry.to, first.to === 0 ? 1 : 0);
  const last = c.handleMessage(lostReply(retry, 'unreachable'));
  assert.equal(last.replies[0].result.type, 'putDone');
  assert.ok(last.replies[0].result.type === 'putDone' && !last.replies[0].result.ok);
});

test('a traced node reports both ends of its messages, losses with their reason, and passes its cause on', () => {
  const traced = (id: number) => ({ id, seed: 1, gossip: 'settled' as const, trace: true });
  const s = linked(new ServerNode(traced(0)), [[1, 'server'], [9, 'client']]);
  const put = request(9, 0, 1, { type: 'put', key: 'k', value: 'v' });
  const fx = s.handleMessage({ ...put, cause: { line: 16, step: 11 } });
  // Everything the put set off (the reply and the gossip) carries the put's cause.
  assert.deepEqual(fx.sends.map((e) => e.cause), [{ line: 16, step: 11 }, { line: 16, step: 11 }]);
  assert.deepEqual(fx.notices.map((n) => n.type), ['delivered', 'applied', 'sent', 'sent']);
  const sent = fx.notices.filter((n) => n.type === 'sent');
  assert.deepEqual(sent.map((n) => n.type === 'sent' && [n.msg.kind, n.counter, n.msg.id, n.msg.replyTo]), [['putReply', 3, 1, 1], ['gossip', 4, 2, 0]]);

  // A request from a peer without a link is lost at the receiver, which moves no counter.
  const stranger = s.handleMessage(request(5, 0, 40, { type: 'get', key: 'k', dep: null }, 7));
  assert.deepEqual(stranger.notices, [{ type: 'lost', node: 0, counter: 4, reason: 'link cut', msg: { from: 5, to: 0, id: 7, replyTo: 0, kind: 'get', cause: { line: 1, step: 1 } } }]);
  assert.deepEqual(stranger.sends[0].body, { type: 'refused' });

  // A request to a process that is gone is lost at the sender, with the request's facts.
  const gossip = fx.sends[1];
  const gone = s.handleMessage(lostReply(gossip, 'unreachable'));
  assert.equal(gone.notices[0].type, 'lost');
  assert.ok(gone.notices[0].type === 'lost' && gone.notices[0].reason === 'unreachable' && gone.notices[0].msg.id === gossip.id && gone.notices[0].msg.kind === 'gossip');
});

test('an untraced node reports nothing but its gossip settling', () => {
  const s = linked(new ServerNode(cfg(0)), [[9, 'client']]);
  const fx = s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' }));
  assert.deepEqual(fx.notices.map((n) => n.type), ['gossipSettled']);
});

test('in async mode an untraced server reports nothing at all: nobody waits for its flood', () => {
  const s = linked(new ServerNode({ ...cfg(0), gossip: 'async' }), [[1, 'server'], [9, 'client']]);
  const fx = s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' }));
  const gossip = fx.sends.filter((e) => e.body.type === 'gossip');
  assert.equal(gossip.length, 1, 'it still floods');
  const done = s.handleMessage({ from: 1, to: 0, id: 0, replyTo: gossip[0].id, counter: 9, cause: gossip[0].cause, body: { type: 'gossipAck', visited: [0, 1], frontier: [] } });
  assert.deepEqual([...fx.notices, ...done.notices], []);
});

test('a wave reports the ends of its replies in request order, once all are in, whatever order they came in', () => {
  const traced = { id: 0, seed: 1, gossip: 'settled' as const, trace: true };
  // Server 0 floods to 1, 2, 3, 4: 1's ack arrives, 2's is dropped by the network, 3's process is
  // gone, and the link to 4 is cut before its ack is in.
  const ends = (order: number[]): string[] => {
    const s = linked(new ServerNode(traced), [[1, 'server'], [2, 'server'], [3, 'server'], [4, 'server'], [9, 'client']]);
    const wave = s.handleMessage(request(9, 0, 1, { type: 'put', key: 'k', value: 'v' })).sends.filter((e) => e.body.type === 'gossip');
    assert.deepEqual(wave.map((e) => e.to), [1, 2, 3, 4]);
    const ack = (e: Envelope, counter: number): Envelope => ({ from: e.to, to: 0, id: 1, replyTo: e.id, counter, cause: e.cause, body: { type: 'gossipAck', visited: [0, 1, 2, 3, 4], frontier: [] } });
    s.handleControl({ seq: 0, body: { type: 'unlink', peer: 4 } });
    const arrive = [
      () => s.handleMessage(ack(wave[0], 20)),
      () => s.handleDropped(ack(wave[1], 30)),
      () => s.handleMessage(lostReply(wave[2], 'unreachable')),
      () => s.handleMessage(ack(wave[3], 40)),
    ];
    const notices = order.flatMap((i) => arrive[i]().notices);
    return notices.filter((n) => n.type === 'delivered' || n.type === 'lost').map((n) => `${n.type === 'lost' ? `lost (${n.reason})` : 'delivered'} ${n.msg.from}>${n.msg.to} at ${n.counter}`);
  };
  // Request order; the delivery moves the counter (max(7, 20) + 1), the losses do not.
  const expected = ['delivered 1>0 at 21', 'lost (dropped) 2>0 at 21', 'lost (unreachable) 0>3 at 21', 'lost (link cut) 4>0 at 21'];
  for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1]]) assert.deepEqual(ends(order), expected, `arrival order ${order}`);
});
