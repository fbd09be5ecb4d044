import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeHost } from '../../cluster/host';
import { Master } from '../../cluster/master';
import type { ControlBody, ControlResult, InitBody, NodeId, NodeNotice } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';

// The master's side of going on at a server's word (docs/protocol.md, "Processes"), on a host whose
// clients answer only when the test says: what is published, when, and what is not.

class SlowClientsHost implements NodeHost {
  readonly backend = 'processes';
  readonly servesNotices = true;
  private notices: ((ns: NodeNotice[], at: number | undefined) => void)[] = [];
  /** Clients' answers the test has not released yet. */
  readonly owed: { resolve: (r: ControlResult) => void; body: ControlBody }[] = [];
  private counter = 0;

  async start(_init: InitBody): Promise<{ port: number; pid: number }> {
    return { port: 1, pid: 1 };
  }
  async kill(): Promise<void> {}
  control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    if (body.type !== 'put' && body.type !== 'get') return Promise.resolve({ type: 'ok' });
    const stamp = { counter: ++this.counter, server: 0 };
    const reply = body.type === 'put' ? { type: 'putReply' as const, key: body.key, stamp } : { type: 'getReply' as const, key: body.key, result: { kind: 'ERR_KEY' as const } };
    // The server answers at once; the client's own account waits.
    setImmediate(() => { for (const l of this.notices) l([{ type: 'served', server: 0, client: id, step: body.cause.step, reply }], 0); });
    return new Promise((resolve) => this.owed.push({ resolve, body }));
  }
  async pause(): Promise<void> {}
  now(): number { return 0; }
  onNotices(l: (ns: NodeNotice[], at: number | undefined) => void): void { this.notices.push(l); }
  async setFaults(): Promise<void> {}
  async suspend(): Promise<void> {}
  async resume(): Promise<void> {}
  async release(): Promise<void> {}
  onNodeLost(): void {}
  async close(): Promise<void> {
    // As ProcessHost does: a killed client answers what it still owed with an error.
    for (const o of this.owed.splice(0)) o.resolve({ type: 'error', message: 'node 5 exited (SIGKILL)' });
  }
}

async function setUp(): Promise<{ host: SlowClientsHost; master: Master; events: ClusterEvent[] }> {
  const host = new SlowClientsHost();
  const master = new Master(host, { seed: 1, gossip: 'off', trace: false });
  const events: ClusterEvent[] = [];
  master.onEvent((e) => events.push(e));
  await master.execute({ name: 'joinServer', line: 1, server: 0 });
  await master.execute({ name: 'joinClient', line: 2, client: 5, server: 0 });
  return { host, master, events };
}

test('puts and gets go on at the server\'s word; a get prints at once; the clients\' accounts are published with their own lines, before the next other command', async () => {
  const { host, master, events } = await setUp();
  await master.execute({ name: 'put', line: 3, client: 5, key: 'k', value: 'v' });
  await master.execute({ name: 'get', line: 4, client: 5, key: 'k' });
  assert.equal(host.owed.length, 2, 'both commands returned before their client answered');
  assert.deepEqual(events.filter((e) => e.type === 'stdout').map((e) => e.type === 'stdout' && [e.line, e.text]), [[4, 'k:ERR_KEY']]);
  assert.equal(events.some((e) => e.type === 'put' || e.type === 'get'), false);
  // A command other than put or get waits for them.
  const next = master.execute({ name: 'stabilize', line: 5 });
  await new Promise((r) => setImmediate(r));
  assert.equal(events.some((e) => e.type === 'stabilizeBegun'), false, 'stabilize began before the clients had answered');
  const [put, get] = host.owed.splice(0);
  put.resolve({ type: 'putDone', ok: true, key: 'k', value: 'v', server: 0, stamp: { counter: 1, server: 0 }, counter: 3 });
  get.resolve({ type: 'getDone', ok: true, key: 'k', server: 0, result: { kind: 'ERR_KEY' }, depBefore: null, depAfter: null, counter: 5 });
  await next;
  const order = events.filter((e) => ['put', 'get', 'stabilizeBegun'].includes(e.type)).map((e) => [e.type, 'line' in e ? e.line : 0]);
  assert.deepEqual(order, [['put', 3], ['get', 4], ['stabilizeBegun', 5]]);
});

test('a run ended while clients still owe their accounts publishes no failure for commands their servers applied', async () => {
  const { master, events } = await setUp();
  await master.execute({ name: 'put', line: 3, client: 5, key: 'a', value: 'x' });
  await master.execute({ name: 'put', line: 4, client: 5, key: 'b', value: 'y' });
  await master.close();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events.filter((e) => e.type === 'failed'), []);
});

test('a recorded run waits for each client, as before', async () => {
  const host = new SlowClientsHost();
  const master = new Master(host, { seed: 1, gossip: 'off', trace: true });
  await master.execute({ name: 'joinServer', line: 1, server: 0 });
  await master.execute({ name: 'joinClient', line: 2, client: 5, server: 0 });
  let returned = false;
  const put = master.execute({ name: 'put', line: 3, client: 5, key: 'k', value: 'v' }).then(() => (returned = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(returned, false);
  host.owed.splice(0)[0].resolve({ type: 'putDone', ok: true, key: 'k', value: 'v', server: 0, stamp: { counter: 1, server: 0 }, counter: 3 });
  await put;
  assert.equal(returned, true);
});
