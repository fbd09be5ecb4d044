import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../language/analyzer';
import { applyEdits } from '../../language/edits';
import { formatDiagnostic } from '../../language/diagnostics';
import { topologyBefore } from '../../language/topology';
import { lines, only, r, summary } from './helpers';

const fixed = (src: string, code: Parameters<typeof only>[1], fix = 0): string =>
  applyEdits(src, only(analyze(src), code).fixes[fix].edits);

test('a clean script has no diagnostics and yields typed commands with 1-based lines', () => {
  const a = analyze(lines('# setup', 'joinServer 0', 'joinServer 1', 'joinClient 5 0', 'put 5 x a:b', 'stabilize',
    'get 5 x', 'printStore 1', 'breakConnection 0 1', 'createConnection 1 0', 'sleep 10', 'killServer 1'));
  assert.deepEqual(a.diagnostics, []);
  assert.equal(a.hasErrors, false);
  assert.deepEqual(a.commands, [
    { name: 'joinServer', line: 2, server: 0 },
    { name: 'joinServer', line: 3, server: 1 },
    { name: 'joinClient', line: 4, client: 5, server: 0 },
    { name: 'put', line: 5, client: 5, key: 'x', value: 'a:b' },
    { name: 'stabilize', line: 6 },
    { name: 'get', line: 7, client: 5, key: 'x' },
    { name: 'printStore', line: 8, server: 1 },
    { name: 'breakConnection', line: 9, a: 0, b: 1 },
    { name: 'createConnection', line: 10, a: 1, b: 0 },
    { name: 'sleep', line: 11, ms: 10 },
    { name: 'killServer', line: 12, server: 1 },
  ]);
  assert.deepEqual(a.keys.map((k) => `${k.key}@${r(k.range)}`), ['x@4:6-4:7']);
});

test('unknown-command: range is the command token, suggestion in message and as a fix; args unchecked', () => {
  const src = lines('joinServer 0', '  stablize now 99');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['error unknown-command 1:2-1:10']);
  assert.equal(a.diagnostics[0].message, "unknown command 'stablize'; did you mean 'stabilize'?");
  assert.equal(fixed(src, 'unknown-command'), lines('joinServer 0', '  stabilize now 99'));
  const far = analyze('frobnicate 1').diagnostics[0];
  assert.equal(far.fixes.length, 0);
  assert.match(far.message, /unknown command 'frobnicate'; the commands are joinServer/);
  assert.equal(analyze('JoinServer 1').diagnostics[0].message, "unknown command 'JoinServer'; did you mean 'joinServer'?");
});

test('arity: too few points at the command, too many at the surplus, with the usage in the message', () => {
  const few = analyze('joinServer 0\njoinClient 1 0\nput 1 k');
  assert.deepEqual(summary(few.diagnostics), ['error arity 2:0-2:3']);
  assert.equal(few.diagnostics[0].message, 'put needs 3 arguments: put <client> <key> <value>');
  const src = 'joinServer 0\nprintStore 0 1 2 # c';
  const many = analyze(src);
  assert.deepEqual(summary(many.diagnostics), ['error arity 1:13-1:16']);
  assert.equal(many.diagnostics[0].message, 'printStore needs 1 argument: printStore <server>');
  assert.equal(fixed(src, 'arity'), 'joinServer 0\nprintStore 0 # c');
  assert.equal(analyze('stabilize now').diagnostics[0].message, 'stabilize takes no arguments');
  assert.equal(fixed('stabilize  now', 'arity'), 'stabilize');
  assert.equal(many.commands.length, 1, 'the bad line yields no command');
});

test('bad-id: range is the token, the message says why', () => {
  const a = analyze(lines('joinServer -1', 'joinServer x', 'joinServer 2147483648', 'joinServer 2147483647', 'joinServer 1.5'));
  assert.deepEqual(summary(a.diagnostics), ['error bad-id 0:11-0:13', 'error bad-id 1:11-1:12', 'error bad-id 2:11-2:21', 'error bad-id 4:11-4:14']);
  assert.match(a.diagnostics[0].message, /negative/);
  assert.match(a.diagnostics[1].message, /whole number/);
  assert.match(a.diagnostics[2].message, /too large.*2147483647/);
  assert.deepEqual(a.commands, [{ name: 'joinServer', line: 4, server: 2147483647 }]);
});

