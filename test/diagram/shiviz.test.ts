import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { SHIVIZ_REGEX, shivizEntries, shivizLog } from '../../diagram/shiviz';
import { syntheticRecord } from '../../diagram/synthetic';
import { ClusterEvent, EventOf } from '../../record/events';
import { ROOT, runFile, samples } from '../helpers';

const modelRun = async (file: string): Promise<ClusterEvent[]> => (await runFile(file, { seed: 7, gossip: 'settled', backend: 'model', trace: true })).events;
const ON_A_NODE = new Set(['nodeStarted', 'nodeKilled', 'linkCut', 'linkCreated', 'send', 'deliver', 'lost', 'applied', 'put', 'get', 'failed', 'storePrinted', 'stabilizeGroup',
  'serverPaused', 'serverResumed']);

type Vector = Record<string, number>;
const dominates = (a: Vector, b: Vector): boolean => Object.entries(b).every(([h, v]) => (a[h] ?? 0) >= v);

/** The file as ShiViz reads it: line 1 the parser, line 2 the delimiter, then the log, matched again and again. */
function parse(log: string): { regex: string; delimiter: string; matches: { event: string; host: string; clock: Vector }[]; rest: string } {
  const [regex, delimiter] = log.split('\n', 2);
  const body = log.slice(regex.length + 1 + delimiter.length + 1);
  const re = new RegExp(regex, 'g');
  const matches: { event: string; host: string; clock: Vector }[] = [];
  let rest = body;
  for (const m of body.matchAll(re)) {
    matches.push({ event: m.groups!.event, host: m.groups!.host, clock: JSON.parse(m.groups!.clock) as Vector });
    rest = rest.replace(m[0], '');
  }
  return { regex, delimiter, matches, rest };
}

test('the log starts with the regular expression docs/cli.md gives, and every pair of lines parses with it', async () => {
  const events = await modelRun(path.join(ROOT, 'samples', '03-partition.kvcmd'));
  const log = shivizLog(events);
  const { regex, delimiter, matches, rest } = parse(log);
  assert.equal(regex, SHIVIZ_REGEX);
  assert.equal(regex, '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})');
  assert.equal(delimiter, '');
  assert.equal(rest.trim(), '', 'nothing in the log is left unmatched');
  const entries = shivizEntries(events);
  assert.equal(matches.length, entries.length);
  matches.forEach((m, i) => {
    assert.equal(m.host, entries[i].host);
    assert.equal(m.event, entries[i].text);
    assert.deepEqual(m.clock, entries[i].clock);
    assert.ok(m.clock[m.host] >= 1, 'a host is in its own clock');
  });
  assert.equal(log.split('\n').length, 2 + 2 * entries.length + 1);
});

test('one pair of lines per event that happens on a node, in record order', async () => {
  for (const file of samples()) {
    const events = await modelRun(file);
    const entries = shivizEntries(events);
    const expected = events.map((e, i) => [e, i] as const).filter(([e]) => ON_A_NODE.has(e.type)).map(([, i]) => i);
    assert.deepEqual(entries.map((x) => x.index), expected, file);
  }
});

test('vector clocks: a delivery dominates its send; each host counts its own events 1, 2, 3...', async () => {
  for (const file of samples()) {
    const events = await modelRun(file);
    const entries = shivizEntries(events);
    const byIndex = new Map(entries.map((x) => [x.index, x]));
    const sendOf = new Map<string, Vector>();
    let deliveries = 0;
    events.forEach((e, i) => {
      if (e.type === 'send') sendOf.set(e.msg, byIndex.get(i)!.clock);
      if (e.type === 'deliver') {
        const at = byIndex.get(i)!.clock;
        const sent = sendOf.get(e.msg)!;
        assert.ok(dominates(at, sent), `${file}: ${e.msg}`);
        assert.notDeepEqual(at, sent);
        deliveries++;
      }
    });
    assert.ok(deliveries > 0);
    const own = new Map<string, number>();
    for (const x of entries) {
      const n = (own.get(x.host) ?? 0) + 1;
      own.set(x.host, n);
      assert.equal(x.clock[x.host], n, `${file}: ${x.host} ${x.text}`);
    }
  }
});

test('a node\'s later event dominates its earlier ones; messages are the only way knowledge travels', async () => {
  const events = await modelRun(path.join(ROOT, 'samples', '04-dead-server.kvcmd'));
  const entries = shivizEntries(events);
  const last = new Map<string, Vector>();
  for (const x of entries) {
    const before = last.get(x.host);
    if (before) assert.ok(dominates(x.clock, before));
    last.set(x.host, x.clock);
  }
  // Clients 11 and 12 never talk to each other, nor through server 0 after it died: 11's first put is unknown to 12's first event.
  const first12 = entries.find((x) => x.host === 'client12')!;
  assert.equal(first12.clock.client11, undefined);
});

test('lost messages are local events of the node that reported them; text stays on one line', () => {
  const events = syntheticRecord({ messages: 40, lossEvery: 5 });
  const send = events.find((e): e is EventOf<'send'> => e.type === 'send')!;
  send.body.value = 'two\nlines</script>';
  const entries = shivizEntries(events);
  const lost = events.filter((e): e is EventOf<'lost'> => e.type === 'lost');
  assert.ok(lost.length >= 4);
  for (const e of lost) {
    const x = entries.find((y) => y.text.startsWith(`lost ${e.kind} ${e.msg} `))!;
    assert.ok(x, e.msg);
    assert.ok(x.host.endsWith(String(e.node)));
    assert.ok(x.text.includes(e.reason));
  }
  const log = shivizLog(events);
  const { matches, rest } = parse(log);
  assert.equal(matches.length, entries.length);
  assert.equal(rest.trim(), '');
});
