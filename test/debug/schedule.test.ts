// The debugger on a schedule (a witness of kvcmd explore): an async run, held messages and all, is
// stepped through delivery by delivery and back again, and prints the outcome its witness stands for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze } from '../../language/analyzer';
import { DebugSession, type DebugView, type StopResult } from '../../debug/session';
import { explore, parseSchedule } from '../../explore/explore';
import { DapClient } from './dapClient';
import { ROOT } from '../helpers';

const RACE = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'explore', 'race.kvcmd'), 'utf8');

const commands = analyze(RACE).commands;

function shown(v: DebugView): unknown {
  return { point: v.point, line: v.line, nodes: v.nodes, inFlight: v.inFlight, delivering: v.delivering, events: v.events.length };
}

test('session on a witness: every outcome of an async exploration, stepped into to the end and back to the start', async () => {
  const report = await explore(commands, { seed: 1, gossip: 'async', maxSchedules: 10_000 });
  assert.equal(report.outcomes.length, 3);
  for (const o of report.outcomes) {
    const out: string[] = [];
    const options = { commands, seed: 1, gossip: 'async' as const, schedule: parseSchedule(o.witness) };
    const s = new DebugSession(options, { output: (t) => out.push(t) });
    let r: StopResult = await s.start(true);
    const views = [shown(s.view())];
    let held = false;
    for (;;) {
      r = await s.stepIn();
      if (r.kind === 'terminated') break;
      const v = s.view();
      // A message in flight at a command's line was held across the commands before it.
      if (v.point?.kind === 'line' && v.inFlight.length > 0) held = true;
      views.push(shown(v));
    }
    assert.equal(r.ok, true, r.error);
    assert.equal(out.map((l) => l + '\n').join(''), o.stdout, `witness ${o.witness}`);
    assert.equal(held, o.witness.includes('h'), `witness ${o.witness}: held messages show in flight`);
    // Again to the last point, then back through every point: each replay follows the same
    // schedule, holds included.
    const back = new DebugSession(options);
    await back.start(true);
    for (let i = 1; i < views.length; i++) await back.stepIn();
    assert.deepEqual(shown(back.view()), views[views.length - 1]);
    for (let i = views.length - 2; i >= 0; i--) {
      r = await back.stepBack();
      assert.equal(r.kind, 'stopped');
      assert.deepEqual(shown(back.view()), views[i], `witness ${o.witness}, point ${i}`);
    }
    await back.end();
  }
  assert.throws(() => new DebugSession({ commands, seed: 1, gossip: 'async' }), /needs a schedule/);
  assert.throws(() => new DebugSession({ commands, seed: 1, gossip: 'async', schedule: [], backend: 'processes' }), /needs the model/);
});

test('kvcmd dap: "schedule" launches an async witness; a malformed or misfit one is refused with where', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-dap-schedule-'));
  const program = path.join(dir, 'race.kvcmd');
  fs.writeFileSync(program, RACE);
  const report = await explore(commands, { seed: 1, gossip: 'async', maxSchedules: 10_000 });
  const c = DapClient.start();
  try {
    await c.ok('initialize', { adapterID: 'kvcmd' });
    const refused = async (args: object, message: RegExp): Promise<void> => {
      const r = await c.request('launch', { program, seed: 1, gossip: 'async', ...args });
      assert.equal(r.success, false, JSON.stringify(args));
      assert.match(r.message!, message);
    };
    await refused({ schedule: '0.x' }, /^"schedule" '0\.x': choice 2 \('x'\) is not a message index/);
    await refused({ schedule: '0.h.7' }, new RegExp(`^"schedule" '0\\.h\\.7' does not fit .*race\\.kvcmd:6: choice 3 \\('7'\\) does not fit: 2 messages in flight`));
    await refused({ schedule: 3 }, /"schedule" must be a string/);
    await refused({ schedule: '0.h.1', backend: 'processes' }, /needs "backend": "model"/);
    const witness = report.outcomes.find((o) => o.witness.includes('h'))!;
    await c.ok('launch', { program, seed: 1, gossip: 'async', schedule: witness.witness, stopOnEntry: true });
    await c.ok('configurationDone');
    assert.equal((await c.nextStop()).body.reason, 'entry');
    await c.ok('continue', { threadId: 1 });
    assert.equal((await c.nextStop()).event, 'terminated');
    assert.equal(c.output(), witness.stdout);
  } finally {
    await c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