test('bad-ms: non-numbers and more than ten minutes', () => {
  const a = analyze(lines('sleep 600000', 'sleep 600001', 'sleep 1s', 'sleep -5'));
  assert.deepEqual(summary(a.diagnostics), ['error bad-ms 1:6-1:12', 'error bad-ms 2:6-2:8', 'error bad-ms 3:6-3:8']);
  assert.deepEqual(a.commands, [{ name: 'sleep', line: 1, ms: 600000 }]);
});

test('unknown-id: joinClient to a never-joined server offers to insert the joinServer', () => {
  const src = 'joinServer 0\r\n  joinClient 1 7\r\n';
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['error unknown-id 1:15-1:16']);
  assert.equal(fixed(src, 'unknown-id'), 'joinServer 0\r\njoinServer 7\r\n  joinClient 1 7\r\n');
  assert.equal(analyze(fixed(src, 'unknown-id')).diagnostics.length, 0);
});

test('unknown-id: put/get by a never-joined client offers joinClient to the lowest live server', () => {
  const src = lines('joinServer 3', 'joinServer 2', 'get 9 k');
  const d = only(analyze(src), 'unknown-id');
  assert.equal(r(d.range), '2:4-2:5');
  assert.equal(d.severity, 'error');
  assert.equal(fixed(src, 'unknown-id'), lines('joinServer 3', 'joinServer 2', 'joinClient 9 2', 'get 9 k'));
  assert.equal(only(analyze('put 1 k v'), 'unknown-id').fixes.length, 0, 'no live server to join to');
  const other = analyze(lines('killServer 4', 'printStore 4', 'breakConnection 4 5'));
  assert.deepEqual(summary(other.diagnostics), ['warning kill-unknown 0:11-0:12', 'error unknown-id 1:11-1:12',
    'error unknown-id 2:16-2:17', 'error unknown-id 2:18-2:19']);
});

test('wrong-role: client where a server is needed and the reverse, related to the join', () => {
  const a = analyze(lines('joinServer 0', 'joinClient 1 0', 'killServer 1', 'printStore 1', 'joinClient 2 1', 'put 0 k v', 'get 0 k'));
  assert.deepEqual(summary(a.diagnostics), ['error wrong-role 2:11-2:12', 'error wrong-role 3:11-3:12',
    'error wrong-role 4:13-4:14', 'error wrong-role 5:4-5:5', 'error wrong-role 6:4-6:5']);
  assert.deepEqual(a.diagnostics[0].related.map((x) => `${x.message}@${r(x.range)}`), ['client 1 was joined here@1:0-1:14']);
  assert.match(a.diagnostics[3].message, /0 is a server, but put needs a client/);
});

test('id-kind-conflict: servers and clients share one id space', () => {
  const a = analyze(lines('joinServer 0', 'joinClient 1 0', 'joinServer 1', 'joinClient 0 0'));
  assert.deepEqual(summary(a.diagnostics), ['error id-kind-conflict 2:11-2:12', 'error id-kind-conflict 3:11-3:12']);
  assert.equal(r(a.diagnostics[0].related[0].range), '1:0-1:14');
  assert.equal(r(a.diagnostics[1].related[0].range), '0:0-0:12');
});

test('already-alive: a live server or an existing client joined again', () => {
  const a = analyze(lines('joinServer 0', 'joinServer 0', 'joinClient 1 0', 'joinClient 1 0'));
  assert.deepEqual(summary(a.diagnostics), ['error already-alive 1:11-1:12', 'error already-alive 3:11-3:12']);
  assert.deepEqual(a.diagnostics[0].related.map((x) => r(x.range)), ['0:0-0:12']);
  assert.deepEqual(a.diagnostics[1].related.map((x) => r(x.range)), ['2:0-2:14']);
  assert.match(a.diagnostics[0].message, /server 0 is already alive \(joined on line 1\)/);
});

