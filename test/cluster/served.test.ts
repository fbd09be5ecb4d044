import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessHost } from '../../cluster/processHost';
import type { ControlResult, InitBody, NodeNotice } from '../../protocol/messages';
import { clusterFixtures, runFile, runText, samples } from '../helpers';

// In runs of kvcmd's own processes that record nothing (no faults, no paused server), the master
// goes on from a put or get once its server has answered (the server's host reports `served`),
// while the client reads the answer; the client takes no command before it has (docs/protocol.md,
// "Processes"). Nothing any node does may change: the model, which runs one command at a time,
// must still predict every such run exactly.

const init = (id: number, role: 'server' | 'client', trace: boolean): InitBody => ({ type: 'init', id, role, seed: 1, gossip: 'settled', trace });
const cause = (step: number) => ({ line: step, step });

async function pair(trace: boolean): Promise<{ host: ProcessHost; notices: NodeNotice[] }> {
  const host = new ProcessHost();
  const notices: NodeNotice[] = [];
  host.onNotices((ns) => notices.push(...ns));
  const server = await host.start(init(0, 'server', trace));
  const client = await host.start(init(5, 'client', trace));
  await host.control(0, { type: 'link', peer: 5, peerRole: 'client', port: client.port });
  await host.control(5, { type: 'link', peer: 0, peerRole: 'server', port: server.port });
  return { host, notices };
}

test('a server\'s host reports each answer to a client\'s put or get (untraced), and none when the run is recorded', { timeout: 30_000 }, async () => {
  for (const trace of [false, true]) {
    const { host, notices } = await pair(trace);
    try {
      const put = await host.control(5, { type: 'put', key: 'k', value: 'v', cause: cause(1) });
      const get = await host.control(5, { type: 'get', key: 'k', cause: cause(2) });
      assert.equal(put.type, 'putDone');
      assert.equal(get.type, 'getDone');
      // The notice may come a moment after the client's own answer.
      await new Promise((r) => setTimeout(r, 200));
      const served = notices.filter((n) => n.type === 'served');
      if (trace) {
        assert.deepEqual(served, []);
        continue;
      }
      assert.deepEqual(served.map((n) => n.type === 'served' && [n.server, n.client, n.step, n.reply.type]), [[0, 5, 1, 'putReply'], [0, 5, 2, 'getReply']]);
      const putStamp = put.type === 'putDone' && put.ok ? put.stamp : undefined;
      const s0 = served[0];
      assert.deepEqual(s0.type === 'served' && s0.reply.type === 'putReply' ? s0.reply.stamp : undefined, putStamp);
    } finally {
      await host.close();
    }
  }
});

test('a client takes no command while it waits for an answer: a get sent at once after a put still reads with the put as its dependency', { timeout: 30_000 }, async () => {
  const { host } = await pair(false);
  try {
    for (let i = 0; i < 10; i++) {
      // Not waited for: the get's command reaches the client while its put is still on the wire.
      const put = host.control(5, { type: 'put', key: `k${i}`, value: `v${i}`, cause: cause(2 * i + 1) });
      const get = host.control(5, { type: 'get', key: `k${i}`, cause: cause(2 * i + 2) });
      const [p, g] = (await Promise.all([put, get])) as [ControlResult, ControlResult];
      assert.ok(p.type === 'putDone' && p.ok);
      assert.ok(g.type === 'getDone' && g.ok);
      assert.deepEqual(g.depBefore, p.stamp, `get ${i} was taken before its put's answer was read`);
      assert.deepEqual(g.result, { kind: 'value', value: `v${i}`, stamp: p.stamp });
    }
  } finally {
    await host.close();
  }
});

for (const gossip of ['settled', 'off', 'async'] as const) {
  test(`untraced real runs, the master going on at the servers' word, equal the model: every sample and cluster fixture (${gossip})`, { timeout: 240_000 }, async () => {
    for (const file of [...samples(), ...clusterFixtures()]) {
      const real = await runFile(file, { seed: 7, gossip, backend: 'processes' });
      const model = await runFile(file, { seed: 7, gossip, backend: 'model' });
      const count = (r: typeof real, ...types: string[]): number => r.events.filter((e) => types.includes(e.type)).length;
      if (gossip === 'async') {
        // Async runs race by design (a get or printStore may or may not see the gossip yet); still
        // every put and get is accounted for by its client, late or not.
        assert.equal(count(real, 'put', 'get', 'failed'), count(model, 'put', 'get', 'failed'), file);
        continue;
      }
      assert.equal(real.stdout, model.stdout, file);
      assert.deepEqual(real.snapshot, model.snapshot, file);
      for (const type of ['put', 'get', 'failed']) assert.equal(count(real, type), count(model, type), `${file}: ${type} events`);
    }
  });
}

test('a course-shaped run of 300 puts and gets on real processes equals the model, untraced (settled)', { timeout: 120_000 }, async () => {
  const lines = ['joinServer 0', 'joinServer 1', 'joinServer 2', 'joinServer 3', 'joinServer 4'];
  for (let c = 0; c < 5; c++) lines.push(`joinClient ${5 + c} ${c}`);
  for (let i = 0; i < 300; i++) lines.push(i % 3 === 2 ? `get ${5 + ((i * 7) % 5)} k${i % 13}` : `put ${5 + (i % 5)} k${i % 13} v${i}`);
  lines.push('printStore 0', 'printStore 4');
  const text = lines.join('\n') + '\n';
  const real = await runText(text, { seed: 3, gossip: 'settled', backend: 'processes' });
  const model = await runText(text, { seed: 3, gossip: 'settled', backend: 'model' });
  assert.equal(real.stdout, model.stdout);
  assert.deepEqual(real.snapshot, model.snapshot);
});

test('with a paused server the master waits for clients as before: two commands of one client set aside for it both finish after the resume', { timeout: 60_000 }, async () => {
  const text = 'joinServer 0\njoinServer 1\njoinClient 5 0\npauseServer 0\nput 5 k v\nget 5 k\nput 5 j w\nresumeServer 0\nget 5 j\nprintStore 0\n';
  for (const gossip of ['settled', 'off'] as const) {
    const real = await runText(text, { seed: 2, gossip, backend: 'processes' });
    const model = await runText(text, { seed: 2, gossip, backend: 'model' });
    assert.equal(real.stdout, model.stdout, gossip);
    assert.deepEqual(real.snapshot, model.snapshot, gossip);
  }
});
