// The shared logic of `kvcmd test` and the Testing view (testing/): discovery, one test's result,
// the first difference located in the script, the JUnit XML (checked by test/testing/xml.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverTests, firstMismatch, runScriptTest, TestUsageError, updateExpected } from '../../testing/scriptTests';
import { junitXml, xmlEscape } from '../../testing/junit';
import { ROOT } from '../helpers';
import { findAll, parseXml } from './xml';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'extension', 'testing');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-testing-'));
}

test('discovery: pairs under a folder, recursively and sorted; a named .kvcmd even without .expected; an .expected names its script', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const f of ['b.kvcmd', 'b.expected', 'a.kvcmd', 'a.expected', 'lonely.kvcmd', 'sub/c.kvcmd', 'sub/c.expected', 'node_modules/x.kvcmd', 'node_modules/x.expected', 'orphan.expected']) {
    fs.writeFileSync(path.join(dir, f), '');
  }
  assert.deepEqual(discoverTests([dir]).map((t) => path.relative(dir, t.script)), ['a.kvcmd', 'b.kvcmd', path.join('sub', 'c.kvcmd')]);
  const named = discoverTests([path.join(dir, 'lonely.kvcmd'), path.join(dir, 'a.expected'), path.join(dir, 'a.kvcmd')]);
  assert.deepEqual(named.map((t) => path.basename(t.script)), ['a.kvcmd', 'lonely.kvcmd']);
  assert.equal(named[1].expected, path.join(dir, 'lonely.expected'));
  assert.throws(() => discoverTests([path.join(dir, 'missing')]), TestUsageError);
  assert.throws(() => discoverTests([path.join(dir, 'orphan.expected')]), /has no script beside it/);
  fs.writeFileSync(path.join(dir, 'notes.txt'), '');
  assert.throws(() => discoverTests([path.join(dir, 'notes.txt')]), /neither a folder/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('first mismatch: a differing line is located at the script line that printed it', () => {
  const m = firstMismatch('a:1\nb:2\nc:3\n', 'a:1\nb:9\nc:3\n', [4, 7, 9]);
  assert.equal(m.outputLine, 2);
  assert.equal(m.scriptLine, 7);
  assert.equal(m.expectedLine, 'b:2');
  assert.equal(m.actualLine, 'b:9');
  assert.equal(m.summary, 'output line 2 differs');
  assert.deepEqual(m.excerpt.split('\n'), ['@@ output line 2 @@', ' a:1', '-b:2', '-c:3', '+b:9', '+c:3']);
});

test('first mismatch: missing and extra lines, the final newline, a \\r from a CRLF file', () => {
  const missing = firstMismatch('a:1\nb:2\n', 'a:1\n', [3]);
  assert.equal(missing.summary, '1 expected line missing from line 2');
  assert.equal(missing.actualLine, undefined);
  const extra = firstMismatch('a:1\n', 'a:1\nb:2\nc:3\n', [3, 5, 6]);
  assert.equal(extra.summary, '2 unexpected lines from line 2');
  assert.equal(extra.scriptLine, 5);
  assert.equal(firstMismatch('a:1', 'a:1\n', [3]).summary, 'the expected file does not end with a newline');
  const crlf = firstMismatch('a:1\r\n', 'a:1\n', [3]);
  assert.equal(crlf.outputLine, 1);
  assert.match(crlf.excerpt, /-a:1\\r/);
});

test('a passing test, a failing one located at the printing line, and --update\'s rewrite (model)', async () => {
  const pass = await runScriptTest({ script: path.join(FIXTURES, 'pass.kvcmd'), expected: path.join(FIXTURES, 'pass.expected') }, { backend: 'model' });
  assert.equal(pass.status, 'passed', pass.reasons.join('; '));
  assert.equal(pass.seed, 1);
  assert.equal(pass.gossip, 'settled');
  assert.ok(pass.events.some((e) => e.type === 'send'), 'the run is traced');
  assert.deepEqual(pass.violations, []);

  const dir = tempDir();
  for (const f of ['wrong.kvcmd', 'wrong.expected']) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  const t = { script: path.join(dir, 'wrong.kvcmd'), expected: path.join(dir, 'wrong.expected') };
  const wrong = await runScriptTest(t, { backend: 'model' });
  assert.equal(wrong.status, 'failed');
  assert.equal(wrong.mismatch?.scriptLine, 13);
  assert.equal(wrong.mismatch?.expectedLine, 'color:red');
  assert.equal(wrong.mismatch?.actualLine, 'color:ERR_KEY');
  assert.ok(updateExpected(wrong));
  assert.equal(fs.readFileSync(t.expected, 'utf8'), wrong.actual);
  assert.equal((await runScriptTest(t, { backend: 'model' })).status, 'passed');

  // async: the checker decides; the (still wrong) output is a warning on a passing test.
  fs.copyFileSync(path.join(FIXTURES, 'wrong.expected'), t.expected);
  const async = await runScriptTest(t, { backend: 'model', gossip: 'async' });
  assert.equal(async.status, 'passed', async.reasons.join('; '));
  assert.match(async.warnings.join('\n'), /stdout differs from wrong\.expected .*in async mode the checker decides/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a script with errors fails with its diagnostics and does not run; --update leaves it alone', async () => {
  const dir = tempDir();
  const t = { script: path.join(dir, 'bad.kvcmd'), expected: path.join(dir, 'bad.expected') };
  fs.writeFileSync(t.script, 'joinServer 0\nput 5 k v\n');
  fs.writeFileSync(t.expected, '');
  const r = await runScriptTest(t, { backend: 'model' });
  assert.equal(r.status, 'failed');
  assert.ok(r.hasErrors);
  assert.equal(r.actual, undefined);
  assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.range.start.line === 1));
  assert.match(r.reasons[0], /the script has 1 error: not run/);
  assert.equal(updateExpected(r), false);
  fs.writeFileSync(t.script, '# nothing\n');
  assert.equal((await runScriptTest(t, { backend: 'model' })).diagnostics[0]?.code, 'empty-script');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('JUnit XML: well-formed with the right counts, escaping what XML needs', async () => {
  const pass = await runScriptTest({ script: path.join(FIXTURES, 'pass.kvcmd'), expected: path.join(FIXTURES, 'pass.expected') }, { backend: 'model' });
  const wrong = await runScriptTest({ script: path.join(FIXTURES, 'wrong.kvcmd'), expected: path.join(FIXTURES, 'wrong.expected') }, { backend: 'model' });
  // Nasty text in a failure: markup, quotes, an ampersand, a control character, a lone surrogate.
  wrong.reasons.push('a <b> & "c" \'d\' \x01 \ud800 ]]>');
  const root = parseXml(junitXml([pass, wrong], { display: (f) => path.relative(ROOT, f) }));
  assert.equal(root.name, 'testsuites');
  const [suite] = findAll(root, 'testsuite');
  assert.equal(suite.attrs.tests, '2');
  assert.equal(suite.attrs.failures, '1');
  const cases = findAll(root, 'testcase');
  assert.deepEqual(cases.map((c) => c.attrs.name), ['pass.kvcmd', 'wrong.kvcmd']);
  assert.equal(findAll(cases[0], 'failure').length, 0);
  const [failure] = findAll(cases[1], 'failure');
  assert.equal(failure.attrs.type, 'output');
  assert.match(failure.attrs.message, /^test\/fixtures\/extension\/testing\/wrong\.kvcmd:13: stdout differs/);
  assert.ok(failure.attrs.message.includes('a <b> & "c" \'d\' \ufffd \ufffd ]]>'), failure.attrs.message);
  assert.match(failure.text, /-color:red\n-color:blue\n\+color:ERR_KEY\n\+color:blue/);
  assert.equal(findAll(cases[1], 'system-out')[0].text, wrong.actual);
  assert.equal(xmlEscape('<&>"\'\n'), '&lt;&amp;&gt;&quot;&apos;&#10;');
  assert.throws(() => parseXml('<a><b></a></b>'), /closes/);
  assert.throws(() => parseXml('<a x=1/>'), /not quoted/);
  assert.throws(() => parseXml('<a>x & y</a>'), /without ';'|unknown entity/);
  assert.throws(() => parseXml('<a/><b/>'), /after the root/);
});