test('client-link and self-link', () => {
  const a = analyze(lines('joinServer 0', 'joinClient 1 0', 'joinClient 2 0', 'createConnection 1 2', 'breakConnection 0 0', 'breakConnection 7 7'));
  assert.deepEqual(summary(a.diagnostics), ['error client-link 3:17-3:20', 'error self-link 4:16-4:19', 'error self-link 5:16-5:19']);
});

test('key-colon: the range is the colon itself; values may contain colons', () => {
  const a = analyze(lines('joinServer 0', 'joinClient 1 0', 'put 1 ab:c v:w', 'get 1 x:'));
  assert.deepEqual(summary(a.diagnostics), ['error key-colon 2:8-2:9', 'error key-colon 3:7-3:8']);
  assert.deepEqual(a.keys, []);
});

test('kill-dead: warning related to the kill line; the fix deletes the line', () => {
  const src = lines('joinServer 0', 'killServer 0', 'killServer 0', 'stabilize');
  const a = analyze(src);
  const d = only(a, 'kill-dead');
  assert.equal(d.severity, 'warning');
  assert.equal(r(d.range), '2:11-2:12');
  assert.deepEqual(d.related.map((x) => `${x.message}@${r(x.range)}`), ['server 0 was killed here@1:0-1:12']);
  assert.equal(fixed(src, 'kill-dead'), lines('joinServer 0', 'killServer 0', 'stabilize'));
  assert.equal(a.commands.length, 4, 'a warning line still yields its command');
  assert.equal(a.hasErrors, false);
  // Deleting the last line (no final newline) must not leave a dangling line ending.
  assert.equal(fixed('joinServer 0\nkillServer 0\nkillServer 0', 'kill-dead'), 'joinServer 0\nkillServer 0');
});

test('not-linked and already-linked are no-op warnings with a delete-line fix', () => {
  const src = lines('joinServer 0', 'joinServer 1', 'joinClient 5 0', 'createConnection 0 1', 'createConnection 5 0',
    'breakConnection 5 1', 'breakConnection 1 0', 'breakConnection 0 1', 'createConnection 5 1');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['warning already-linked 3:17-3:20', 'warning already-linked 4:17-4:20',
    'warning not-linked 5:16-5:19', 'warning not-linked 7:16-7:19']);
  assert.equal(fixed(lines('joinServer 0', 'joinServer 1', 'createConnection 0 1'), 'already-linked'), lines('joinServer 0', 'joinServer 1'));
  assert.equal(fixed(lines('joinServer 0', 'joinServer 1', 'breakConnection 0 1', 'breakConnection 1 0'), 'not-linked'),
    lines('joinServer 0', 'joinServer 1', 'breakConnection 0 1'));
});

test('dead-server: joinClient to a dead server and createConnection to one', () => {
  const a = analyze(lines('joinServer 0', 'joinServer 1', 'killServer 1', 'joinClient 5 1', 'createConnection 0 1', 'createConnection 5 0'));
  assert.deepEqual(summary(a.diagnostics), ['warning dead-server 3:13-3:14', 'warning dead-server 4:19-4:20']);
  assert.deepEqual(a.diagnostics[0].related.map((x) => r(x.range)), ['2:0-2:12']);
  assert.deepEqual(a.commands.map((c) => c.name), ['joinServer', 'joinServer', 'killServer', 'joinClient', 'createConnection', 'createConnection']);
});

test('no-server: explains where the client lost its last link', () => {
  const a = analyze(lines('joinServer 0', 'joinServer 2', 'joinClient 4 2', 'put 4 k v', 'killServer 2', 'get 4 k',
    'createConnection 4 0', 'get 4 k', 'breakConnection 0 4', 'put 4 k w', 'killServer 0', 'joinClient 6 0', 'get 6 k'));
  assert.deepEqual(summary(a.diagnostics), ['warning no-server 5:4-5:5', 'warning no-server 9:4-9:5',
    'warning dead-server 11:13-11:14', 'warning no-server 12:4-12:5']);
  assert.equal(a.diagnostics[0].message, 'client 4 has no link to a live server here (server 2 was killed on line 5); this get will fail');
  assert.deepEqual(a.diagnostics[0].related.map((x) => r(x.range)), ['4:0-4:12']);
  assert.match(a.diagnostics[1].message, /its link to server 0 was broken on line 9\); this put will fail/);
  assert.deepEqual(a.diagnostics[1].related.map((x) => r(x.range)), ['8:0-8:19']);
  assert.match(a.diagnostics[3].message, /it joined server 0 on line 12, which was already dead/);
});

