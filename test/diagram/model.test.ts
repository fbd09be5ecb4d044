import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { buildDiagram, createDiagramBuilder, DiagramModel, withDetails } from '../../diagram/model';
import { syntheticRecord } from '../../diagram/synthetic';
import { describeMessage } from '../../record/describe';
import { ClusterEvent, EventOf } from '../../record/events';
import { ROOT, runFile, samples } from '../helpers';

const sample = (name: string): string => path.join(ROOT, 'samples', name);
const modelRun = async (file: string): Promise<ClusterEvent[]> => (await runFile(file, { seed: 7, gossip: 'settled', backend: 'model', trace: true })).events;
const sends = (events: ClusterEvent[]): EventOf<'send'>[] => events.filter((e): e is EventOf<'send'> => e.type === 'send');

test('one arrow per send, each from its send to its delivery, labelled with both Lamport counters', async () => {
  const events = await modelRun(sample('03-partition.kvcmd'));
  const m = buildDiagram(events);
  const s = sends(events);
  assert.ok(s.length > 20);
  assert.equal(m.arrows.length, s.length);
  const delivered = new Map(events.filter((e): e is EventOf<'deliver'> => e.type === 'deliver').map((e) => [e.msg, e]));
  m.arrows.forEach((a, i) => {
    assert.equal(a.msg, s[i].msg);
    assert.ok(a.endRow > a.sendRow, a.msg);
    assert.equal(a.lost, undefined);
    const d = delivered.get(a.msg)!;
    assert.equal(a.label, `${a.kind} ${s[i].counter}→${d.counter}`);
    assert.equal(a.details, describeMessage(s[i]));
  });
  assert.ok(m.arrows.some((a) => a.label === 'gossip 4→5'), m.arrows.map((a) => a.label).join(', '));
});

test('lost messages end in a lost mark with their reason, at the receiver and at the sender', () => {
  const events = syntheticRecord({ messages: 200, lossEvery: 9 });
  const m = buildDiagram(events);
  const lost = events.filter((e): e is EventOf<'lost'> => e.type === 'lost');
  assert.equal(m.arrows.length, sends(events).length);
  assert.ok(lost.some((e) => e.reason === 'link cut') && lost.some((e) => e.reason === 'unreachable'));
  const drawnLost = m.arrows.filter((a) => a.lost !== undefined);
  assert.equal(drawnLost.length, lost.length);
  for (const e of lost) {
    const a = m.arrows.find((x) => x.msg === e.msg)!;
    assert.equal(a.lost, e.reason);
    assert.equal(a.endCounter, undefined);
    assert.ok(a.label.endsWith('→✕'), a.label);
    assert.ok(a.endRow > a.sendRow);
  }
});

test('every arrow and mark keeps the script line that caused it; bands follow the lines', async () => {
  const file = sample('04-dead-server.kvcmd');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const events = await modelRun(file);
  const m = buildDiagram(events, lines);
  const s = sends(events);
  m.arrows.forEach((a, i) => assert.equal(a.line, s[i].line));
  const kill = m.marks.find((x) => x.kind === 'kill')!;
  assert.equal(kill.line, 17);
  assert.equal(lines[kill.line - 1], 'killServer 0');
  for (const x of m.marks) assert.ok(x.line >= 1 && x.line <= lines.length, x.text);
  // Bands tile the rows, in order, each with its line's text.
  let next = 0;
  for (const b of m.bands) {
    assert.equal(b.from, next);
    assert.ok(b.to >= b.from);
    assert.equal(b.text, lines[b.line - 1].trim());
    next = b.to + 1;
  }
  assert.equal(next, m.rows);
});

test('lanes: servers by id then clients by id; a killed server that joins again has two lives', async () => {
  const events = await modelRun(sample('04-dead-server.kvcmd'));
  const m = buildDiagram(events);
  assert.deepEqual(m.lanes.map((l) => `${l.role} ${l.node}`), ['server 0', 'server 1', 'server 2', 'server 3', 'client 11', 'client 12']);
  const zero = m.lanes[0];
  assert.equal(zero.segments.length, 2);
  const [first, second] = zero.segments;
  assert.equal(first.line, 3);
  assert.equal(first.endLine, 17);
  assert.ok(first.to !== undefined && first.to > first.from);
  assert.ok(second.from > first.to!);
  assert.equal(second.to, undefined);
  assert.equal(second.line, 28);
  for (const l of m.lanes.slice(1)) assert.equal(l.segments.length, 1);
  // No arrow touches server 0 while it is dead.
  for (const a of m.arrows) {
    if (a.from !== 0 && a.to !== 0) continue;
    const row = a.from === 0 ? a.sendRow : a.endRow;
    assert.ok(!(row > first.to! && row < second.from), a.msg);
  }
});

