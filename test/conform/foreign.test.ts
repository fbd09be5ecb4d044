// Proof that foreign nodes are real: a server and client written in Python from docs/nodes.md alone
// (test/fixtures/foreign/python/kvnode.py) pass the conformance kit and the samples, and broken
// variants of it are caught by the kit and the checker with the rule and the line.
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { parseNodeCommand, type NodeCommands } from '../../cluster/nodeCommands';
import { SeededRandom } from '../../protocol/rng';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { foreignSamples, ROOT, runCli, runFile } from '../helpers';

const PY = path.join(ROOT, 'test', 'fixtures', 'foreign', 'python', 'kvnode.py');
const server = (bug?: string): string => `python3 ${JSON.stringify(PY)} server {id} {port}${bug ? ` --bug ${bug}` : ''}`;
const client = `python3 ${JSON.stringify(PY)} client {id}`;

/** These tests need python3: without it they fail, saying so, rather than skip in silence. */
function needPython(): void {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 is not available (${r.error?.message ?? r.stderr}): the foreign-node tests run a Python node; install Python 3`);
}

function stable(e: ClusterEvent): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!VOLATILE_FIELDS.includes(k)) out[k] = v;
  return JSON.stringify(out);
}

test('python3 is on this machine', () => needPython());

test('the Python node\'s random choices are kvcmd\'s (mulberry32 as docs/nodes.md writes it)', () => {
  needPython();
  const cases = [[1, 7], [0, 0], [2147483647, 12], [42, 2147483646]];
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(path.dirname(PY))}); import kvnode
for seed, stream in ${JSON.stringify(cases)}:
    r = kvnode.Rng(seed, stream); print(' '.join(repr(r.next()) for _ in range(50)))`;
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  cases.forEach(([seed, stream], i) => {
    const rng = new SeededRandom(seed, stream);
    const expected = Array.from({ length: 50 }, () => rng.next());
    assert.deepEqual(lines[i].split(' ').map(Number), expected, `seed ${seed}, stream ${stream}`);
  });
});

test('kvcmd conform: the Python node passes every probe and script of the kit', { timeout: 300_000 }, async () => {
  needPython();
  const r = await runCli(['conform', '--server-cmd', server(), '--client-cmd', client], undefined, 280_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const checks = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
  assert.ok(checks.length >= 15, r.stdout);
  assert.deepEqual(checks.filter((l) => l.startsWith('FAIL')), []);
  assert.match(r.stdout, new RegExp(`^${checks.length} passed, 0 failed \\(`, 'm'));
  assert.match(r.stderr, /servers: python3 .*kvnode\.py"? server \{id\} \{port\}; clients: python3 .*kvnode\.py"? client \{id\}/);
});

test('kvcmd test samples against the Python node: every sample passes, byte for byte with --exact, checked', { timeout: 300_000 }, async () => {
  needPython();
  // Every sample but those using the network's faults, which need kvcmd's own nodes.
  const files = foreignSamples().map((f) => path.relative(ROOT, f));
  assert.ok(files.length >= 5, files.join(' '));
  const r = await runCli(['test', ...files, '--server-cmd', server(), '--client-cmd', client, '--exact'], undefined, 280_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('PASS samples/')).length, files.length, r.stdout);
  assert.doesNotMatch(r.stdout, /warning: stdout differs/);
  assert.match(r.stderr, /foreign nodes from --server-cmd\/--client-cmd/);
});

test('the Python node gives kvcmd\'s own record of every sample (stamps, counters, messages, order)', { timeout: 300_000 }, async () => {
  needPython();
  const nodes: NodeCommands = {
    server: [parseNodeCommand(server(), ROOT, 'test')], client: [parseNodeCommand(client, ROOT, 'test')],
    startTimeout: 10_000, callTimeout: 10_000, exact: true, origin: 'test',
  };
  for (const file of foreignSamples()) {
    const settings = { seed: 3, gossip: 'settled' as const, trace: true };
    const model = await runFile(file, { ...settings, backend: 'model' });
    const py = await runFile(file, { ...settings, backend: 'processes', nodes });
    assert.equal(py.stdout, model.stdout, path.basename(file));
    const got = py.events.slice(1).map(stable);
    const expected = model.events.slice(1).map(stable);
    const first = got.findIndex((e, j) => e !== expected[j]);
    assert.equal(first, -1, `${path.basename(file)}: differs at event ${first}: ${got[first]} vs ${expected[first]}`);
  }
});

