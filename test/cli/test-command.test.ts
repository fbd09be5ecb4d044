// `kvcmd test` through the real binary: the samples pass, a deliberately wrong .expected fails at
// the right FILE:LINE, --junit writes well-formed XML with the right counts, --update rewrites a
// temporary copy, usage errors exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runCli, samples } from '../helpers';
import { findAll, parseXml } from '../testing/xml';

const FIXTURES = 'test/fixtures/extension/testing';

function tempCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-test-cmd-'));
  for (const f of fs.readdirSync(path.join(ROOT, FIXTURES))) fs.copyFileSync(path.join(ROOT, FIXTURES, f), path.join(dir, f));
  return dir;
}

test('kvcmd test samples: every sample passes on real processes, exit 0', async () => {
  const r = await runCli(['test', 'samples'], undefined, 60_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const n = samples().length;
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('PASS samples/')).length, n, r.stdout);
  assert.match(r.stdout, new RegExp(`^${n} passed, 0 failed \\(`, 'm'));
  assert.match(r.stderr, new RegExp(`kvcmd: test: ${n} tests \\(seed 1, gossip settled, real processes\\)`));
});

test('a deliberately wrong .expected fails with exit 1, located FILE:LINE at the get that printed the first differing line', async () => {
  const r = await runCli(['test', FIXTURES]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^PASS test\/fixtures\/extension\/testing\/pass\.kvcmd/m);
  assert.match(r.stdout, /^FAIL test\/fixtures\/extension\/testing\/wrong\.kvcmd \(\d+ ms\): stdout differs from wrong\.expected: output line 3 differs$/m);
  assert.match(r.stdout, /^ {2}test\/fixtures\/extension\/testing\/wrong\.kvcmd:13: output line 3 differs \(seed 1, gossip settled\)$/m);
  assert.match(r.stdout, /^ {2}-color:red\n(?: {2}-.*\n)* {2}\+color:ERR_KEY$/m);
  assert.match(r.stdout, /^1 passed, 1 failed \(/m);
});

test('--junit writes a well-formed JUnit XML report with the right counts (model)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-junit-'));
  const out = path.join(dir, 'report.xml');
  const r = await runCli(['test', FIXTURES, 'samples', '--model', `--junit=${out}`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const root = parseXml(fs.readFileSync(out, 'utf8'));
  const [suite] = findAll(root, 'testsuite');
  // The two fixtures and every sample.
  const n = String(2 + samples().length);
  assert.deepEqual([root.attrs.tests, root.attrs.failures, suite.attrs.tests, suite.attrs.failures, suite.attrs.errors], [n, '1', n, '1', '0']);
  const cases = findAll(suite, 'testcase');
  assert.equal(cases.length, Number(n));
  const failed = cases.filter((c) => findAll(c, 'failure').length > 0);
  assert.deepEqual(failed.map((c) => c.attrs.file), [`${FIXTURES}/wrong.kvcmd`]);
  const [failure] = findAll(failed[0], 'failure');
  assert.match(failure.attrs.message, /wrong\.kvcmd:13: stdout differs from wrong\.expected/);
  assert.match(failure.text, /--- test\/fixtures\/extension\/testing\/wrong\.expected\n\+\+\+ actual stdout\n/);
  assert.match(r.stderr, /JUnit report written to/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--update rewrites the wrong .expected of a temporary copy, says which changed, and the copy then passes', async () => {
  const dir = tempCopy();
  const passBefore = fs.readFileSync(path.join(dir, 'pass.expected'));
  const r = await runCli(['test', dir, '--update', '--model']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^updated ${path.join(dir, 'wrong.expected').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(r.stdout, /^1 \.expected file updated$/m);
  assert.match(r.stdout, /^2 passed, 0 failed/m);
  assert.equal(fs.readFileSync(path.join(dir, 'wrong.expected'), 'utf8'), 'size:ERR_KEY\ncolor:blue\ncolor:ERR_KEY\ncolor:blue\n');
  assert.deepEqual(fs.readFileSync(path.join(dir, 'pass.expected')), passBefore);
  const again = await runCli(['test', dir]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const still = await runCli(['test', dir, '--update', '--model']);
  assert.match(still.stdout, /^no \.expected file changed$/m);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--update leaves a script with errors alone (it still fails), and writes a missing .expected of a named script', async () => {
  const dir = tempCopy();
  fs.writeFileSync(path.join(dir, 'bad.kvcmd'), 'joinServer 0\nput 5 k v\n');
  fs.writeFileSync(path.join(dir, 'bad.expected'), 'keep\n');
  fs.writeFileSync(path.join(dir, 'new.kvcmd'), 'joinServer 0\njoinClient 5 0\nget 5 k\n');
  const r = await runCli(['test', path.join(dir, 'bad.kvcmd'), path.join(dir, 'new.kvcmd'), '--update', '--model']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL .*bad\.kvcmd \(\d+ ms\): the script has 1 error: not run$/m);
  assert.match(r.stdout, /bad\.kvcmd:2:5: error: /);
  assert.equal(fs.readFileSync(path.join(dir, 'bad.expected'), 'utf8'), 'keep\n');
  assert.equal(fs.readFileSync(path.join(dir, 'new.expected'), 'utf8'), 'k:ERR_KEY\n');
  assert.match(r.stdout, /^1 passed, 1 failed/m);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('async mode: the checker decides, an output difference is a warning (exit 0)', async () => {
  const r = await runCli(['test', FIXTURES, '--gossip', 'async', '--model']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^PASS .*wrong\.kvcmd .*\n {2}warning: stdout differs from wrong\.expected \(output line 3 differs\); in async mode the checker decides$/m);
  assert.match(r.stdout, /wrong\.kvcmd:13: output line 3 differs/);
});

test('usage errors exit 2: no tests found, a missing path, a bad option or value', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-empty-'));
  const none = await runCli(['test', empty]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /kvcmd: no tests found in '.*': a test is a \.kvcmd script with a sibling \.expected file/);
  assert.equal(none.stdout, '');
  const missing = await runCli(['test', 'no/such/dir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read 'no\/such\/dir'/);
  for (const args of [['--bogus'], ['--gossip', 'sometimes'], ['--seed', '-1'], ['--junit'], ['--junit', '-']]) {
    const r = await runCli(['test', 'samples', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /Try 'kvcmd --help'/);
  }
  const unwritable = await runCli(['test', 'samples', '--model', '--junit', path.join(empty, 'no', 'dir', 'r.xml')]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /cannot write the JUnit report/);
  fs.rmSync(empty, { recursive: true, force: true });
});

test('options may come before the command, and the help lists kvcmd test', async () => {
  const r = await runCli(['--model', '--seed', '1', 'test', 'samples/03-partition.kvcmd']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^1 passed, 0 failed/m);
  const help = await runCli(['--help']);
  assert.match(help.stdout, /kvcmd test \[DIR\|FILE\.\.\.\] \[--gossip M\] \[--protocol P\] \[--model\] \[--seed N\] \[--junit OUT\.xml\] \[--update\]/);
});
