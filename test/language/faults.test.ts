// The faults of the network in the language: delay, drop, duplicate, heal, pauseServer and
// resumeServer, their arguments (an id or `*`, durations, probabilities, delay's optional maximum),
// and the rules that keep a run from waiting for ever on a paused server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../language/edits';
import { formatDiagnostic } from '../../language/diagnostics';
import { parse } from '../../language/parser';
import { topologyBefore } from '../../language/topology';
import { analyze, lines, only, summary } from './helpers';

const SETUP = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'joinClient 6 1'];

test('fault commands yield typed commands: ids or *, delay with and without its maximum', () => {
  const a = analyze(lines(...SETUP, 'delay 0 1 100', 'delay * 1 20 80', 'drop 0 * 0.25', 'duplicate * * 1', 'heal 1 0',
    'pauseServer 1', 'resumeServer 1'));
  assert.deepEqual(a.diagnostics, []);
  assert.deepEqual(a.commands.slice(4), [
    { name: 'delay', line: 5, from: 0, to: 1, ms: 100, maxMs: 100 },
    { name: 'delay', line: 6, from: '*', to: 1, ms: 20, maxMs: 80 },
    { name: 'drop', line: 7, from: 0, to: '*', p: 0.25 },
    { name: 'duplicate', line: 8, from: '*', to: '*', p: 1 },
    { name: 'heal', line: 9, from: 1, to: 0 },
    { name: 'pauseServer', line: 10, server: 1 },
    { name: 'resumeServer', line: 11, server: 1 },
  ]);
});

test('delay takes 3 or 4 arguments; a # token after the third starts a comment, never the maximum', () => {
  const few = analyze('joinServer 0\ndelay 0 *');
  assert.deepEqual(summary(few.diagnostics), ['error arity 1:0-1:5']);
  assert.equal(few.diagnostics[0].message, 'delay needs 3 or 4 arguments: delay <from> <to> <ms> [<maxms>]');
  const many = analyze('joinServer 0\ndelay 0 * 1 2 3');
  assert.deepEqual(summary(many.diagnostics), ['error arity 1:14-1:15']);
  const commented = parse('delay 0 1 20 # slow link').lines[0];
  assert.deepEqual(commented.args.map((t) => t.text), ['0', '1', '20']);
  assert.equal(commented.comment?.text, '# slow link');
  // A # token where a required argument is expected is that argument, as everywhere.
  assert.deepEqual(parse('delay 0 #1 20').lines[0].args.map((t) => t.text), ['0', '#1', '20']);
});

test('bad-probability, bad-ms and bad-range: located at the token, with the reason', () => {
  const src = lines('joinServer 0', 'joinServer 1', 'drop 0 1 50%', 'duplicate 0 1 1.5', 'delay 0 1 soon', 'delay 0 1 80 20', 'delay 0 1 700000');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), [
    'error bad-probability 2:9-2:12', 'error bad-probability 3:14-3:17', 'error bad-ms 4:10-4:14', 'error bad-range 5:13-5:15', 'error bad-ms 6:10-6:16',
  ]);
  assert.match(a.diagnostics[0].message, /'50%' is not a probability: write a number from 0 to 1/);
  assert.match(a.diagnostics[2].message, /delay takes a whole number of milliseconds/);
  assert.match(a.diagnostics[3].message, /the longest delay 20 ms is shorter than the shortest 80 ms/);
  assert.equal(applyEdits('joinServer 0\njoinServer 1\ndelay 0 1 80 20\n', only(analyze('joinServer 0\njoinServer 1\ndelay 0 1 80 20\n'), 'bad-range').fixes[0].edits),
    'joinServer 0\njoinServer 1\ndelay 0 1 20 80\n');
  for (const p of ['0', '1', '0.5', '1.0', '0.000000001']) assert.deepEqual(analyze(`drop * * ${p}`).diagnostics, [], p);
  for (const p of ['-0.5', '.5', '1.01', '2', '1e-3', '0.5.5']) assert.equal(analyze(`drop * * ${p}`).diagnostics[0]?.code, 'bad-probability', p);
});