test('links: cut and created by commands are marked, the implicit links of joins are not', async () => {
  const events = await modelRun(sample('03-partition.kvcmd'));
  const m = buildDiagram(events);
  const cuts = m.marks.filter((x) => x.kind === 'cut');
  const links = m.marks.filter((x) => x.kind === 'link');
  assert.deepEqual(cuts.map((x) => x.nodes.join('-')), ['0-2', '0-3', '1-2', '1-3']);
  assert.deepEqual(links.map((x) => `${x.nodes.join('-')}@${x.line}`), ['1-2@31']);
  assert.ok(events.filter((e) => e.type === 'linkCreated').length > 1);
});

test('stabilize: a span from begun to done, and one mark per group', async () => {
  const events = await modelRun(sample('03-partition.kvcmd'));
  const m = buildDiagram(events);
  const spans = m.marks.filter((x) => x.kind === 'stabilize' && x.endRow !== x.row);
  assert.equal(spans.length, 2);
  for (const s of spans) assert.ok(s.endRow! > s.row);
  const groups = m.marks.filter((x) => x.kind === 'group');
  assert.equal(groups.length, events.filter((e) => e.type === 'stabilizeGroup').length);
  assert.ok(groups.some((g) => g.nodes.join(',') === '0,1,2,3'));
});

test('the time axis is the record order: the same record gives the same diagram, times only in t', async () => {
  const events = await modelRun(sample('05-multi-linked-client.kvcmd'));
  const timed = events.map((e, i) => ('line' in e ? { ...e, t: i * 1.5 } : e)) as ClusterEvent[];
  const strip = (m: DiagramModel): string => JSON.stringify(m, (k, v) => (k === 't' || k === 'endT' ? undefined : v));
  const a = buildDiagram(events), b = buildDiagram(timed);
  assert.equal(strip(a), strip(b));
  assert.ok(b.arrows.every((x) => x.t !== undefined && x.endT !== undefined && x.endT > x.t));
});

test('every sample: arrows = sends (and second copies), details = describeMessage, and the order lists every arrow and mark once', async () => {
  for (const file of samples()) {
    const events = await modelRun(file);
    const m = buildDiagram(events);
    const s = sends(events);
    // A message that arrived twice (a fault) is drawn twice.
    const originals = m.arrows.filter((a) => !a.duplicate);
    assert.equal(originals.length, s.length, file);
    assert.equal(m.arrows.length - originals.length, events.filter((e) => (e.type === 'deliver' || e.type === 'lost') && e.duplicate).length, file);
    s.forEach((e, i) => assert.equal(originals[i].details, describeMessage(e), file));
    assert.equal(m.order.length, m.arrows.length + m.marks.length, file);
    const rows = m.order.map(([k, i]) => (k === 0 ? m.arrows[i].sendRow : m.marks[i].row));
    assert.deepEqual(rows, [...rows].sort((x, y) => x - y), file);
  }
});

test('the builder is self-contained: its source alone, as the page runs it, builds the same model', async () => {
  const events = await modelRun(sample('04-dead-server.kvcmd'));
  const rebuilt = new Function(`return (${createDiagramBuilder.toString()});`)() as typeof createDiagramBuilder;
  const b = rebuilt(['x']);
  for (const e of withDetails(events)) b.add(e);
  assert.deepEqual(b.model, buildDiagram(events, ['x']));
});

test('in-flight messages (a record cut short) are arrows with no end yet', () => {
  const events = syntheticRecord({ messages: 10, lossEvery: 0 });
  const lastDeliver = events.map((e) => e.type).lastIndexOf('deliver');
  const m = buildDiagram(events.slice(0, lastDeliver));
  assert.equal(m.arrows.length, 10);
  assert.equal(m.arrows.filter((a) => a.endRow === -1).length, 1);
});
