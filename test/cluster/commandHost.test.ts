import assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { analyze } from '../../language/analyzer';
import { NodeCommands, parseNodeCommand } from '../../cluster/nodeCommands';
import { runCommands } from '../../cluster/runner';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { checkRecord } from '../../check/checker';
import { foreignSamples, KVCMD, listeningPorts, ROOT, runFile, sleep, taggedProcesses, waitUntil } from '../helpers';

const FAKE = path.join(ROOT, 'test', 'fixtures', 'foreign', 'fake-node.js');

/** Node commands as a test gives them: none is kvcmd's own node, run as a program. */
function commands(over: { server?: string[]; client?: string[]; startTimeout?: number; callTimeout?: number } = {}): NodeCommands {
  return {
    server: (over.server ?? []).map((c) => parseNodeCommand(c, ROOT, 'test')), client: (over.client ?? []).map((c) => parseNodeCommand(c, ROOT, 'test')),
    startTimeout: over.startTimeout ?? 10_000, callTimeout: over.callTimeout ?? 10_000, exact: false, origin: 'test',
  };
}

function stable(e: ClusterEvent): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!VOLATILE_FIELDS.includes(k)) out[k] = v;
  return JSON.stringify(out);
}


// kvcmd's own node, run as a program and driven only through the documented XML-RPC methods,
// is the reference implementation: it must give exactly what forked nodes give.
for (const file of foreignSamples()) {
  for (const gossip of ['settled', 'off'] as const) {
    test(`kvcmd's own node as a program gives the model's stdout and record: ${path.basename(file)} (${gossip})`, { timeout: 120_000 }, async () => {
      const settings = { seed: 7, gossip, trace: true };
      const model = await runFile(file, { ...settings, backend: 'model' });
      const own = await runFile(file, { ...settings, backend: 'processes', nodes: commands() });
      assert.equal(own.stdout, model.stdout);
      const got = own.events.slice(1).map(stable);
      const expected = model.events.slice(1).map(stable);
      const first = got.findIndex((e, j) => e !== expected[j]);
      assert.equal(first, -1, `differs from the model at event ${first}: ${got[first]} vs ${expected[first]}`);
      assert.equal(got.length, expected.length);
      assert.deepEqual(own.snapshot.nodes.map((n) => ({ ...n })), model.snapshot.nodes.map((n) => ({ ...n })));
      assert.deepEqual(checkRecord(own.events).violations, []);
    });
  }
}

