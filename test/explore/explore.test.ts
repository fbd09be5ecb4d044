import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze } from '../../language/analyzer';
import type { Command } from '../../language/commands';
import { runCommands } from '../../cluster/runner';
import type { ClusterEvent } from '../../record/events';
import {
  explore, ExploreReport, formatSchedule, nextSchedule, parseSchedule, replayCommand, runSchedule, scheduleMisfit, ScheduleError, ScheduleSettings,
} from '../../explore/explore';
import { variantFactory } from '../check/variants';
import { runCli } from '../helpers';
import { ROOT } from '../helpers';

function commandsOf(text: string): Command[] {
  const a = analyze(text);
  assert.ok(!a.hasErrors, 'the script has no errors');
  return a.commands;
}

const stdouts = (r: ExploreReport): string[] => r.outcomes.map((o) => o.stdout).sort();

/** What each get/printStore line printed in a run, as the report's `lines` words it. */
function printedOn(commands: Command[], events: ClusterEvent[], line: number): string {
  const texts = events.filter((e): e is Extract<ClusterEvent, { type: 'stdout' }> => e.type === 'stdout' && e.line === line).map((e) => e.text);
  if (texts.length > 0) return texts.join(' ');
  const failed = events.find((e): e is Extract<ClusterEvent, { type: 'failed' }> => e.type === 'failed' && e.line === line);
  if (failed) return `failed: ${failed.reason}`;
  return commands.find((c) => c.line === line)?.name === 'printStore' ? '(empty)' : '(nothing)';
}

/** Every reported witness replays, on its own, to the outcome (or the violation, or a line's result) it stands for. */
async function assertWitnessesReplay(commands: Command[], settings: ScheduleSettings, r: ExploreReport): Promise<void> {
  for (const o of r.outcomes) {
    const run = await runSchedule(commands, settings, parseSchedule(o.witness));
    assert.ok(run.ok, run.error);
    assert.equal(run.stdout, o.stdout, `witness ${o.witness}`);
  }
  for (const l of r.lines) {
    for (const o of l.outcomes) {
      const run = await runSchedule(commands, settings, parseSchedule(o.witness));
      assert.equal(printedOn(commands, run.events, l.line), o.text, `line ${l.line}, witness ${o.witness}`);
    }
  }
  for (const v of r.violations) {
    const run = await runSchedule(commands, settings, parseSchedule(v.witness));
    assert.ok(run.violations.some((x) => x.rule === v.rule && x.message === v.message), `witness ${v.witness} shows ${v.rule}`);
  }
}

const ASYNC = { seed: 1, gossip: 'async' } as const;

// (1) Client 10 writes k=a through server 0; client 11 then reads k from server 1. In async mode
// the gossip carrying the write either reaches server 1 before the get does (k:a) or is still in
// flight when it answers (k:ERR_KEY: client 11 has no dependency on k). Nothing else can happen.
const ONE_WRITE = `joinServer 0
joinServer 1
joinClient 10 0
joinClient 11 1
put 10 k a
get 11 k
`;

test('(1) a write and a read on another server: exactly k:a and k:ERR_KEY', async () => {
  const commands = commandsOf(ONE_WRITE);
  const r = await explore(commands, { ...ASYNC, maxSchedules: 1000 });
  assert.ok(r.exhaustive);
  assert.deepEqual(stdouts(r), ['k:ERR_KEY\n', 'k:a\n']);
  assert.equal(r.outcomes.reduce((n, o) => n + o.count, 0), r.schedules);
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.errors, []);
  // The default schedule (always the oldest message, never hold) is the plain model's drain order.
  assert.equal(r.outcomes.find((o) => o.witness === '-')?.stdout, 'k:a\n');
  // Held gossip: the put's reply first, hold the gossip, then the get's request before the gossip.
  assert.equal(r.outcomes.find((o) => o.stdout === 'k:ERR_KEY\n')?.witness, '0.h.1');
  await assertWitnessesReplay(commands, ASYNC, r);
});

