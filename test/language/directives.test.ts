import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, protocolFor } from '../../language/index';

const codes = (text: string) => analyze(text).diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.severity}`);

test('a header directive sets the protocol; --protocol overrides it, a setting does not', () => {
  const a = analyze('# a note\n#kvcmd: protocol=vector\n\njoinServer 0\n');
  assert.equal(a.directives.protocol, 'vector');
  assert.deepEqual(a.directives.lines, [1]);
  assert.deepEqual(codes('# a note\n#kvcmd: protocol=vector\njoinServer 0\n'), []);
  assert.equal(protocolFor(a.directives), 'vector');
  assert.equal(protocolFor(a.directives, 'lamport-low'), 'lamport-low', 'a flag for this run wins');
  assert.equal(protocolFor(a.directives, undefined, 'lamport-low'), 'vector', 'a standing preference does not');
  assert.equal(protocolFor(analyze('joinServer 0\n').directives, undefined, 'lamport-low'), 'lamport-low');
  assert.equal(protocolFor(analyze('joinServer 0\n').directives), 'lamport');
});

test('bad directives are located errors with a fix per protocol; a late one is a warning and ignored', () => {
  const bad = analyze('# kvcmd: protocol=vectr\njoinServer 0\n');
  assert.equal(bad.directives.protocol, undefined);
  const d = bad.diagnostics[0];
  assert.equal(d.code, 'bad-directive');
  assert.deepEqual(d.range, { start: { line: 0, character: 18 }, end: { line: 0, character: 23 } });
  assert.match(d.message, /unknown protocol 'vectr': expected protocol=lamport \| lamport-low \| vector/);
  assert.deepEqual(d.fixes.map((f) => f.edits[0].newText), ['lamport', 'lamport-low', 'vector']);
  assert.deepEqual(codes('# kvcmd: colour=red\njoinServer 0\n'), ['1:10 bad-directive error']);
  assert.deepEqual(codes('# kvcmd: protocol\njoinServer 0\n'), ['1:10 bad-directive error']);
  assert.deepEqual(codes('# kvcmd: protocol=vector protocol=lamport\njoinServer 0\n'), ['1:26 bad-directive error']);
  const late = analyze('joinServer 0\n# kvcmd: protocol=vector\n');
  assert.equal(late.directives.protocol, undefined, 'a directive after the first command does not count');
  assert.deepEqual(codes('joinServer 0\n# kvcmd: protocol=vector\n'), ['2:1 late-directive warning']);
  // Other comments, and the word kvcmd elsewhere, are only comments.
  assert.deepEqual(codes('# kvcmd runs this: protocol=nothing\njoinServer 0 # kvcmd: protocol=x\n'), []);
});
