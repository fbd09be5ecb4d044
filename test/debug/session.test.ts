// debug/session.ts without DAP: every point of a run, forward by step into and back by step back
// (a replay from scratch each time), shows the same cluster and the same messages in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../../language/analyzer';
import { DebugSession, type DebugView, type StopResult } from '../../debug/session';
import { ROOT } from '../helpers';

const SAMPLES = ['01-fully-connected', '03-partition', '04-dead-server', '05-multi-linked-client'];

function commandsOf(name: string) {
  return analyze(fs.readFileSync(path.join(ROOT, 'samples', `${name}.kvcmd`), 'utf8')).commands;
}

/** What a view says, without the record (which a replay rebuilds as an equal but new array). */
function shown(v: DebugView): unknown {
  return { point: v.point, line: v.line, nodes: v.nodes, inFlight: v.inFlight, delivering: v.delivering, events: v.events.length };
}

for (const name of SAMPLES) {
  test(`session on samples/${name}: step into every point, then step back through all of them`, async () => {
    const out: string[] = [];
    const s = new DebugSession({ commands: commandsOf(name), seed: 7, gossip: 'settled' }, { output: (t) => out.push(t) });
    let r: StopResult = await s.start(true);
    assert.deepEqual(r, { kind: 'stopped', reason: 'entry', line: commandsOf(name)[0].line });
    const views = [shown(s.view())];
    for (;;) {
      r = await s.stepIn();
      if (r.kind === 'terminated') break;
      views.push(shown(s.view()));
    }
    assert.equal(r.ok, true);
    assert.equal(out.map((l) => l + '\n').join(''), fs.readFileSync(path.join(ROOT, 'samples', `${name}.expected`), 'utf8'));
    assert.ok(views.length > commandsOf(name).length, 'deliveries are points too');

    // Again, stopping just before the end, then all the way back one point at a time.
    let printed = 0;
    const back = new DebugSession({ commands: commandsOf(name), seed: 7, gossip: 'settled' }, { output: () => printed++ });
    await back.start(true);
    for (let i = 1; i < views.length; i++) await back.stepIn();
    assert.deepEqual(shown(back.view()), views[views.length - 1]);
    const before = printed; // the last command has not run yet
    assert.ok(before <= out.length);
    for (let i = views.length - 2; i >= 0; i--) {
      r = await back.stepBack();
      assert.equal(r.kind, 'stopped');
      assert.deepEqual(shown(back.view()), views[i], `point ${i}`);
    }
    assert.equal(printed, before, 'replays print nothing again');
    await back.end();
  });
}

test('session: step over, then step back goes back a whole command; reverse continue finds the previous breakpoint', async () => {
  const s = new DebugSession({ commands: commandsOf('03-partition'), seed: 7, gossip: 'off' });
  s.setBreakpoints([15, 20]);
  assert.deepEqual(await s.start(false), { kind: 'stopped', reason: 'breakpoint', line: 15 });
  assert.deepEqual(await s.continue(), { kind: 'stopped', reason: 'breakpoint', line: 20 });
  assert.deepEqual(await s.next(), { kind: 'stopped', reason: 'step', line: 21 });
  assert.deepEqual(await s.stepBack(), { kind: 'stopped', reason: 'step', line: 20 });
  assert.deepEqual(await s.reverseContinue(), { kind: 'stopped', reason: 'breakpoint', line: 15 });
  assert.deepEqual(await s.reverseContinue(), { kind: 'stopped', reason: 'entry', line: 2 });
  await s.end();
});

test('session: async gossip is refused, and real processes cannot step in or back', async () => {
  assert.throws(() => new DebugSession({ commands: commandsOf('03-partition'), seed: 7, gossip: 'async' }), /cannot show races/);
  const s = new DebugSession({ commands: commandsOf('01-fully-connected'), seed: 7, gossip: 'settled', backend: 'processes' });
  assert.equal(s.canStepIn, false);
  await s.start(true);
  assert.throws(() => s.stepIn(), /real processes/);
  assert.throws(() => s.stepBack(), /real processes/);
  assert.throws(() => s.reverseContinue(), /real processes/);
  assert.equal((await s.next()).kind, 'stopped');
  await s.end();
});