/** Runs a script with these node commands; its error (undefined if it ran clean), what the nodes said, and whether any tagged process is left. */
async function broken(script: string, nodes: NodeCommands): Promise<{ error: string | undefined; nodeText: string; leftover: number[] }> {
  const tag = `cmdhost-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const before = process.env.KVCMD_TEST_TAG;
  process.env.KVCMD_TEST_TAG = tag;
  let nodeText = '';
  try {
    const analysis = analyze(script);
    assert.ok(!analysis.hasErrors, script);
    const r = await runCommands(analysis.commands, {
      seed: 1, gossip: 'settled', trace: true, backend: 'processes', nodes, process: { onNodeError: (_id, t) => (nodeText += t) },
    }, () => undefined);
    await waitUntil(() => taggedProcesses(tag).length === 0, 3000);
    return { error: r.error, nodeText, leftover: taggedProcesses(tag) };
  } finally {
    if (before === undefined) delete process.env.KVCMD_TEST_TAG;
    else process.env.KVCMD_TEST_TAG = before;
  }
}

const fake = (mode: string, port = true): string => `${JSON.stringify(process.execPath)} ${JSON.stringify(FAKE)} ${mode}${port ? ' {port}' : ''}`;
const JOIN = 'joinServer 0\njoinClient 5 0\nput 5 k v\nget 5 k\n';

const failures: [string, NodeCommands, RegExp, RegExp?][] = [
  ['a command that is not there', commands({ client: ['no-such-program-kvcmd-test {port}'] }),
    /^line 2: cannot start client 5 \(no-such-program-kvcmd-test \d+\): 'no-such-program-kvcmd-test' was not found \(joinClient\)$/],
  ['a node that exits before its handshake', commands({ client: [fake('exit-early')] }),
    /^line 2: client 5 \(.*fake-node\.js exit-early \d+\) ended \(exit code 3\) before its handshake line: fake-node: cannot read my configuration \(joinClient\)$/],
  ['a node that never says its port', commands({ client: [fake('no-handshake')], startTimeout: 1500 }),
    /^line 2: client 5 \(.*\) printed no 'kvcmd-node port PORT' line on stdout within 1500 ms \(docs\/nodes\.md, "Start-up"\) \(joinClient\)$/, /starting up, please wait/],
  ['a node that listens elsewhere than told', commands({ client: [fake('wrong-port')] }),
    /^line 2: client 5 \(.*\) broke the protocol: it was given port (\d+) but says it listens on (?!\1)\d+ \(joinClient\)$/],
  ['a node that does not report in a recorded run', commands({ client: [fake('no-reports')] }),
    /^line 2: client 5 \(.*\) does not report its steps \(kvcmd\.init answered reports: false\), and this run is recorded/],
  ['a malformed answer', commands({ client: [fake('bad-put')] }),
    /^line 3: client 5 \(.*fake-node\.js bad-put \d+\) broke the protocol: kvcmd\.put answered with stamp\.counter is not an integer from 0 to 2147483647$/],
  ['no answer in time', commands({ client: [fake('silent-put')], callTimeout: 8000 }),
    /^line 3: client 5 \(.*\) did not answer kvcmd\.put within 8000 ms$/],
  // Seen outside any call: the master, waiting for the put, hears it as the node's loss (master.ts's words).
  ['a malformed report', commands({ client: [fake('bad-report')] }),
    /^(line 3: client 5 \(.*\) broke the protocol: a report it sent is malformed: notice 1 \(sent\): counter is not an integer .* \(put\)|node 5 ended unexpectedly \(stopped by kvcmd: client 5 \(.*fake-node\.js bad-report \d+\) broke the protocol: a report it sent is malformed: notice 1 \(sent\): counter is not an integer .*\) during line 3)$/],
];
// The network's faults act inside kvcmd's own node processes: with foreign nodes they stop the run at their line.
test('a fault command in a run with foreign nodes stops it at its line', { timeout: 60_000 }, async () => {
  const r = await broken('joinServer 0\njoinClient 5 0\ndelay 5 0 100\nput 5 k v\n', commands());
  assert.match(r.error ?? '(no error)', /^line 3: the network's faults \(delay, drop, duplicate, heal, pauseServer, resumeServer\) act inside kvcmd's own node processes: not in a run with nodes you bring \(docs\/nodes\.md\) \(delay\)$/);
  assert.deepEqual(r.leftover, []);
});
for (const [what, nodes, error, said] of failures) {
  test(`a foreign node breaks the run with a clear error naming it and the line: ${what}`, { timeout: 60_000 }, async () => {
    const r = await broken(JOIN, nodes);
    assert.match(r.error ?? '(no error)', error);
    if (said) assert.match(r.nodeText, said, 'what the node printed is passed on');
    assert.deepEqual(r.leftover, [], 'no process outlives the run');
  });
}

test('a command for some ids only: servers 1 and 3 run as `kvcmd node` through the launcher, the others as kvcmd\'s own node program; one protocol, the model\'s record', { timeout: 60_000 }, async () => {
  // Servers 1 and 3 run as `kvcmd node` through the CLI launcher, the rest as externalNodeMain: two programs, one protocol.
  const nodes = commands({ server: [`1,3=${JSON.stringify(process.execPath)} ${JSON.stringify(KVCMD)} node {port}`] });
  const file = path.join(ROOT, 'samples', '03-partition.kvcmd');
  const settings = { seed: 7, gossip: 'settled' as const, trace: true };
  const model = await runFile(file, { ...settings, backend: 'model' });
  const mixed = await runFile(file, { ...settings, backend: 'processes', nodes });
  assert.equal(mixed.stdout, model.stdout);
  assert.deepEqual(mixed.events.slice(1).map(stable), model.events.slice(1).map(stable));
});

/** `kvcmd run` of a script that waits, with a stubborn foreign client: it ignores the end of stdin and SIGTERM and has a child of its own. */
async function startStubbornRun(tag: string): Promise<{ child: ReturnType<typeof spawn>; procs: number[]; ports: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-stubborn-'));
  const script = path.join(dir, 'wait.kvcmd');
  fs.writeFileSync(script, 'joinServer 0\njoinServer 1\njoinClient 5 0\nsleep 20000\n');
  const events = path.join(dir, 'events.jsonl');
  const child = spawn(process.execPath, [KVCMD, 'run', script, '--events', events, '--client-cmd', fake('stubborn', false)], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KVCMD_TEST_TAG: tag },
  });
  child.stderr?.resume();
  const up = await waitUntil(() => fs.existsSync(events) && (fs.readFileSync(events, 'utf8').match(/"nodeStarted"/g) ?? []).length === 3, 20_000);
  assert.ok(up, 'the run started its three nodes');
  const ports = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'nodeStarted').map((e) => e.port as number);
  // Three nodes, the stubborn one's child and the reaper.
  const procs = taggedProcesses(tag, child.pid);
  assert.equal(procs.length, 5, `tagged processes: ${procs.join(', ')}`);
  return { child, procs, ports };
}

test('SIGKILL of kvcmd: the reaper kills every node\'s process group, even a node that ignores the end of stdin; no port stays bound', { timeout: 60_000 }, async () => {
  const tag = `stubborn-kill-${process.pid}`;
  const { child, procs, ports } = await startStubbornRun(tag);
  for (const p of ports) assert.ok(listeningPorts().has(p), `port ${p} is listening during the run`);
  child.kill('SIGKILL');
  const gone = await waitUntil(() => procs.every((p) => !fs.existsSync(`/proc/${p}`)), 15_000);
  assert.ok(gone, `still alive 15 s after kvcmd was killed: ${procs.filter((p) => fs.existsSync(`/proc/${p}`)).join(', ')}`);
  const bound = listeningPorts();
  assert.deepEqual(ports.filter((p) => bound.has(p)), []);
});

test('Ctrl-C (SIGINT) of kvcmd with foreign nodes: exit 130, nothing left', { timeout: 60_000 }, async () => {
  const tag = `stubborn-int-${process.pid}`;
  const { child, procs } = await startStubbornRun(tag);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.ok(await waitUntil(() => procs.every((p) => !fs.existsSync(`/proc/${p}`)), 15_000), 'every node process is gone');
});
