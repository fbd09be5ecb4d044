import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { checkRecord, formatViolation, parseRecord, RecordError } from '../../check';
import { locateJsonError } from '../../check/record';
import { ROOT } from '../helpers';
import { FIXTURES } from './run';

const RECORDS = path.join(FIXTURES, 'records');
const MALFORMED = path.join(FIXTURES, 'malformed');

function load(file: string) {
  return parseRecord(fs.readFileSync(file, 'utf8'));
}

// Hand-written records, each with a known fault: the rules it breaks, and where the first
// violation is (its line in the record file) with the script lines it names.
const heldOut: { file: string; rules: string[]; at: number; lines: number[]; untraced?: boolean }[] = [
  { file: 'stale-read.jsonl', rules: ['session'], at: 9, lines: [5, 6], untraced: true },
  { file: 'err-key-after-read.jsonl', rules: ['session'], at: 9, lines: [5, 6], untraced: true },
  { file: 'phantom-value.jsonl', rules: ['stamps'], at: 5, lines: [3], untraced: true },
  { file: 'unjustified-err-dep.jsonl', rules: ['dependency'], at: 15, lines: [3, 4] },
  { file: 'diverged.jsonl', rules: ['convergence', 'lost-write'], at: 15, lines: [5, 6, 7] },
  { file: 'stabilize-keeps-older.jsonl', rules: ['stamps', 'lost-write'], at: 14, lines: [5, 7] },
  { file: 'counter-backwards.jsonl', rules: ['stamps'], at: 7, lines: [3] },
  { file: 'gossip-gap.jsonl', rules: ['gossip'], at: 11, lines: [3, 5] },
];

for (const h of heldOut) {
  test(`held-out record ${h.file}: flagged ${h.rules.join(' + ')} at record line ${h.at}`, () => {
    const record = load(path.join(RECORDS, h.file));
    const report = checkRecord(record.events);
    assert.deepEqual([...new Set(report.violations.map((v) => v.rule))].sort(), [...h.rules].sort(), report.violations.map((v) => v.message).join('\n'));
    const first = report.violations[0];
    assert.equal(record.lineOf[first.events[0]], h.at);
    assert.deepEqual(first.lines, h.lines);
    assert.equal(report.traced, !h.untraced);
    if (h.untraced) assert.ok(report.notes.some((n) => n.startsWith('untraced record')), report.notes.join('\n'));
    // The printed form: RECORD:EVENTLINE: rule: message (script line N, M)
    assert.match(formatViolation(h.file, first, record.lineOf), new RegExp(`^${h.file.replace('.', '\\.')}:${h.at}: ${first.rule}: .+ \\(script line ${h.lines.join(', ')}\\)$`));
  });
}

test('a clean hand-written record (a blank line, a final snapshot) has no violation', () => {
  const record = load(path.join(RECORDS, 'clean.jsonl'));
  assert.equal(record.events.length, 7);
  assert.ok(record.snapshot);
  assert.deepEqual(record.lineOf.slice(-1), [8], 'the blank line 7 is skipped, the numbering is the file\'s');
  assert.deepEqual(checkRecord(record.events).violations, []);
});

test('a witness is an event the violation needs: the stale get and the put it contradicts', () => {
  const record = load(path.join(RECORDS, 'stale-read.jsonl'));
  const [v] = checkRecord(record.events).violations;
  assert.deepEqual(v.events.map((i) => record.events[i].type), ['get', 'put']);
  assert.match(v.message, /returned one \(2,0\), older than \(9,0\) the client wrote before/);
});

// Malformed records: one located error each, FILE:LINE:COL.
const malformed: [string, string][] = [
  ['bad-json.jsonl', "2:80: error: bad JSON: unexpected end of line: missing '}'"],
  ['trailing-comma.jsonl', '2:81: error: bad JSON: expected a property name in double quotes'],
  ['bad-format.jsonl', '1:22: error: unknown format "other-record" (expected "kvcmd-record")'],
  ['bad-version.jsonl', '1:46: error: unsupported version 2 of kvcmd-record (this checker reads version 1)'],
  ['no-header.jsonl', '1:2: error: the first line must be runStarted (format kvcmd-record), not "nodeStarted"'],
  ['missing-field.jsonl', '2:88: error: put event is missing field "stamp"'],
  ['wrong-type.jsonl', '2:126: error: get.counter: expected a non-negative integer, got "seven"'],
  ['negative-counter.jsonl', '2:110: error: put.counter: expected a non-negative integer, got -4'],
  ['unknown-type.jsonl', '2:2: error: unknown event type "teleport"'],
  ['after-snapshot.jsonl', '3:1: error: nothing may follow the final snapshot (line 2)'],
  ['empty.jsonl', '1:1: error: empty record: expected a runStarted line'],
];

for (const [file, expected] of malformed) {
  test(`malformed record ${file}: ${expected.split(': error: ')[1]}`, () => {
    assert.throws(() => load(path.join(MALFORMED, file)), (err: unknown) => {
      assert.ok(err instanceof RecordError);
      assert.equal(err.format(file), `${file}:${expected}`);
      return true;
    });
  });
}

test('the JSON scanner finds the first bad character where V8 does not say', () => {
  assert.deepEqual(locateJsonError('{"a":}'), { offset: 5, message: 'unexpected character "}"' });
  assert.equal(locateJsonError('{"a":1} x').offset, 8);
  assert.equal(locateJsonError('{"a":"b\\q"}').offset, 7);
  assert.equal(locateJsonError('{"a":[1,2}').offset, 9);
  assert.equal(locateJsonError('{a:1}').offset, 1);
});

test('a line cut anywhere gets an error located inside that line', () => {
  const text = fs.readFileSync(path.join(RECORDS, 'unjustified-err-dep.jsonl'), 'utf8');
  const whole = text.split('\n')[1];
  for (let cut = 1; cut < whole.length; cut += 7) {
    const lines = text.split('\n');
    lines[1] = lines[1].slice(0, cut);
    assert.throws(() => parseRecord(lines.join('\n')), (err: unknown) => {
      assert.ok(err instanceof RecordError, String(err));
      assert.equal(err.line, 2);
      assert.ok(err.column >= 1 && err.column <= lines[1].length + 1, `${err.column}`);
      return true;
    });
  }
});

// The record's format (record/schema.ts) is data the checker reads files against, not a rule of the
// protocol: it is the one value import allowed.
test('check/ decides on its own: from protocol/ and record/ it imports types only, and the record\'s format', () => {
  const dir = path.join(ROOT, 'check');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const from = /^(?:import|export)\b.*\bfrom '([^']+)'/.exec(line)?.[1];
      if (!from || from.startsWith('./') || !from.startsWith('..') || from === '../record/schema') continue;
      assert.match(line, /^(import|export) type /, `${f}: ${line}`);
    }
  }
});
