// `kvcmd run FILE --model --schedule W`: every witness `kvcmd explore` prints replays, through the
// command line printed beside it, to exactly the stdout it stands for; a witness that is malformed
// or belongs to another script is refused (exit 2) before anything runs or is written, saying where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../helpers';
import { ROOT } from '../helpers';

// Two racing writes of k, then a read on each server (test/explore/: three outcomes in async mode).
const RACE = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'explore', 'race.kvcmd'), 'utf8');

interface Witnessed { witness: string; replay: string }
interface JsonReport {
  seed: number;
  gossip: string;
  exhaustive: boolean;
  outcomes: (Witnessed & { stdout: string; count: number })[];
  lines: { line: number; outcomes: (Witnessed & { text: string })[] }[];
}

/** The words of a printed `kvcmd run ...` line, for runCli (no word in these tests needs quoting). */
function argvOf(replay: string): string[] {
  const words = replay.split(' ');
  assert.deepEqual(words.slice(0, 2), ['kvcmd', 'run'], replay);
  return words.slice(1);
}

function withScript(text: string, body: (dir: string, file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-schedule-'));
  const file = path.join(dir, 'race.kvcmd');
  fs.writeFileSync(file, text);
  return body(dir, file).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test('every witness of an exploration, replayed by the kvcmd run line printed beside it, prints its outcome exactly', () => withScript(RACE, async (dir, file) => {
  const json = await runCli(['explore', file, '--json', '--seed', '3']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as JsonReport;
  assert.ok(report.exhaustive);
  assert.equal(report.outcomes.length, 3);
  for (const o of report.outcomes) {
    assert.equal(o.replay, `kvcmd run ${file} --model --gossip async --seed 3 --schedule ${o.witness}`);
    const run = await runCli(argvOf(o.replay));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, o.stdout, o.replay);
    assert.match(run.stderr, new RegExp(`kvcmd: schedule ${o.witness.replace(/\./g, '\\.')} replayed \\(\\d+ decision points?\\)`));
  }
  // Per line too: the witness of each result of a get prints that result on that line.
  for (const l of report.lines) {
    for (const o of l.outcomes) {
      const run = await runCli(argvOf(o.replay));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.split('\n')[l.line - 7], o.text, `line ${l.line}: ${o.replay}`);
    }
  }
  // The text report prints the same lines.
  const text = await runCli(['explore', file, '--seed', '3']);
  assert.equal(text.code, 0, text.stderr);
  for (const o of report.outcomes) assert.ok(text.stdout.includes(`      replay: ${o.replay}\n`), o.replay);
  // --schedule goes with the other outputs of a run: the diagram of a witness, its checked record.
  const diagram = path.join(dir, 'witness.html');
  const events = path.join(dir, 'witness.jsonl');
  const held = report.outcomes.find((o) => o.witness.includes('h'))!;
  const full = await runCli([...argvOf(held.replay), '--diagram', diagram, '--events', events, '--check']);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(full.stdout, held.stdout);
  assert.ok(fs.readFileSync(diagram, 'utf8').startsWith('<!DOCTYPE html>'));
  assert.match(fs.readFileSync(events, 'utf8'), /"type":"runStarted".*"gossip":"async"/);
}));

test('--schedule refusals: exit 2 with what is wrong and where, nothing run or written', () => withScript(RACE, async (dir, file) => {
  const out = path.join(dir, 'never.jsonl');
  const refused = async (args: string[], message: RegExp): Promise<void> => {
    const r = await runCli(['--events', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /seed \d+/, 'no run started');
    assert.ok(!fs.existsSync(out), 'nothing written');
  };
  // Without --model: real processes cannot be told which message lands next.
  await refused(['run', file, '--schedule', '0.h.1'], /^kvcmd: --schedule '0\.h\.1' needs --model: .*\nTry 'kvcmd --help'\.\n$/);
  await refused(['run', file, '--gossip', 'async', '--schedule=-'], /needs --model/);
  // Malformed: the choice at fault, by position.
  await refused(['run', file, '--model', '--schedule', '0.h.x'], /^kvcmd: --schedule '0\.h\.x': choice 3 \('x'\) is not a message index \(0 to 999999\) or h: /);
  await refused(['run', file, '--model', '--schedule', '0..1'], /^kvcmd: --schedule '0\.\.1': choice 2 is empty/);
  await refused(['run', file, '--model', '--schedule', '1.2.'], /choice 3 is empty/);
  await refused(['run', file, '--model', '--schedule'], /--schedule needs a value/);
  // Well formed, but not a schedule of this script: located at the script line running at that point.
  await refused(['run', file, '--model', '--gossip', 'async', '--seed', '1', '--schedule', '0.h.7'],
    new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: error: --schedule '0\\.h\\.7': choice 3 \\('7'\\) does not fit: 2 messages in flight, so 0 to 1, and hold is not possible here\\n$`));
  // A hold in settled mode, where nothing is ever held.
  await refused(['run', file, '--model', '--schedule', 'h'], /race\.kvcmd:5: error: --schedule 'h': choice 1 \('h'\) does not fit: .*gossip settled never holds/);
  // Choices left over once the run has met all its decision points.
  await refused(['run', file, '--model', '--gossip', 'async', '--seed', '1', '--schedule', `0.h.1.${'0.'.repeat(20)}2`],
    /race\.kvcmd: error: --schedule '.*': choice 24 \('2'\) is never used: the run meets only \d+ decision points with this schedule/);
  // Not with --interactive, nor with another command.
  await refused(['run', '--model', '--interactive', '--schedule', '0'], /--schedule replays a whole script: it cannot go with --interactive/);
  await refused(['check', file, '--schedule', '0'], /--schedule goes with run/);
}));

test('the protocol of the exploration is the replay\'s: a directive in the script, or --protocol repeated in the kvcmd run lines', () => withScript(`# kvcmd: protocol=vector\n${RACE}`, async (dir, file) => {
  const check = async (args: string[], protocolFlag: string): Promise<void> => {
    const json = await runCli(['explore', file, '--json', ...args]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as JsonReport;
    for (const o of report.outcomes) {
      assert.equal(o.replay, `kvcmd run ${file} --model --gossip async --seed 1${protocolFlag} --schedule ${o.witness}`);
      const run = await runCli(argvOf(o.replay));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, o.stdout, o.replay);
    }
  };
  await check([], '');
  await check(['--protocol', 'lamport-low'], ' --protocol lamport-low');
  const bad = await runCli(['explore', file, '--protocol', 'nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--protocol must be one of/);
}));