// (2) Two racing writes of k: client 11 writes b through server 1, then client 10 writes a
// through server 0; then each client reads k from its own server. Lamport counters (docs/protocol.md):
// - put b: client 11 sends at 1, server 1 receives at 2: stamp (2,1); it replies (3) and gossips (4).
// - put a on server 0 (counter 0, it has received nothing, or only b's gossip sent at 4):
//   W_a: b's gossip reached server 0 before a's put: counter 5, then the put: stamp (6,0) > (2,1), a wins;
//   W_b: it had not: the put is received at max(0,1)+1 = 2: stamp (2,0) < (2,1), b wins.
// - get 10 k on server 0 (dependency a's stamp, which server 0 holds, so never ERR_DEP):
//   W_a: server 0 keeps a(6,0) whatever comes (b's gossip is older): k:a.
//   W_b: a(2,0) until b's gossip lands, then b(2,1): k:a or k:b.
// - get 11 k on server 1 (dependency (2,1), which it holds from its own write):
//   W_a: b(2,1) until a's gossip (6,0) lands: k:b or k:a.   W_b: a's gossip is older, dropped: k:b.
// So (get 10, get 11) is (a,a) or (a,b) in W_a, (a,b) or (b,b) in W_b; never (b,a): server 1 answers
// a only in W_a, where server 0 answers a. Exactly three outcomes.
const RACE = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'explore', 'race.kvcmd'), 'utf8');

test('(2) two racing writes of a key: exactly the three outcomes derived by hand', async () => {
  const commands = commandsOf(RACE);
  const r = await explore(commands, { ...ASYNC, maxSchedules: 20_000 });
  assert.ok(r.exhaustive, `${r.schedules} schedules`);
  assert.deepEqual(stdouts(r), ['k:a\nk:a\n', 'k:a\nk:b\n', 'k:b\nk:b\n']);
  // Per line: get 10 k reads a or b, get 11 k reads a or b (never (b,a) together: see above).
  assert.deepEqual(r.lines.map((l) => [l.line, l.command, l.outcomes.map((o) => o.text).sort()]), [[7, 'get', ['k:a', 'k:b']], [8, 'get', ['k:a', 'k:b']]]);
  for (const l of r.lines) assert.equal(l.outcomes.reduce((n, o) => n + o.count, 0), r.schedules);
  // The reduction: without it, 4,725 schedules (every order of every delivery).
  assert.ok(r.reduced && r.schedules < 1000, `${r.schedules} schedules`);
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.errors, []);
  await assertWitnessesReplay(commands, ASYNC, r);
  // Cut short, the report says so.
  const cut = await explore(commands, { ...ASYNC, maxSchedules: 10 });
  assert.equal(cut.schedules, 10);
  assert.ok(!cut.exhaustive);
});

// (3) In settled mode the master waits for each flood, so nothing is held; only the order in which
// concurrent messages (a wave's gossip and acks) land is explored, and the protocol is deterministic
// there: one outcome, the one `kvcmd run --model` prints.
const SETTLED = `joinServer 0
joinServer 1
joinServer 2
joinClient 10 0
joinClient 11 2
put 10 k a
breakConnection 0 2
put 11 k b
get 10 k
printStore 1
`;

async function plainModel(commands: Command[], gossip: 'settled' | 'async'): Promise<string> {
  const events: ClusterEvent[] = [];
  const result = await runCommands(commands, { seed: 1, gossip, backend: 'model' }, (e) => events.push(e));
  assert.ok(result.ok);
  return events.filter((e) => e.type === 'stdout').map((e) => (e as { text: string }).text + '\n').join('');
}

