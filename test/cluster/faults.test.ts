// The faults of the network on real processes and in the model (docs/protocol.md, "Faults"): a
// dropped gossip leaves a server behind until stabilize, a delay lets an async get read the older
// value, a seed replays its faults exactly, a copy changes nothing, and a paused server never
// stops the run for good. No assertion here is about elapsed time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecord } from '../../check/checker';
import type { RunSettings } from '../../cluster/runner';
import { ClusterEvent, EventOf, VOLATILE_FIELDS } from '../../record/events';
import { runText } from '../helpers';

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const SETUP = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'joinClient 6 1'];

/** The record without pids, ports, times and the backend: what two runs of one seed must share. */
function stable(events: readonly ClusterEvent[]): string[] {
  return events.slice(1).map((e) => JSON.stringify(e, (k, v) => (VOLATILE_FIELDS.includes(k) ? undefined : v)));
}

function clean(events: ClusterEvent[]): void {
  const report = checkRecord(events);
  assert.deepEqual(report.violations.map((v) => `${v.rule}: ${v.message}`), []);
}

const both = async (text: string, settings: Omit<RunSettings, 'signal' | 'backend'>): Promise<[Awaited<ReturnType<typeof runText>>, Awaited<ReturnType<typeof runText>>]> =>
  [await runText(text, { ...settings, backend: 'processes' }), await runText(text, { ...settings, backend: 'model' })];

test('a dropped gossip leaves a server behind until stabilize (real processes and the model, settled)', async () => {
  const script = lines(...SETUP, 'drop 0 1 1', 'put 5 color blue', 'get 6 color', 'printStore 1', 'stabilize', 'get 6 color', 'printStore 1');
  const [real, model] = await both(script, { seed: 3, gossip: 'settled', trace: true });
  assert.equal(real.stdout, 'color:ERR_KEY\ncolor:blue\ncolor:blue\n');
  assert.equal(model.stdout, real.stdout);
  assert.deepEqual(stable(model.events), stable(real.events));
  const lost = real.events.filter((e): e is EventOf<'lost'> => e.type === 'lost');
  assert.deepEqual(lost.map((e) => [e.kind, e.from, e.to, e.node, e.reason, e.line]), [['gossip', 0, 1, 0, 'dropped', 6]],
    'the gossip 0 → 1 was dropped; its sender, which waits for the reply, reports it');
  const fault = real.events.find((e) => e.type === 'fault');
  assert.deepEqual(fault && { ...fault, t: 0 }, { type: 'fault', line: 5, step: 5, fault: 'drop', from: 0, to: 1, p: 1, t: 0 });
  // The dropped gossip is no violation (not even of settled mode's gossip rule), and stabilize converged.
  clean(real.events);
});

test('a dropped request: the client tries its other server; with none left the put fails and the run goes on', async () => {
  const script = lines(...SETUP, 'createConnection 5 1', 'drop 5 * 1', 'put 5 k v', 'heal 5 *', 'drop 5 0 1', 'put 5 k w', 'get 6 k');
  const [real, model] = await both(script, { seed: 1, gossip: 'settled', trace: true });
  assert.equal(model.stdout, real.stdout);
  assert.deepEqual(stable(model.events), stable(real.events));
  const failed = real.events.filter((e) => e.type === 'failed');
  assert.equal(failed.length, 1, 'every request of the first put was dropped');
  assert.match((failed[0] as EventOf<'failed'>).reason, /no linked server answered \(tried 0, 1\)|tried 1, 0/);
  const put = real.events.find((e): e is EventOf<'put'> => e.type === 'put')!;
  assert.equal(put.server, 1, 'the second put went through the server 5 could still reach');
  assert.equal(real.stdout, 'k:w\n');
  clean(real.events);
});

test('a delay makes a get in async mode return the older value, on real processes as in the model', async () => {
  // stabilize puts red on both servers whatever the race; blue's gossip to 1 is then held back far
  // longer than a get takes, so the get through server 1 reads red.
  const script = lines(...SETUP, 'put 5 color red', 'stabilize', 'delay 0 1 20000', 'put 5 color blue', 'get 6 color', 'get 5 color');
  const [real, model] = await both(script, { seed: 5, gossip: 'async', trace: true });
  assert.equal(real.stdout, 'color:red\ncolor:blue\n');
  assert.equal(model.stdout, real.stdout);
  const gossip = real.events.find((e): e is EventOf<'send'> => e.type === 'send' && e.kind === 'gossip' && e.line === 8 && e.to === 1)!;
  assert.equal(gossip.delay, 20000, 'the send says how long the network holds it');
  clean(real.events);
  // The model's clock moves with sleep: after long enough the gossip has landed.
  const later = await runText(lines(...SETUP, 'put 5 color red', 'stabilize', 'delay 0 1 200', 'put 5 color blue', 'sleep 100', 'get 6 color', 'sleep 150', 'get 6 color'),
    { seed: 5, gossip: 'async', backend: 'model', trace: true });
  assert.equal(later.stdout, 'color:red\ncolor:blue\n');
});

test('in settled mode a delay only costs time: the results and the record are those of a run without it, but for the delays', async () => {
  const plain = lines(...SETUP, 'put 5 x 1', 'get 6 x', 'stabilize', 'get 6 x');
  const slow = lines(...SETUP, '', 'put 5 x 1', 'get 6 x', 'stabilize', 'get 6 x').replace('\n\n', '\ndelay * * 1 30\n');
  const [real, model] = await both(slow, { seed: 9, gossip: 'settled', trace: true });
  const base = await runText(plain, { seed: 9, gossip: 'settled', backend: 'model' });
  assert.equal(real.stdout, base.stdout);
  assert.equal(model.stdout, base.stdout);
  assert.deepEqual(real.snapshot, base.snapshot);
  assert.deepEqual(stable(model.events), stable(real.events));
  assert.ok(real.events.some((e) => e.type === 'send' && (e.delay ?? 0) > 0));
});

