import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatScript } from '../../language/format';
import { parse } from '../../language/parser';
import { applyEdits } from '../../language/edits';
import { r } from './helpers';

const format = (text: string): string => applyEdits(parse(text).text, formatScript(parse(text)));

test('single spaces, no leading or trailing white space, comments and blank lines kept', () => {
  assert.equal(format('  put\t1   k  v   #  note  \n\n\t# alone\t\nstabilize\t\n'), 'put 1 k v #  note\n\n# alone\nstabilize\n');
});

test('edits are minimal: only changed lines, replacing the content but not the line ending', () => {
  const s = parse('joinServer 0\r\n  joinServer  1 \r\nstabilize');
  const edits = formatScript(s);
  assert.deepEqual(edits.map((e) => `${r(e.range)} ${JSON.stringify(e.newText)}`), ['1:0-1:16 "joinServer 1"']);
  assert.equal(applyEdits(s.text, edits), 'joinServer 0\r\njoinServer 1\r\nstabilize');
});

test('an already formatted script gives no edits; formatting is idempotent', () => {
  assert.deepEqual(formatScript(parse('joinServer 0 # a\n\nput 1 a#b v\n')), []);
  const once = format(' get\t1  k#x #c\n \n');
  assert.equal(once, 'get 1 k#x #c\n\n');
  assert.deepEqual(formatScript(parse(once)), []);
});

test('whitespace-only lines become empty', () => {
  const edits = formatScript(parse('stabilize\n   \t\n'));
  assert.deepEqual(edits.map((e) => `${r(e.range)} ${JSON.stringify(e.newText)}`), ['1:0-1:4 ""']);
});