test('(3) a settled-mode script has exactly one outcome, the plain model\'s', async () => {
  const commands = commandsOf(SETTLED);
  const settings = { seed: 1, gossip: 'settled' } as const;
  const r = await explore(commands, { ...settings, maxSchedules: 5000 });
  assert.ok(r.exhaustive, `${r.schedules} schedules`);
  assert.ok(r.schedules > 1, 'there were orders to explore');
  assert.equal(r.outcomes.length, 1);
  assert.equal(r.outcomes[0].stdout, await plainModel(commands, 'settled'));
  assert.deepEqual(r.violations, []);
  await assertWitnessesReplay(commands, settings, r);
});

test('the empty schedule is the plain async model run, for every sample', async () => {
  const dir = path.join(__dirname, '..', '..', '..', 'samples');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.kvcmd'))) {
    const commands = commandsOf(fs.readFileSync(path.join(dir, f), 'utf8'));
    const run = await runSchedule(commands, ASYNC, []);
    assert.ok(run.ok, `${f}: ${run.error}`);
    assert.equal(run.stdout, await plainModel(commands, 'async'), f);
  }
});

// A server that ignores dependencies answers ERR_KEY where it owes ERR_DEP, but only when the
// client's own write has not reached it yet: only some schedules show it, and the checker finds it.
test('checker violations are reported with a shortest witness that replays', async () => {
  const commands = commandsOf(`joinServer 0
joinServer 1
joinClient 10 0
put 10 k a
createConnection 10 1
breakConnection 10 0
get 10 k
`);
  const settings = { ...ASYNC, createNode: variantFactory('ignoreDep') };
  const r = await explore(commands, { ...settings, maxSchedules: 5000 });
  assert.ok(r.exhaustive);
  assert.ok(r.violations.length > 0, 'a violation is found');
  assert.ok(r.outcomes.some((o) => o.stdout === 'k:a\n'));
  assert.ok(r.outcomes.some((o) => o.stdout === 'k:ERR_KEY\n'));
  await assertWitnessesReplay(commands, settings, r);
  // The correct protocol: ERR_DEP instead, and no violation in any schedule.
  const ok = await explore(commands, { ...ASYNC, maxSchedules: 5000 });
  assert.ok(ok.exhaustive);
  assert.deepEqual(ok.violations, []);
  assert.deepEqual(stdouts(ok), ['k:ERR_DEP\n', 'k:a\n']);
});

// The same outcomes with and without the reduction: sleep sets only skip orders of deliveries to
// different nodes, which cannot change what any node sees.
const SMALL: Record<string, string> = {
  'one write': ONE_WRITE,
  'racing writes': RACE,
  'a cut and a repair': 'joinServer 0\njoinServer 1\njoinClient 10 0\njoinClient 11 1\nput 10 k a\nbreakConnection 0 1\nget 11 k\ncreateConnection 0 1\nget 11 k\n',
  'a kill with messages held': 'joinServer 0\njoinServer 1\njoinClient 10 0\nput 10 k a\nkillServer 1\njoinServer 1\njoinClient 11 1\nget 11 k\n',
  'stabilize': 'joinServer 0\njoinServer 1\njoinClient 10 0\njoinClient 11 1\nput 10 k a\nput 11 j b\nstabilize\nprintStore 1\n',
};

/** What a report says, without counts or witnesses (which depend on which schedules were run). */
function verdicts(r: ExploreReport): unknown {
  return {
    outcomes: stdouts(r),
    lines: r.lines.map((l) => [l.line, l.outcomes.map((o) => o.text).sort()]),
    violations: r.violations.map((v) => `${v.rule}: ${v.message}`).sort(),
    errors: r.errors.map((e) => e.error).sort(),
    failedOps: r.failedOpsSchedules > 0,
  };
}

