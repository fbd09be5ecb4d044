import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, lineText } from '../../language/parser';
import { analyze } from '../../language/analyzer';
import { r } from './helpers';
import { countWork } from './work';

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
  assert.deepEqual(tokens('stabilize #k')[0].args, [], 'after the last argument, a token that *starts* with # is a comment');
});

test('a token beginning with # is an argument where one is still expected, a comment after the last one', () => {
  assert.deepEqual(tokens('put 1 k #a9f'), [{ command: 'put@0:0-0:3', args: ['1@0:4-0:5', 'k@0:6-0:7', '#a9f@0:8-0:12'], comment: undefined }]);
  assert.deepEqual(tokens('put 1 k #a9f #note'), [{ command: 'put@0:0-0:3', args: ['1@0:4-0:5', 'k@0:6-0:7', '#a9f@0:8-0:12'], comment: '#note@0:13-0:18' }]);
  assert.deepEqual(tokens('get 1 #k # c')[0], { command: 'get@0:0-0:3', args: ['1@0:4-0:5', '#k@0:6-0:8'], comment: '# c@0:9-0:12' });
  assert.deepEqual(tokens('printStore #1')[0].args, ['#1@0:11-0:13'], 'a malformed id, not a missing one');
  assert.deepEqual(tokens('joinClient 5 0 #tight')[0].comment, '#tight@0:15-0:21');
  // An unknown command expects nothing: its # tokens stay comments.
  assert.deepEqual(tokens('putt 1 k #v')[0], { command: 'putt@0:0-0:4', args: ['1@0:5-0:6', 'k@0:7-0:8'], comment: '#v@0:9-0:11' });
  assert.deepEqual(tokens('#put 1 k v')[0], { command: undefined, args: [], comment: '#put 1 k v@0:0-0:10' });
  const a = analyze('joinServer 0\njoinClient 1 0\nput 1 k #a9f\nput 1 k a#b\nget 1 #h # read it\n');
  assert.deepEqual(a.diagnostics, []);
  assert.deepEqual(a.commands.slice(2).map((c) => JSON.stringify(c)), [
    '{"name":"put","line":3,"client":1,"key":"k","value":"#a9f"}',
    '{"name":"put","line":4,"client":1,"key":"k","value":"a#b"}',
    '{"name":"get","line":5,"client":1,"key":"#h"}',
  ]);
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

// Linear-time claims are checked by counting work (see work.ts), never by the clock: a loaded
// machine makes any time limit either flaky or too loose to catch anything quadratic.

// The parser reads each character 3 or 4 times (blank test, token end, slice); a rescan per token
// would read a 1 MB line hundreds of thousands of times.
test('a 1 MB single line parses correctly, reading each character a bounded number of times', () => {
  const big = 'put 1 k ' + 'v'.repeat(1 << 20);
  const one = countWork(() => parse(big));
  assert.equal(one.result.lines[0].args[2].text.length, 1 << 20);
  assert.ok(one.work.chars <= 8 * big.length, `${one.work.chars} characters read for ${big.length}`);
  const many = 'x '.repeat(1 << 19);
  const tokens = countWork(() => parse(many));
  assert.equal(tokens.result.lines[0].args.length, (1 << 19) - 1);
  assert.ok(tokens.work.chars <= 8 * many.length, `${tokens.work.chars} characters read for ${many.length}`);
  const both = big + '\n' + many;
  const a = countWork(() => analyze(both));
  assert.deepEqual(a.result.diagnostics.map((d) => d.code), ['unknown-id', 'unknown-command']);
  assert.ok(a.work.total <= 8 * both.length, `work ${JSON.stringify(a.work)} for ${both.length} characters`);
});

/**
 * A script of `n` lines over n/100 servers and five times as many clients: joins, then puts, gets
 * and link changes. The cluster grows with the script, so work per line that grows with the
 * cluster (a scan of every server, say) shows as well as work that grows with the lines above.
 */
function longScript(n: number): string {
  const servers = n / 100;
  const clients = 5 * servers;
  const firstClient = 5 * servers;
  const ls: string[] = [];
  for (let i = 0; i < servers; i++) ls.push(`joinServer ${i}`);
  for (let i = 0; i < clients; i++) ls.push(`joinClient ${firstClient + i} ${i % servers}`);
  while (ls.length < n) {
    const k = ls.length;
    const c = firstClient + (k % clients);
    if (k % 7 === 0) ls.push(`get ${c} key${k % 50}   # read`);
    else if (k % 11 === 0) ls.push(`breakConnection ${k % servers} ${(k + 1) % servers}`);
    else if (k % 13 === 0) ls.push(`createConnection ${k % servers} ${(k + 1) % servers}`);
    else ls.push(`put ${c} key${k % 50} value${k}`);
  }
  return ls.join('\n');
}

test('a 20,000-line script is analysed correctly, with bounded work per line, and twice the script is twice the work', (t) => {
  const once = countWork(() => analyze(longScript(20000)));
  assert.equal(once.result.script.lineCount, 20000);
  assert.equal(once.result.hasErrors, false);
  assert.equal(once.result.commands.length, 20000);
  const perLine = once.work.total / 20000;
  // About 100 today; a scan of the earlier lines per line would be about 10,000 on average.
  assert.ok(perLine < 400, `work per line ${perLine.toFixed(1)} (${JSON.stringify(once.work)})`);
  // Twice the lines, servers and clients: linear work doubles, quadratic work would quadruple.
  const twice = countWork(() => analyze(longScript(40000)));
  assert.equal(twice.result.hasErrors, false);
  const ratio = twice.work.total / once.work.total;
  t.diagnostic(`work: ${perLine.toFixed(1)} per line; twice the script, ${ratio.toFixed(2)} times the work`);
  assert.ok(ratio > 1.5 && ratio < 2.6, `twice the script took ${ratio.toFixed(2)} times the work`);
});