test('print-dead', () => {
  const a = analyze(lines('joinServer 0', 'killServer 0', 'printStore 0'));
  assert.deepEqual(summary(a.diagnostics), ['warning print-dead 2:11-2:12']);
  assert.deepEqual(a.diagnostics[0].related.map((x) => r(x.range)), ['1:0-1:12']);
});

test('a line with an error does not change the topology', () => {
  // The bad join of client 0 must not make 0 a client, so joinServer 0 afterwards is fine.
  const a = analyze(lines('joinServer 1', 'joinClient 0 9', 'joinServer 0', 'joinClient 0 1'));
  assert.deepEqual(summary(a.diagnostics), ['error unknown-id 1:13-1:14', 'error id-kind-conflict 3:11-3:12']);
  assert.equal(a.hasErrors, true);
  assert.deepEqual(a.commands.map((c) => c.line), [1, 3]);
});

test('killed servers can be rejoined as new servers, fully meshed again', () => {
  const src = lines('joinServer 0', 'joinServer 1', 'joinServer 2', 'breakConnection 0 1', 'joinClient 9 1',
    'killServer 1', 'joinServer 1', 'breakConnection 0 1', 'killServer 1');
  const a = analyze(src);
  assert.deepEqual(a.diagnostics, []);
  const t4 = topologyBefore(a.commands, 6);
  assert.equal(t4.linked(0, 1), false);
  assert.deepEqual(t4.linksOf(1), [2, 9]);
  const t6 = topologyBefore(a.commands, 8);
  assert.equal(t6.linked(0, 1), true, 'the rejoined server is linked to every live server');
  assert.deepEqual(t6.linksOf(1), [0, 2], 'but not to the client of its previous life');
  assert.deepEqual(t6.liveLinkedServers(9), []);
  assert.equal(t6.servers.get(1)?.joinLine, 7);
  assert.equal(t6.servers.get(1)?.killLine, undefined);
  const end = topologyBefore(a.commands, 100);
  assert.deepEqual(end.liveServers(), [0, 2]);
  assert.equal(end.servers.get(1)?.killLine, 9);
  assert.deepEqual(a.finalTopology.liveServers(), [0, 2]);
  const one = a.ids.find((i) => i.id === 1)!;
  assert.deepEqual(one.joins.map(r), ['1:11-1:12', '6:11-6:12']);
  assert.deepEqual(one.kills.map(r), ['5:11-5:12', '8:11-8:12']);
  assert.deepEqual(a.ids.map((i) => `${i.kind} ${i.id}`), ['server 0', 'server 1', 'server 2', 'client 9']);
});

test('topology clone is independent of the original', () => {
  const a = analyze(lines('joinServer 0', 'joinServer 1', 'joinClient 5 0'));
  const t = topologyBefore(a.commands, 4);
  const c = t.clone();
  c.apply({ name: 'killServer', line: 4, server: 0 });
  assert.equal(t.linked(0, 5), true);
  assert.equal(t.isLiveServer(0), true);
  assert.equal(c.linked(0, 5), false);
  assert.equal(c.clients.get(5)?.lostLink?.line, 4);
  assert.equal(t.clients.get(5)?.lostLink, undefined);
});

test('references: every id token with its kind as known at that point', () => {
  const a = analyze(lines('joinServer 0', 'joinClient 3 0', 'put 3 k v', 'get 8 k', 'bogus 0', 'joinServer 3'));
  assert.deepEqual(a.references.map((x) => `${x.line} ${x.id} ${x.kind}${x.isJoin ? ' join' : ''} ${r(x.range)}`), [
    '0 0 server join 0:11-0:12',
    '1 3 client join 1:11-1:12',
    '1 0 server 1:13-1:14',
    '2 3 client 2:4-2:5',
    '3 8 unknown 3:4-3:5',
    '5 3 client join 5:11-5:12',
  ]);
});