test('partial-order reduction: the same outcomes, line results, violations and errors as every order, in fewer runs', async () => {
  const cases: [string, Command[], ScheduleSettings][] = Object.entries(SMALL).map(([name, text]) => [name, commandsOf(text), ASYNC]);
  cases.push(['settled', commandsOf(SETTLED), { seed: 1, gossip: 'settled' }]);
  cases.push(['a server that ignores dependencies', commandsOf(`joinServer 0\njoinServer 1\njoinClient 10 0\nput 10 k a\ncreateConnection 10 1\nbreakConnection 10 0\nget 10 k\n`),
    { ...ASYNC, createNode: variantFactory('ignoreDep') }]);
  for (const [name, commands, settings] of cases) {
    const full = await explore(commands, { ...settings, maxSchedules: 20_000, reduce: false });
    const reduced = await explore(commands, { ...settings, maxSchedules: 20_000 });
    assert.ok(full.exhaustive && reduced.exhaustive, name);
    assert.equal(full.pruned, 0);
    assert.deepEqual(verdicts(reduced), verdicts(full), name);
    assert.ok(reduced.schedules + reduced.pruned <= full.schedules, `${name}: ${reduced.schedules} + ${reduced.pruned} runs against ${full.schedules}`);
    await assertWitnessesReplay(commands, settings, reduced);
  }
  // Where deliveries to different nodes overlap, the saving is large.
  const race = commandsOf(RACE);
  const [full, reduced] = [await explore(race, { ...ASYNC, maxSchedules: 20_000, reduce: false }), await explore(race, { ...ASYNC, maxSchedules: 20_000 })];
  assert.equal(full.schedules, 4725);
  assert.ok((reduced.schedules + reduced.pruned) * 4 < full.schedules, `${reduced.schedules} + ${reduced.pruned} runs`);
});

test('budgets: a time budget stops the exploration and says so; so does a cancel', async () => {
  const commands = commandsOf(SMALL.stabilize);
  const timed = await explore(commands, { ...ASYNC, maxSchedules: 1e9, maxMs: 1 });
  assert.ok(!timed.exhaustive);
  assert.equal(timed.stoppedBy, 'time');
  const counted = await explore(commands, { ...ASYNC, maxSchedules: 5 });
  assert.equal(counted.stoppedBy, 'schedules');
  assert.equal(counted.schedules, 5);
  const abort = new AbortController();
  abort.abort();
  const cancelled = await explore(commands, { ...ASYNC, maxSchedules: 1e9, signal: abort.signal });
  assert.equal(cancelled.stoppedBy, 'cancelled');
  assert.equal(cancelled.schedules, 0);
});

test('a schedule that does not fit is located: which choice, and the script line running then', async () => {
  const race = commandsOf(RACE);
  assert.equal(await scheduleMisfit(race, ASYNC, parseSchedule('0.h.1')), undefined);
  const tooBig = await scheduleMisfit(race, ASYNC, parseSchedule('0.h.7'));
  assert.ok(tooBig instanceof ScheduleError);
  assert.equal(tooBig.choice, 3);
  assert.equal(tooBig.line, 6, 'put 10 k a is running at the third decision point');
  assert.match(tooBig.message, /^choice 3 \('7'\) does not fit: 2 messages in flight, so 0 to 1/);
  const settledHold = await scheduleMisfit(race, { seed: 1, gossip: 'settled' }, parseSchedule('h'));
  assert.match(settledHold?.message ?? '', /choice 1 \('h'\) does not fit: .*gossip settled never holds/);
  // Choices past the last decision point: 0s are what a replay takes there anyway; others cannot be meant for this script.
  const decisions = (await runSchedule(race, ASYNC, parseSchedule('0.h.1'))).decisions.length;
  assert.equal(await scheduleMisfit(race, ASYNC, [0, 'h', 1, ...Array<number>(decisions).fill(0)]), undefined);
  const extra = await scheduleMisfit(race, ASYNC, [0, 'h', 1, ...Array<number>(decisions - 3).fill(0), 1]);
  assert.equal(extra?.choice, decisions + 1);
  assert.match(extra?.message ?? '', new RegExp(`is never used: the run meets only ${decisions} decision points`));
  const run = await runSchedule(race, ASYNC, [0, 'h', 1, ...Array<number>(decisions - 3).fill(0), 1]);
  assert.ok(!run.ok && run.scheduleError);
  // Malformed: the position of the bad choice is named.
  assert.throws(() => parseSchedule('0.h.x'), (e: unknown) => e instanceof ScheduleError && e.choice === 3 && /choice 3 \('x'\) is not a message index/.test(e.message));
  assert.throws(() => parseSchedule('0..1'), /choice 2 is empty/);
  assert.throws(() => parseSchedule('1.'), /choice 2 is empty/);
  assert.throws(() => parseSchedule('-1'), /choice 1 \('-1'\)/);
  assert.equal(replayCommand('a b.kvcmd', ASYNC, '0.h.1'), "kvcmd run 'a b.kvcmd' --model --gossip async --seed 1 --schedule 0.h.1");
});