test('the ends of a fault: * or a node joined before the line, never one node twice, never two clients', () => {
  const a = analyze(lines(...SETUP, 'drop 0 9 1', 'delay 3 3 10', 'duplicate 5 6 1', 'drop 0 0 1', 'heal x 1'));
  assert.deepEqual(summary(a.diagnostics), [
    'error unknown-id 4:7-4:8', 'error unknown-id 5:6-5:7', 'error unknown-id 5:8-5:9', 'error client-link 6:10-6:13', 'error self-link 7:5-7:8', 'error bad-id 8:5-8:6',
  ]);
  assert.match(a.diagnostics[0].message, /or \* for every node/);
  // A dead server is still a node the rules may name (a rejoin takes its id again).
  assert.deepEqual(analyze(lines(...SETUP, 'killServer 1', 'drop 0 1 1')).diagnostics, []);
});

test('pauseServer and resumeServer: no-op warnings for a dead, an already paused or a running server', () => {
  const src = lines(...SETUP, 'pauseServer 1', 'pauseServer 1', 'resumeServer 0', 'killServer 0', 'pauseServer 0', 'resumeServer 0', 'pauseServer 6');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), [
    'warning already-paused 5:12-5:13', 'warning not-paused 6:13-6:14', 'warning dead-server 8:12-8:13', 'warning not-paused 9:13-9:14', 'error wrong-role 10:12-10:13',
  ]);
  assert.match(a.diagnostics[0].message, /server 1 is paused \(since line 5\); pausing it again does nothing/);
  assert.equal(a.diagnostics[0].related[0].range.start.line, 4);
  assert.deepEqual(a.diagnostics[0].fixes.map((f) => f.title), ['Delete this line']);
});

test('one server is paused at a time: a second pauseServer is refused, with a fix', () => {
  const src = lines(...SETUP, 'pauseServer 0', 'pauseServer 1', 'resumeServer 0', 'pauseServer 1');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['error paused-twice 5:0-5:11']);
  assert.match(a.diagnostics[0].message, /server 0 is paused \(since line 5\): one server is paused at a time; resumeServer 0 before it/);
  assert.equal(applyEdits(src, a.diagnostics[0].fixes[0].edits).split('\n')[5], 'resumeServer 0');
});

test('a paused server: printStore prints nothing, a put or get through it waits, stabilize is refused', () => {
  const src = lines(...SETUP, 'pauseServer 1', 'printStore 1', 'get 6 k', 'get 5 k', 'stabilize', 'resumeServer 1', 'stabilize');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['warning paused-server 5:11-5:12', 'warning paused-server 6:4-6:5', 'error paused-stabilize 8:0-8:9']);
  assert.match(a.diagnostics[0].message, /server 1 is paused \(since line 5\): a stopped server answers nothing, so this printStore prints nothing/);
  assert.match(a.diagnostics[1].message, /this get waits until it is resumed, and the script goes on meanwhile/);
  assert.match(a.diagnostics[2].message, /stabilize would wait for it for ever; resumeServer 1 before it/);
  assert.equal(applyEdits(src, a.diagnostics[2].fixes[0].edits).split('\n')[8], 'resumeServer 1');
  assert.equal(formatDiagnostic('s.kvcmd', a.diagnostics[2]).split(': error:')[0], 's.kvcmd:9:1');
  // A client with a running server as well may be served by it: no warning.
  assert.deepEqual(analyze(lines(...SETUP, 'createConnection 6 0', 'pauseServer 1', 'get 6 k')).diagnostics, []);
  // A kill ends the pause.
  assert.deepEqual(analyze(lines(...SETUP, 'pauseServer 1', 'killServer 1', 'stabilize')).diagnostics, []);
});

test('the topology tracks paused servers line by line', () => {
  const a = analyze(lines(...SETUP, 'pauseServer 1', 'get 5 k', 'resumeServer 1'));
  assert.deepEqual([...topologyBefore(a.commands, 6).paused], [[1, 5]]);
  assert.deepEqual([...topologyBefore(a.commands, 8).paused], []);
  assert.deepEqual([...a.finalTopology.paused], []);
});