test('diagnostics are in line order, and left to right within a line', () => {
  const a = analyze(lines('joinServer 0', 'put 7 a:b v', 'x', 'joinClient 0 9'));
  assert.deepEqual(summary(a.diagnostics), ['error unknown-id 1:4-1:5', 'error key-colon 1:7-1:8',
    'error unknown-command 2:0-2:1', 'error id-kind-conflict 3:11-3:12', 'error unknown-id 3:13-3:14']);
});

test('formatDiagnostic prints FILE:LINE:COL with 1-based numbers', () => {
  const a = analyze(lines('joinServer 0', 'killServer 0', '   killServer 0', 'putt'));
  assert.deepEqual(a.diagnostics.map((d) => formatDiagnostic('s.kvcmd', d)), [
    's.kvcmd:3:15: warning: server 0 is dead (killed on line 2); killing it again does nothing',
    "s.kvcmd:4:1: error: unknown command 'putt'; did you mean 'put'?",
  ]);
});

test('random scripts never crash the analyzer, and every range lies inside the text', () => {
  const words = ['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection', 'stabilize',
    'printStore', 'put', 'get', 'sleep', '0', '1', '2', '3', 'k', 'a:b', '#c', '-1', '\u0000', 'x#y', '99999999999'];
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let k = 0; k < 300; k++) {
    const ls: string[] = [];
    for (let i = 0; i < 1 + rand(12); i++) {
      ls.push(Array.from({ length: rand(5) }, () => words[rand(words.length)]).join(rand(3) === 0 ? '\t' : ' '));
    }
    const text = ls.join(rand(2) ? '\r\n' : '\n');
    const a = analyze(text);
    for (const d of a.diagnostics) {
      assert.ok(d.range.start.line < a.script.lineCount, text);
      assert.ok(d.range.end.character <= a.script.lines[d.range.end.line].length, text);
      assert.ok(d.message.length > 0);
    }
    assert.equal(a.hasErrors, a.diagnostics.some((d) => d.severity === 'error'));
    assert.ok(a.commands.every((c, i) => i === 0 || c.line > a.commands[i - 1].line));
  }
});

test('a line holding only done ends the script: nothing after it is checked or run, one after-done warning', () => {
  const src = lines('joinServer 0', 'joinClient 5 0', 'put 5 k v', '  done   # the end', '', '# a note', 'get 5 k', 'putt 9 x', 'get 5 k');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['warning after-done 6:0-8:7']);
  const d = a.diagnostics[0];
  assert.equal(d.message, "the script ends at 'done' on line 4; this line and the 2 command lines after it do not run");
  assert.deepEqual(d.related.map((x) => `${x.message}@${r(x.range)}`), ['the script ends here@3:2-3:6']);
  assert.deepEqual(a.commands.map((c) => c.line), [1, 2, 3]);
  assert.equal(a.doneLine, 3);
  assert.equal(fixed(src, 'after-done'), lines('joinServer 0', 'joinClient 5 0', 'put 5 k v', '', '# a note', 'get 5 k', 'putt 9 x', 'get 5 k'));
  // Nothing but blank and comment lines after done: no warning at all.
  assert.deepEqual(analyze(lines('joinServer 0', 'done', '# bye', '')).diagnostics, []);
  assert.equal(analyze('joinServer 0\ndone\nstabilize').diagnostics[0].message, "the script ends at 'done' on line 2; this line does not run");
  // done with arguments is not the end marker; Done is a near miss of nothing.
  assert.deepEqual(summary(analyze('done now\nstabilize').diagnostics), ['error unknown-command 0:0-0:4']);
  assert.deepEqual(analyze('done').commands, []);
});