test('replay by seed: the same seed gives the same record, faults and all (two real runs and the model); another seed other faults', async () => {
  const script = lines('joinServer 0', 'joinServer 1', 'joinServer 2', 'joinClient 5 0', 'joinClient 6 1', 'createConnection 6 2',
    'drop * * 0.3', 'duplicate * * 0.3', 'delay * * 0 15',
    'put 5 a 1', 'put 6 b 2', 'put 5 c 3', 'get 6 a', 'get 5 b', 'put 6 a 4', 'get 5 a', 'get 6 c', 'stabilize', 'printStore 0', 'printStore 2');
  const settings = { seed: 21, gossip: 'settled' as const, trace: true };
  const model = await runText(script, { ...settings, backend: 'model' });
  const losses = model.events.filter((e) => e.type === 'lost' && e.reason === 'dropped').length;
  const copies = model.events.filter((e) => (e.type === 'deliver' || e.type === 'lost') && e.duplicate).length;
  assert.ok(losses > 0 && copies > 0, `the seed drops (${losses}) and doubles (${copies}) some messages`);
  for (let i = 0; i < 2; i++) {
    const real = await runText(script, { ...settings, backend: 'processes' });
    assert.equal(real.stdout, model.stdout);
    assert.deepEqual(real.snapshot, model.snapshot);
    assert.deepEqual(stable(real.events), stable(model.events), `real run ${i + 1}`);
  }
  clean(model.events);
  const other = await runText(script, { ...settings, seed: 22, backend: 'model' });
  assert.notDeepEqual(stable(other.events), stable(model.events));
});

test('a copy changes nothing but the record: every doubled message has a second end just like its first', async () => {
  const script = lines(...SETUP, 'put 5 x 1', 'get 6 x', 'put 6 y 2', 'stabilize', 'get 5 y');
  const plain = await runText(script, { seed: 4, gossip: 'settled', backend: 'processes', trace: true });
  const doubled = await runText(script.replace('put 5 x 1', 'duplicate * * 1\nput 5 x 1'), { seed: 4, gossip: 'settled', backend: 'processes', trace: true });
  assert.equal(doubled.stdout, plain.stdout);
  assert.deepEqual(doubled.snapshot, plain.snapshot, 'the same stamps and counters: a copy moves no clock');
  const messageEnds = (events: ClusterEvent[]): EventOf<'deliver' | 'lost'>[] =>
    events.filter((e): e is EventOf<'deliver' | 'lost'> => (e.type === 'deliver' || e.type === 'lost'));
  const firsts = messageEnds(doubled.events).filter((e) => !e.duplicate);
  const seconds = messageEnds(doubled.events).filter((e) => e.duplicate);
  // Every message but stabilize's was doubled (p = 1); stabilize's never are.
  assert.equal(seconds.length, firsts.filter((e) => !['explore', 'exploreReply', 'install', 'installAck'].includes(e.kind)).length);
  for (const s of seconds) {
    const f = firsts.find((e) => e.msg === s.msg)!;
    assert.deepEqual({ ...s, duplicate: undefined, t: undefined }, { ...f, duplicate: undefined, t: undefined });
  }
  clean(doubled.events);
});

test('a paused server: a get through it is set aside and finishes at the resume; never resumed, at the end; the run never hangs', async () => {
  const script = lines(...SETUP, 'pauseServer 1', 'put 5 k v', 'get 6 k', 'get 5 k', 'resumeServer 1', 'get 6 k', 'pauseServer 1', 'put 6 k w');
  for (const gossip of ['settled', 'off'] as const) {
    const [real, model] = await both(script, { seed: 2, gossip, trace: true });
    // settled: the flood to 1 finishes at the resume before the get set aside is answered.
    assert.equal(real.stdout, gossip === 'settled' ? 'k:v\nk:v\nk:v\n' : 'k:v\nk:ERR_KEY\nk:ERR_KEY\n', gossip);
    assert.equal(model.stdout, real.stdout);
    assert.deepEqual(stable(model.events), stable(real.events), gossip);
    const types = real.events.map((e) => (e.type === 'get' || e.type === 'put' ? `${e.type}@${e.line}` : e.type)).filter((t) => /@|Paused|Resumed/.test(t));
    // The get of line 7 reports after the resume of line 9; the put of line 12 after the implicit resume at the end.
    assert.deepEqual(types, ['serverPaused', 'put@6', 'get@8', 'serverResumed', 'get@7', 'get@10', 'serverPaused', 'serverResumed', 'put@12'], gossip);
    assert.equal(real.snapshot.nodes.find((n) => n.id === 1)?.store.find((e) => e.key === 'k')?.value, 'w');
    clean(real.events);
  }
});

test('killing a paused server: what waited for it finds it gone and goes on', async () => {
  const script = lines(...SETUP, 'createConnection 6 0', 'pauseServer 1', 'put 5 k v', 'killServer 1', 'get 6 k');
  const [real, model] = await both(script, { seed: 2, gossip: 'settled', trace: true });
  assert.equal(real.stdout, 'k:v\n');
  assert.equal(model.stdout, real.stdout);
  assert.deepEqual(stable(model.events), stable(real.events));
  clean(real.events);
});
