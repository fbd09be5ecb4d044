import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, lineText } from '../../language/parser';
import { analyze } from '../../language/analyzer';
import { r } from './helpers';

const tokens = (text: string) => parse(text).lines.map((l) => ({
  command: l.command && `${l.command.text}@${r(l.command.range)}`,
  args: l.args.map((a) => `${a.text}@${r(a.range)}`),
  comment: l.comment && `${l.comment.text}@${r(l.comment.range)}`,
}));

test('every token gets its exact range; runs of spaces and tabs separate tokens', () => {
  assert.deepEqual(tokens('  put\t1   key \t value  '), [{
    command: 'put@0:2-0:5',
    args: ['1@0:6-0:7', 'key@0:10-0:13', 'value@0:16-0:21'],
    comment: undefined,
  }]);
});

test('comments: whole-line, trailing, and # inside a token is part of the token', () => {
  assert.deepEqual(tokens('# whole line\nput 1 k a#b # trailing  \n  #\n'), [
    { command: undefined, args: [], comment: '# whole line@0:0-0:12' },
    { command: 'put@1:0-1:3', args: ['1@1:4-1:5', 'k@1:6-1:7', 'a#b@1:8-1:11'], comment: '# trailing@1:12-1:22' },
    { command: undefined, args: [], comment: '#@2:2-2:3' },
    { command: undefined, args: [], comment: undefined },
  ]);
  assert.deepEqual(tokens('get 1 #k')[0].args, ['1@0:4-0:5'], 'a token that *starts* with # is a comment');
});

test('CRLF line ends are not part of any token, and are remembered for inserted lines', () => {
  const s = parse('joinServer 1\r\nput 2 k v\r\n');
  assert.equal(s.lineCount, 3);
  assert.equal(s.eol, '\r\n');
  assert.equal(s.lines[0].args[0].text, '1');
  assert.equal(r(s.lines[1].args[2].range), '1:8-1:9');
  assert.equal(s.lines[1].args[2].text, 'v');
  assert.equal(lineText(s, 1), 'put 2 k v');
  assert.equal(parse('a\nb').eol, '\n');
});

test('a missing final newline and a trailing CR at end of file are accepted', () => {
  const s = parse('stabilize\nsleep 5');
  assert.equal(s.lineCount, 2);
  assert.equal(s.lines[1].args[0].text, '5');
  assert.equal(parse('sleep 5\r').lines[0].args[0].text, '5');
});

test('a leading BOM is dropped and columns start after it', () => {
  const s = parse('\uFEFFjoinServer 0\n');
  assert.equal(s.lines[0].command?.text, 'joinServer');
  assert.equal(r(s.lines[0].command!.range), '0:0-0:10');
  assert.equal(s.text, 'joinServer 0\n');
});

test('blank and whitespace-only lines have no command but are kept as lines', () => {
  const s = parse('\n \t \nstabilize');
  assert.equal(s.lineCount, 3);
  assert.equal(s.lines[0].command, undefined);
  assert.equal(s.lines[1].command, undefined);
  assert.equal(s.lines[1].length, 3);
  assert.equal(s.lines[2].command?.text, 'stabilize');
  assert.deepEqual(parse('').lines.map((l) => l.command), [undefined]);
});

test('columns count UTF-16 units, like the editor', () => {
  const s = parse('put 1 😀 v');
  assert.equal(r(s.lines[0].args[1].range), '0:6-0:8');
  assert.equal(r(s.lines[0].args[2].range), '0:9-0:10');
});

test('NUL and other control characters are ordinary token characters', () => {
  const s = parse('put\u0000 1 k\u0001 v');
  assert.deepEqual(s.lines[0].command?.text, 'put\u0000');
  assert.equal(s.lines[0].args[1].text, 'k\u0001');
  const a = analyze('put\u0000 1 k v\njoinServer 0\nput 1 \u0007 v\n');
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['unknown-command', 'unknown-id']);
});

test('a 1 MB single line parses quickly', (t) => {
  const big = 'put 1 k ' + 'v'.repeat(1 << 20);
  const t0 = performance.now();
  const s = parse(big);
  assert.equal(s.lines[0].args[2].text.length, 1 << 20);
  const many = 'x '.repeat(1 << 19);
  const s2 = parse(many);
  assert.equal(s2.lines[0].args.length, (1 << 19) - 1);
  const a = analyze(big + '\n' + many);
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['unknown-id', 'unknown-command']);
  const took = performance.now() - t0;
  t.diagnostic(`1 MB lines: ${took.toFixed(1)} ms`);
  assert.ok(took < 1000, `took ${took} ms`);
});

// The target is well under 30 ms on an idle machine; the assertion leaves room for a busy CI
// box (colleagues' builds run alongside) while still catching anything quadratic.
test('a 20,000-line script parses and analyzes in linear time', (t) => {
  const ls: string[] = [];
  for (let i = 0; i < 20; i++) ls.push(`joinServer ${i}`);
  for (let i = 0; i < 100; i++) ls.push(`joinClient ${100 + i} ${i % 20}`);
  while (ls.length < 20000) {
    const n = ls.length;
    const c = 100 + (n % 100);
    if (n % 7 === 0) ls.push(`get ${c} key${n % 50}   # read`);
    else if (n % 11 === 0) ls.push(`breakConnection ${n % 20} ${(n + 1) % 20}`);
    else if (n % 13 === 0) ls.push(`createConnection ${n % 20} ${(n + 1) % 20}`);
    else ls.push(`put ${c} key${n % 50} value${n}`);
  }
  const text = ls.join('\n');
  analyze(text); // warm up the JIT, as a long-lived language server would be
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const a = analyze(text);
    times.push(performance.now() - t0);
    assert.equal(a.script.lineCount, 20000);
    assert.equal(a.hasErrors, false);
  }
  times.sort((x, y) => x - y);
  t.diagnostic(`median parse+analyze of 20,000 lines: ${times[2].toFixed(1)} ms`);
  assert.ok(times[2] < 100, `median ${times[2].toFixed(1)} ms`);
});