test('kill-unknown: killServer of an id that never joined is a no-op warning, not an error; a client id stays wrong-role', () => {
  const src = lines('joinServer 0', 'killServer 4', 'joinClient 5 0', 'killServer 5', 'stabilize');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['warning kill-unknown 1:11-1:12', 'error wrong-role 3:11-3:12']);
  assert.equal(a.diagnostics[0].message, 'no server 4 has been joined before this line; killing it does nothing');
  assert.equal(fixed(lines('joinServer 0', 'killServer 4', 'stabilize'), 'kill-unknown'), lines('joinServer 0', 'stabilize'));
  assert.equal(fixed(lines('killServer 4'), 'kill-unknown', 1), lines('joinServer 4', 'killServer 4'));
  assert.deepEqual(a.commands.map((c) => c.name), ['joinServer', 'killServer', 'joinClient', 'stabilize']);
  // The id is still free: it may be joined later, as a server or a client.
  assert.deepEqual(analyze(lines('killServer 3', 'joinServer 3', 'killServer 7', 'joinClient 7 3')).diagnostics.map((d) => d.code), ['kill-unknown', 'kill-unknown']);
});

test('a bad joinClient is reported once: later lines use its client without follow-on errors', () => {
  const src = lines('joinServer 0', 'joinClient 5 9', 'put 5 k v', 'get 5 k', 'createConnection 5 0', 'breakConnection 0 5', 'get 5 k', 'get 6 k');
  const a = analyze(src);
  assert.deepEqual(summary(a.diagnostics), ['error unknown-id 1:13-1:14', 'error unknown-id 7:4-7:5']);
  assert.deepEqual(a.brokenJoins, [1]);
  // A malformed server id or a missing one: the same. A bad client id is no join at all.
  assert.deepEqual(summary(analyze(lines('joinServer 0', 'joinClient 5 x', 'get 5 k')).diagnostics), ['error bad-id 1:13-1:14']);
  assert.deepEqual(summary(analyze(lines('joinServer 0', 'joinClient 5', 'get 5 k')).diagnostics), ['error arity 1:0-1:10']);
  assert.deepEqual(summary(analyze(lines('joinServer 0', 'joinClient x 0', 'get 5 k')).diagnostics), ['error bad-id 1:11-1:12', 'error unknown-id 2:4-2:5']);
  // The id stays free: joining it again (the fix) is no error, and it is then a real client.
  const again = analyze(lines('joinServer 0', 'joinClient 5 9', 'get 5 k', 'joinClient 5 0', 'get 5 k'));
  assert.deepEqual(summary(again.diagnostics), ['error unknown-id 1:13-1:14']);
  assert.deepEqual(again.commands.map((c) => `${c.line}:${c.name}`), ['1:joinServer', '3:get', '4:joinClient', '5:get']);
  // A client id that already names a server is no broken join of a client.
  assert.deepEqual(summary(analyze(lines('joinServer 0', 'joinClient 0 9', 'get 0 k')).diagnostics),
    ['error id-kind-conflict 1:11-1:12', 'error unknown-id 1:13-1:14', 'error wrong-role 2:4-2:5']);
});

test('after a rejoin, no-server describes the current life of the server it lost', () => {
  const a = analyze(lines('joinServer 4', 'joinServer 1', 'joinClient 5 4', 'killServer 4', 'joinServer 4', 'get 5 k',
    'killServer 4', 'put 5 k v', 'killServer 1', 'joinClient 6 1', 'joinServer 1', 'get 6 k'));
  assert.deepEqual(a.diagnostics.map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`), [
    '6 no-server: client 5 has no link to a live server here (server 4 was killed on line 4; server 4 (rejoined on line 5) is a new server, never linked to client 5); this get will fail',
    '8 no-server: client 5 has no link to a live server here (server 4 was killed on line 4; server 4 (joined again on line 5, killed on line 7) is a new server, never linked to client 5); this put will fail',
    '10 dead-server: server 1 is dead (killed on line 9); client 6 starts with no link, so its put and get will fail until you createConnection it to a live server',
    '12 no-server: client 6 has no link to a live server here (it joined server 1 on line 10, which was already dead; server 1 (rejoined on line 11) is a new server, never linked to client 6); this get will fail',
  ]);
  assert.deepEqual(a.diagnostics[0].related.map((x) => `${x.message}@${r(x.range)}`),
    ['client 5 lost its last link here@3:0-3:12', 'server 4 rejoined here, as a new server@4:0-4:12']);
  // Without a rejoin the message is as before.
  assert.match(analyze(lines('joinServer 4', 'joinClient 5 4', 'killServer 4', 'get 5 k')).diagnostics[0].message, /\(server 4 was killed on line 3\); this get/);
});