test('schedules: compact text both ways, depth-first successor, a schedule that does not fit', async () => {
  assert.deepEqual(parseSchedule('0.2.h.1'), [0, 2, 'h', 1]);
  assert.deepEqual(parseSchedule('-'), []);
  assert.equal(formatSchedule([0, 2, 'h', 1, 0, 0]), '0.2.h.1');
  assert.equal(formatSchedule([0, 0]), '-');
  assert.throws(() => parseSchedule('0.x'));
  assert.deepEqual(nextSchedule([{ choice: 0, messages: 2, canHold: false }, { choice: 0, messages: 1, canHold: true }]), [0, 'h']);
  assert.deepEqual(nextSchedule([{ choice: 0, messages: 2, canHold: false }, { choice: 'h', messages: 1, canHold: true }]), [1]);
  assert.equal(nextSchedule([{ choice: 1, messages: 2, canHold: false }]), undefined);
  const run = await runSchedule(commandsOf(ONE_WRITE), ASYNC, ['h']);
  assert.ok(!run.ok);
  assert.match(run.error ?? '', /does not fit/);
});

test('kvcmd explore: text, --json, --replay of a witness, usage errors', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-explore-'));
  try {
    const file = path.join(dir, 'one.kvcmd');
    fs.writeFileSync(file, ONE_WRITE);
    const text = await runCli(['explore', file]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /exhaustive/);
    assert.match(text.stdout, /2 distinct stdouts/);
    const json = await runCli(['explore', file, '--json', '--max-schedules', '1000', '--seed', '3']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as ExploreReport;
    assert.equal(report.seed, 3);
    assert.ok(report.exhaustive);
    for (const o of report.outcomes) {
      const replay = await runCli(['explore', file, '--replay', o.witness, '--seed', '3']);
      assert.equal(replay.code, 0, replay.stderr);
      assert.equal(replay.stdout, o.stdout);
    }
    const bad = await runCli(['explore', file, '--max-schedules', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-schedules/);
    const unfit = await runCli(['explore', file, '--replay', '7']);
    assert.equal(unfit.code, 1);
    assert.match(unfit.stderr, /does not fit/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The language server fuzz (test/lsp/fuzz.test.ts) found kvcmd/explore on a long script taking
// seconds with a 44 ms budget, the server answering nothing meanwhile: the budget and a cancel were
// only looked at between schedules, and one schedule of a long script never let the event loop in.
test('a long schedule lets the event loop in and stops on a cancel in its middle (it was not counted)', async () => {
  const lines = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'joinClient 6 1'];
  for (let i = 0; i < 1500; i++) lines.push(`put ${5 + (i % 2)} k${i % 7} v${i}`, `get ${6 - (i % 2)} k${i % 5}`);
  const abort = new AbortController();
  let ranMeanwhile = false;
  setImmediate(() => {
    ranMeanwhile = true;
    abort.abort();
  });
  const r = await explore(commandsOf(lines.join('\n') + '\n'), { seed: 1, gossip: 'async', maxSchedules: 1, signal: abort.signal });
  assert.ok(ranMeanwhile, 'the event loop got in during the schedule');
  assert.equal(r.stoppedBy, 'cancelled');
  assert.equal(r.schedules, 0);
  assert.equal(r.exhaustive, false);
});
