import assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { nodeEntry, ProcessHost } from '../../cluster/processHost';
import { KVCMD, listeningPorts, ROOT, runCli, sleep, taggedProcesses, waitUntil } from '../helpers';

/** A script that keeps its cluster busy for a while: 8 processes, then a long sleep. */
function longScript(): string {
  const file = path.join(os.tmpdir(), `kvcmd-long-${process.pid}.kvcmd`);
  fs.writeFileSync(file, 'joinServer 0\njoinServer 1\njoinServer 2\njoinClient 3 0\njoinClient 4 1\nput 3 k v\nsleep 20000\nget 4 k\n');
  return file;
}


/** Starts `kvcmd run` on the long script and resolves once its nodes are up, with their ports. */
let runs = 0;
let stderr = '';
async function startLongRun(): Promise<{ child: ReturnType<typeof spawn>; nodes: number[]; ports: number[] }> {
  const tag = `long-${process.pid}-${++runs}`;
  const events = path.join(os.tmpdir(), `kvcmd-${tag}.jsonl`);
  const child = spawn(process.execPath, [KVCMD, 'run', longScript(), '--events', events], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KVCMD_TEST_TAG: tag } });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const up = await waitUntil(() => fs.existsSync(events) && fs.readFileSync(events, 'utf8').includes('"type":"put"'), 10_000);
  assert.ok(up, 'the run got as far as the put');
  const nodes = taggedProcesses(tag, child.pid);
  const ports = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((e) => e.type === 'nodeStarted').map((e) => e.port as number);
  assert.equal(ports.length, 5);
  // The script's five joins are known: no spare is left over once they are done.
  assert.equal(nodes.length, 5, 'five nodes and no spare');
  return { child, nodes, ports };
}

// How fast nodes go is the design's (the IPC channel's close, else a 250 ms parent check in
// cluster/nodeMain.ts); these tests hold only that they go, with a bound far above it, because a
// loaded machine may take seconds to schedule a process at all.
const GONE_BOUND_MS = 15_000;

test('SIGKILL of the master: every node exits and no port stays bound', async (t) => {
  const { child, nodes, ports } = await startLongRun();
  for (const p of ports) assert.ok(listeningPorts().has(p), `port ${p} is listening during the run`);
  const t0 = Date.now();
  child.kill('SIGKILL');
  const gone = await waitUntil(() => nodes.every((p) => !fs.existsSync(`/proc/${p}`)), GONE_BOUND_MS);
  assert.ok(gone, `still alive after ${GONE_BOUND_MS} ms: ${nodes.filter((p) => fs.existsSync(`/proc/${p}`)).join(', ')}`);
  t.diagnostic(`nodes gone ${Date.now() - t0} ms after the master's SIGKILL`);
  const bound = listeningPorts();
  assert.deepEqual(ports.filter((p) => bound.has(p)), []);
});

test('Ctrl-C (SIGINT) of the master: it exits 130 and leaves no node behind', async () => {
  const { child, nodes } = await startLongRun();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.ok(await waitUntil(() => nodes.every((p) => !fs.existsSync(`/proc/${p}`)), GONE_BOUND_MS));
});

test('a finished run leaves no process and no port behind', async () => {
  const tag = `done-${process.pid}`;
  const events = path.join(os.tmpdir(), `kvcmd-${tag}.jsonl`);
  const r = await runCli(['run', path.join(ROOT, 'samples', '01-fully-connected.kvcmd'), '--events', events], '', 30_000, { KVCMD_TEST_TAG: tag });
  assert.equal(r.code, 0, r.stderr);
  const ports = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'nodeStarted').map((e) => e.port as number);
  assert.equal(ports.length, 8);
  assert.deepEqual(taggedProcesses(tag), []);
  const bound = listeningPorts();
  assert.deepEqual(ports.filter((p) => bound.has(p)), []);
});

test('killServer is a real SIGKILL of that process, and the master waits until it is gone', async () => {
  const host = new ProcessHost();
  try {
    const { pid } = await host.start({ type: 'init', id: 1, role: 'server', seed: 1, gossip: 'settled', trace: false });
    assert.ok(fs.existsSync(`/proc/${pid}`));
    await host.kill(1);
    assert.equal(fs.existsSync(`/proc/${pid}`), false);
    const r = await host.control(1, { type: 'snapshot' });
    assert.equal(r.type, 'error');
  } finally {
    await host.close();
  }
  assert.deepEqual(host.pids(), []);
});

