import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { checkRun } from '../../check/index';
import { ROOT, runCli } from '../helpers';
import { FIXTURES } from './run';

const RECORDS = path.join(FIXTURES, 'records');
const MALFORMED = path.join(FIXTURES, 'malformed');
const SAMPLE = path.join(ROOT, 'samples', '05-multi-linked-client.kvcmd');
const tmp = (name: string): string => path.join(os.tmpdir(), `kvcmd-check-${process.pid}-${name}`);

const NO_STACK = /\n\s+at .*:\d+:\d+/;

test('verify: a clean record exits 0, prints nothing on stdout and a summary on stderr', async () => {
  const r = await runCli(['verify', path.join(RECORDS, 'clean.jsonl')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /clean\.jsonl: no violations in 7 events \(untraced, gossip settled\)/);
  assert.match(r.stderr, /note: untraced record/);
});

test('verify: violations exit 1, one RECORD:EVENTLINE: rule: message (script line N, M) each on stdout', async () => {
  const file = path.join(RECORDS, 'diverged.jsonl');
  const r = await runCli(['verify', file]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, [
    `${file}:15: convergence: after stabilize (epoch 1) of group {0,1}, server 1 holds k=b (2,1) but server 0 holds k=a (2,0); see record lines 9, 11 (script line 5, 6, 7)`,
    `${file}:15: lost-write: k=b (2,1), held by server 1 when stabilize (epoch 1) of group {0,1} began, is missing from server 0 after it (it holds a (2,0)); see record lines 9, 11 (script line 5, 6, 7)`,
  ]);
  assert.match(r.stderr, /2 violations in 16 events \(traced, gossip off\)/);
});

test('verify: every malformed record exits 2 with one located error and no stack trace', async () => {
  for (const f of fs.readdirSync(MALFORMED).sort()) {
    const file = path.join(MALFORMED, f);
    const r = await runCli(['verify', file]);
    assert.equal(r.code, 2, `${f}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: .+\\n$`), f);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
});

test('verify: a record from stdin is named <stdin>; garbage bytes are a located error', async () => {
  const ok = await runCli(['verify', '-'], fs.readFileSync(path.join(RECORDS, 'stale-read.jsonl')));
  assert.equal(ok.code, 1);
  assert.match(ok.stdout, /^<stdin>:9: session: /);
  const garbage = Buffer.alloc(512);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
  const bad = await runCli(['verify', '-'], garbage);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^<stdin>:1:\d+: error: bad JSON: /);
  assert.doesNotMatch(bad.stderr, NO_STACK);
});

test('verify: usage mistakes and unreadable files exit 2', async () => {
  const none = await runCli(['verify']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /kvcmd: verify needs a record file/);
  const missing = await runCli(['verify', tmp('nope.jsonl')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /kvcmd: cannot read '.*nope\.jsonl': no such file/);
  const dir = await runCli(['verify', os.tmpdir()]);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /is a directory/);
  const extra = await runCli(['verify', 'a.jsonl', 'b.jsonl']);
  assert.equal(extra.code, 2);
  for (const args of [['check', SAMPLE, '--check'], ['verify', 'x.jsonl', '--check'], ['run', SAMPLE, '--check', '--interactive']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /--check/);
  }
});

test('verify: a record written by run --events (model and processes) is clean', async () => {
  for (const backend of [['--model'], []]) {
    const out = tmp(`run${backend.length}.jsonl`);
    const run = await runCli(['run', SAMPLE, '--seed', '5', '--events', out, ...backend]);
    assert.equal(run.code, 0, run.stderr);
    const r = await runCli(['verify', out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /no violations in \d+ events \(traced, gossip settled\)/);
  }
});

test('run --check: stdout unchanged, a clean summary on stderr, exit 0 (model and processes)', async () => {
  const expected = fs.readFileSync(SAMPLE.replace(/\.kvcmd$/, '.expected'), 'utf8');
  for (const backend of [['--model'], []]) {
    for (const gossip of ['settled', 'async', 'off']) {
      if (backend.length === 0 && gossip === 'off') continue;
      const r = await runCli(['run', SAMPLE, '--check', '--seed', '5', '--gossip', gossip, ...backend]);
      assert.equal(r.code, 0, r.stderr);
      if (gossip !== 'async' || backend.length > 0) assert.equal(r.stdout, expected, `${gossip} ${backend}`);
      assert.match(r.stderr, /kvcmd: check: no violations in \d+ events \(traced, gossip /);
    }
  }
});

test('run --check: a violation goes to stderr as SCRIPT:LINE: rule: message and the run fails', () => {
  // A correct protocol gives no violation to provoke through the CLI, so the reporting that
  // `run --check` does at the end is fed a recorded history that has one.
  const events = fs.readFileSync(path.join(RECORDS, 'stale-read.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((e: { type: string }) => e.type !== 'snapshot');
  let err = '';
  assert.equal(checkRun('stale.kvcmd', events, (s) => (err += s)), false);
  assert.match(err, /^stale\.kvcmd:\d+: session: /m);
  assert.match(err, /kvcmd: check: \d+ violations? in \d+ events/);
});

test('run --check: a rejoined server never reuses a stamp, so the run that once diverged is clean (exit 0)', async () => {
  const file = path.join(FIXTURES, 'rejoin-stamp-reuse.kvcmd');
  for (const backend of [['--model'], []]) {
    const r = await runCli(['run', file, '--seed', '1', '--check', ...backend]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(new Set(r.stdout.trim().split('\n').filter((l) => l.startsWith('k:'))).size, 1, `every server ends with the same k:\n${r.stdout}`);
    assert.match(r.stderr, /kvcmd: check: no violations/);
  }
});

test('help and docs name verify and --check', async () => {
  const r = await runCli(['--help']);
  assert.match(r.stdout, /kvcmd verify RECORD\.jsonl/);
  assert.match(r.stdout, /--check/);
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'checker.md'), 'utf8');
  for (const rule of ['session', 'dependency', 'convergence', 'lost-write', 'stamps', 'gossip']) assert.ok(doc.includes(`| \`${rule}\` |`), rule);
});