test('a mixed cluster: Python servers 1 and 3 among kvcmd\'s own servers and clients, run --check and --diagram', { timeout: 120_000 }, async () => {
  needPython();
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-mixed-')), 'd.html');
  const file = 'samples/03-partition.kvcmd';
  const r = await runCli(['run', file, '--seed', '1', '--check', '--diagram', out, '--server-cmd', `1,3=${server()}`], undefined, 100_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, fs.readFileSync(path.join(ROOT, 'samples', '03-partition.expected'), 'utf8'));
  assert.match(r.stderr, /servers: 1,3=python3 .*; others kvcmd's own; clients: kvcmd's own/);
  assert.match(r.stderr, /kvcmd: check: no violations in \d+ events \(traced, gossip settled\)/);
  // The diagram shows the messages the nodes reported: as many as a run of kvcmd's own nodes.
  const own = await runFile(path.join(ROOT, file), { seed: 1, gossip: 'settled', trace: true, backend: 'model' });
  const sends = own.events.filter((e) => e.type === 'send').length;
  assert.match(r.stderr, new RegExp(`kvcmd: diagram of ${sends} messages written to `));
  assert.ok(fs.readFileSync(out, 'utf8').includes('"kind":"spread"') || fs.readFileSync(out, 'utf8').includes('"kind":"gossip"'));
});

test('a broken Python server (it ignores the client\'s dependency): the kit fails it naming the rule and the line', { timeout: 200_000 }, async () => {
  needPython();
  const r = await runCli(['conform', '--server-cmd', server('ignore-dependency'), '--client-cmd', client, '--only', '05', '--only', '06'], undefined, 180_000);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL 05-err-dep\.kvcmd \(.*\): ERR_DEP: /m);
  assert.match(r.stdout, /^ {2}\[session\] conform\/scripts\/05-err-dep\.kvcmd:12: get k by client 5 \(server 1\) returned old .*older than .* the client wrote before/m);
  assert.match(r.stdout, /^ {2}\[output\] conform\/scripts\/05-err-dep\.kvcmd:12: output line 1 differs: expected 'k:ERR_DEP', got 'k:old'$/m);
  assert.match(r.stdout, /^ {2}\[session\] conform\/scripts\/06-monotonic-reads\.kvcmd:11: get k by client 6 \(server 1\) answered ERR_KEY after the client read k/m);
  assert.match(r.stdout, /^0 passed, 2 failed \(.*\): 05-err-dep\.kvcmd, 06-monotonic-reads\.kvcmd$/m);
});

test('a broken Python server (it never gossips): the checker flags every unflooded put with its line, in run --check and kvcmd test', { timeout: 200_000 }, async () => {
  needPython();
  const run = await runCli(['run', 'samples/01-fully-connected.kvcmd', '--seed', '1', '--check', '--server-cmd', server('no-gossip'), '--client-cmd', client], undefined, 100_000);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^samples\/01-fully-connected\.kvcmd:15: gossip: put apple=red \(\d+,0\) reached server 0, but its flood never reached server 1/m);
  const t = await runCli(['test', 'samples/01-fully-connected.kvcmd', '--server-cmd', server('no-gossip'), '--client-cmd', client], undefined, 150_000);
  assert.equal(t.code, 1, t.stdout + t.stderr);
  assert.match(t.stdout, /^FAIL samples\/01-fully-connected\.kvcmd \(.*\): the checker found \d+ violations/m);
  assert.match(t.stdout, /samples\/01-fully-connected\.kvcmd:15: gossip: /);
  // The sample stabilizes before it reads, so its output is right: only the checker sees the missing floods.
  assert.doesNotMatch(t.stdout, /stdout differs/);
});

test('kvcmd.json beside a script: its commands and timeouts apply; a server that never reports its flood\'s end stops the run naming it and the line', { timeout: 120_000 }, async () => {
  needPython();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-json-run-'));
  fs.copyFileSync(PY, path.join(dir, 'kvnode.py'));
  fs.writeFileSync(path.join(dir, 'kvcmd.json'), JSON.stringify({ serverCommand: 'python3 kvnode.py server {id} {port} --bug no-settle', clientCommand: 'python3 kvnode.py client {id}', callTimeout: 8000 }));
  fs.writeFileSync(path.join(dir, 'x.kvcmd'), 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k v\nget 5 k\n');
  const r = await runCli(['run', path.join(dir, 'x.kvcmd'), '--seed', '1'], undefined, 100_000);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`kvcmd: nodes from ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/kvcmd\\.json: servers: python3 kvnode\\.py server`));
  assert.match(r.stderr, /run failed: node 0 ended unexpectedly \(stopped by kvcmd: server 0 \(python3 kvnode\.py server 0 \d+ --bug no-settle\) did not report gossipSettled for its write of k \(counter \d+, line 4\) within 8000 ms; .*\) during line 4/);
  // A mistake in the file is a usage error before anything runs.
  fs.writeFileSync(path.join(dir, 'kvcmd.json'), '{"serverCommand": 1}');
  const bad = await runCli(['run', path.join(dir, 'x.kvcmd')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /kvcmd\.json: serverCommand must be a command line or a list of them/);
});