test('a node that dies on its own stops the run with a clear error, and nothing is left', async () => {
  const tag = `crash-${process.pid}`;
  const events = path.join(os.tmpdir(), `kvcmd-${tag}.jsonl`);
  const file = path.join(os.tmpdir(), `kvcmd-${tag}.kvcmd`);
  fs.writeFileSync(file, 'joinServer 0\njoinServer 1\njoinClient 2 0\nput 2 k v\nsleep 3000\nget 2 k\n');
  const run = runCli(['run', file, '--events', events], '', 20_000, { KVCMD_TEST_TAG: tag });
  assert.ok(await waitUntil(() => fs.existsSync(events) && fs.readFileSync(events, 'utf8').includes('"type":"put"'), 10_000));
  const server0 = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'nodeStarted' && e.id === 0);
  process.kill(server0.pid, 'SIGKILL');
  const r = await run;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /run failed: node 0 ended unexpectedly \(SIGKILL\) during line [45]/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.deepEqual(taggedProcesses(tag), []);
});

test('SIGKILL of the master at any moment, booting nodes included: every node goes, ten times over', async (t) => {
  const file = longScript();
  for (let i = 0; i < 10; i++) {
    const tag = `early-${process.pid}-${i}`;
    const child = spawn(process.execPath, [KVCMD, 'run', file], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, KVCMD_TEST_TAG: tag } });
    // From right after the start (spares still booting) to the middle of the run.
    await sleep(40 + ((i * 97) % 600));
    const nodes = taggedProcesses(tag, child.pid);
    const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
    const t0 = Date.now();
    const gone = await waitUntil(() => taggedProcesses(tag).length === 0, GONE_BOUND_MS);
    assert.ok(gone, `run ${i}: still alive ${GONE_BOUND_MS} ms after the master died: ${taggedProcesses(tag).join(', ')} (of ${nodes.length} seen)`);
    t.diagnostic(`run ${i}: gone ${Date.now() - t0} ms after the master's exit`);
  }
});

test('node processes get the master\'s environment but NODE_EXTRA_CA_CERTS, which only slows their start', async () => {
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
  process.env.KVCMD_ENV_PROBE = 'kept';
  const host = new ProcessHost({ spares: 0 });
  try {
    const { pid } = await host.start({ type: 'init', id: 1, role: 'server', seed: 1, gossip: 'settled', trace: false });
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(env.includes('KVCMD_ENV_PROBE=kept'));
    assert.ok(!env.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS=')));
  } finally {
    await host.close();
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
    delete process.env.KVCMD_ENV_PROBE;
  }
});

test('a join takes a spare that is ready, and a run that knows its joins starts no process beyond them', async () => {
  const host = new ProcessHost({ joins: 4 });
  try {
    await sleep(300);
    assert.equal(host.pids().length, 3, 'three spares ahead');
    const pids: number[] = [];
    for (let id = 1; id <= 4; id++) pids.push((await host.start({ type: 'init', id, role: 'server', seed: 1, gossip: 'settled', trace: false })).pid);
    await sleep(300);
    assert.deepEqual(host.pids().sort(), [...pids].sort(), 'the four nodes, no spare');
  } finally {
    await host.close();
  }
  // A spare still booting is passed over for one that is ready.
  const slow = new ProcessHost({ spares: 2 });
  try {
    // Stopped at once: a Node.js process cannot have booted yet.
    const [first] = slow.pids();
    process.kill(first, 'SIGSTOP');
    try {
      const { pid } = await slow.start({ type: 'init', id: 1, role: 'server', seed: 1, gossip: 'settled', trace: false });
      assert.notEqual(pid, first);
    } finally {
      process.kill(first, 'SIGCONT');
    }
  } finally {
    await slow.close();
  }
});

test('node processes load the bundled entry while it is not older than nodeMain.js, else nodeMain.js', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-entry-'));
  try {
    const main = path.join(dir, 'nodeMain.js');
    const bundle = path.join(dir, 'nodeMain.bundle.js');
    fs.writeFileSync(main, '');
    assert.equal(nodeEntry(dir), main, 'no bundle');
    fs.writeFileSync(bundle, '');
    fs.utimesSync(main, 1000, 1000);
    fs.utimesSync(bundle, 2000, 2000);
    assert.equal(nodeEntry(dir), bundle, 'built after tsc');
    fs.utimesSync(main, 3000, 3000);
    assert.equal(nodeEntry(dir), main, 'tsc ran again since: the bundle may be stale');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a spare process that died before it was used is replaced: the next join still works', async () => {
  const host = new ProcessHost();
  try {
    await sleep(300);
    const spares = host.pids();
    assert.equal(spares.length, 3);
    for (const pid of spares) process.kill(pid, 'SIGKILL');
    assert.ok(await waitUntil(() => spares.every((p) => !fs.existsSync(`/proc/${p}`)), GONE_BOUND_MS));
    const { pid } = await host.start({ type: 'init', id: 1, role: 'server', seed: 1, gossip: 'settled', trace: false });
    assert.ok(!spares.includes(pid) && fs.existsSync(`/proc/${pid}`), 'a fresh process took the join');
  } finally {
    await host.close();
  }
});
