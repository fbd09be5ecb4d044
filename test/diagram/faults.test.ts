// The faults of the network in the message diagram: a dropped message ends in a cross on its way,
// a message that arrived twice is drawn twice, fault commands are marks, a paused lane says so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { closeBrowser, dataset, drawnWhileScrolling, open, TMP } from './browser';
import { buildDiagram } from '../../diagram/model';
import { diagramHtml } from '../../diagram/page';
import { shivizEntries } from '../../diagram/shiviz';
import type { ClusterEvent, EventOf } from '../../record/events';
import { ROOT, runFile } from '../helpers';

const SAMPLE = path.join(ROOT, 'samples', '06-faults.kvcmd');
let cached: ClusterEvent[] | undefined;

async function faultRun(): Promise<ClusterEvent[]> {
  cached ??= (await runFile(SAMPLE, { seed: 7, gossip: 'settled', backend: 'model', trace: true })).events;
  return cached;
}

const ends = (events: ClusterEvent[]): EventOf<'deliver' | 'lost'>[] =>
  events.filter((e): e is EventOf<'deliver' | 'lost'> => e.type === 'deliver' || e.type === 'lost');

test('a dropped gossip is an arrow that ends in a cross (lost: dropped), drawn short of its receiver', async () => {
  const events = await faultRun();
  const m = buildDiagram(events);
  const dropped = ends(events).filter((e) => e.type === 'lost' && e.reason === 'dropped');
  assert.ok(dropped.some((e) => e.kind === 'gossip' && e.from === 0 && e.to === 1), JSON.stringify(dropped));
  for (const e of dropped) {
    const a = m.arrows.find((x) => x.msg === e.msg)!;
    assert.equal(a.lost, 'dropped');
    assert.match(a.label, /→✕$/);
    assert.ok(a.endRow > a.sendRow);
  }
});

test('a message that arrived twice is drawn twice: the copy from the same send, ending after the original', async () => {
  const events = await faultRun();
  const m = buildDiagram(events);
  const copies = ends(events).filter((e) => e.duplicate);
  assert.ok(copies.length > 0, 'the sample doubles some messages');
  for (const e of copies) {
    const drawn = m.arrows.filter((a) => a.msg === e.msg);
    assert.equal(drawn.length, 2, e.msg);
    const [first, copy] = drawn;
    assert.ok(!first.duplicate && copy.duplicate);
    assert.equal(copy.sendRow, first.sendRow);
    assert.ok(copy.endRow > first.endRow, `${e.msg}: the copy lands after the original`);
    assert.match(copy.label, /\(copy\)$/);
    // Navigation keeps the copy next to its original.
    const at = m.order.findIndex(([k, i]) => k === 0 && m.arrows[i] === copy);
    assert.deepEqual(m.order[at - 1], [0, m.arrows.indexOf(first)]);
  }
});

test('fault commands are marks on their lanes; a paused server\'s lane records the rows it was paused', async () => {
  const events = await faultRun();
  const m = buildDiagram(events);
  const faults = m.marks.filter((x) => x.kind === 'fault');
  assert.equal(faults.length, events.filter((e) => e.type === 'fault').length);
  assert.deepEqual(faults.map((f) => [f.label, f.nodes]), [
    ['drop 1 0→1', [0, 1]], ['heal *→*', []], ['delay 5-20 ms *→*', []], ['duplicate 0.5 0→*', [0]], ['heal *→*', []],
  ]);
  const lane = m.lanes.find((l) => l.node === 2)!;
  const pause = m.marks.find((x) => x.kind === 'pause')!;
  const resume = m.marks.find((x) => x.kind === 'resume')!;
  assert.deepEqual(lane.paused, [{ from: pause.row, to: resume.row }]);
  // The get set aside while server 2 was paused is drawn where it finished: after the resume.
  const get7 = m.marks.filter((x) => x.kind === 'get' && x.nodes[0] === 7).pop()!;
  assert.ok(get7.row > resume.row);
});

test('the ShiViz log: a copy is received again, a pause and a resume are events of their server', async () => {
  const events = await faultRun();
  const texts = shivizEntries(events).map((x) => `${x.host} ${x.text}`);
  assert.ok(texts.some((t) => /receive again \(a copy, discarded\)/.test(t)));
  assert.ok(texts.some((t) => /^server2 server 2 paused \[line 30\]$/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /lost gossip .*: dropped/.test(t)));
});

after(closeBrowser);

test('browser: the faults sample draws every arrow (copies too) and its dropped gossip, with no error', async () => {
  const events = await faultRun();
  const m = buildDiagram(events);
  const out = path.join(TMP, 'faults.html');
  fs.writeFileSync(out, diagramHtml(events, { title: '06-faults', scriptLines: fs.readFileSync(SAMPLE, 'utf8').split('\n') }));
  const { page, problems } = await open(out);
  try {
    assert.equal(Number((await dataset(page)).arrows), m.arrows.length);
    const drawn = await drawnWhileScrolling(page);
    for (const a of m.arrows) assert.ok(drawn.has(a.msg), a.msg);
    const dropped = m.arrows.find((a) => a.lost === 'dropped' && a.kind === 'gossip')!;
    assert.equal(await page.evaluate(`window.kvcmdDiagram.select(${JSON.stringify(dropped.msg)})`), true);
    assert.match((await page.evaluate('window.kvcmdDiagram.selected()')) as string, /\(lost: dropped\)/);
    const copy = m.arrows.find((a) => a.duplicate)!;
    assert.equal(await page.evaluate(`window.kvcmdDiagram.select(${JSON.stringify(copy.msg)})`), true);
    assert.match((await page.evaluate('window.kvcmdDiagram.selected()')) as string, /its second copy: it arrived twice/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
