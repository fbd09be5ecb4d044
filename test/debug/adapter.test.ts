// `kvcmd dap` driven over stdio by a small DAP client: breakpoints, the views checked against the
// model run to the same point, step over, step into deliveries, step back, reverse continue,
// exception filters, the script's output, and what real processes refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ClusterRun } from '../../cluster/runner';
import type { ModelHost } from '../../cluster/modelHost';
import { analyze } from '../../language/analyzer';
import { formatStamp } from '../../protocol/stamp';
import { ClusterState } from '../../record/clusterState';
import { ROOT } from '../helpers';
import { DapClient, type DapEvent } from './dapClient';

const SAMPLE3 = path.join(ROOT, 'samples', '03-partition.kvcmd');
const SAMPLE5 = path.join(ROOT, 'samples', '05-multi-linked-client.kvcmd');

type Flat = Record<string, Record<string, string>>;

interface Dump {
  frames: string[];
  line: number;
  nodes: Flat;
  inFlight: string[];
}

/** Everything the views show at a stop: frames, every node's variables (expanded), the messages in flight. */
async function dump(c: DapClient): Promise<Dump> {
  const frames = (await c.ok('stackTrace', { threadId: 1 })).body.stackFrames as { id: number; name: string; line: number }[];
  const scopes = (await c.ok('scopes', { frameId: frames[0].id })).body.scopes as { name: string; variablesReference: number }[];
  assert.deepEqual(scopes.map((s) => s.name), ['Nodes', 'In flight']);
  const nodes: Flat = {};
  for (const n of await c.variables(scopes[0].variablesReference)) {
    const flat: Record<string, string> = {};
    if (n.variablesReference === 0) flat.value = n.value;
    for (const v of n.variablesReference ? await c.variables(n.variablesReference) : []) {
      if (v.variablesReference === 0 && v.name !== 'store' && v.name !== 'deps') flat[v.name] = v.value;
      else for (const e of v.variablesReference ? await c.variables(v.variablesReference) : []) flat[`${v.name}.${e.name}`] = e.value;
    }
    nodes[n.name] = flat;
  }
  const inFlight = (await c.variables(scopes[1].variablesReference)).map((v) => v.value);
  return { frames: frames.map((f) => f.name), line: frames[frames.length - 1].line, nodes, inFlight };
}

/** The same flattening, from the model run by ClusterRun over the commands before `line`. */
async function modelBefore(file: string, line: number, seed: number): Promise<Flat> {
  const commands = analyze(fs.readFileSync(file, 'utf8')).commands.filter((c) => c.line < line);
  const state = new ClusterState();
  const run = new ClusterRun({ seed, gossip: 'settled', trace: true, backend: 'model' }, (e) => state.apply(e));
  try {
    for (const cmd of commands) await run.execute(cmd);
    const host = run.host as ModelHost;
    const out: Flat = {};
    for (const id of state.ids()) {
      const name = `${state.roleOf(id)} ${id}`;
      const snap = host.peek(id);
      if (!snap) {
        out[name] = { value: 'killed' };
        continue;
      }
      const flat: Record<string, string> = { counter: String(snap.counter), links: snap.links.length ? snap.links.join(', ') : 'none' };
      for (const e of snap.store) flat[`store.${e.key}`] = `${e.value} ${formatStamp(e.stamp)}`;
      for (const d of snap.deps) flat[`deps.${d.key}`] = formatStamp(d.stamp);
      out[name] = flat;
    }
    return out;
  } finally {
    await run.end();
  }
}

async function launched(args: object, breakpoints: number[], filters: string[] = []): Promise<DapClient> {
  const c = DapClient.start();
  const init = await c.ok('initialize', { adapterID: 'kvcmd', linesStartAt1: true, columnsStartAt1: true });
  assert.equal(init.body.supportsStepBack, true);
  assert.equal(init.body.supportsRestartRequest, true);
  assert.equal(init.body.supportsConfigurationDoneRequest, true);
  assert.deepEqual(init.body.exceptionBreakpointFilters.map((f: { filter: string; label: string }) => `${f.filter}:${f.label}`), ['errDep:Break on ERR_DEP', 'errKey:Break on ERR_KEY']);
  await c.waitEvent('initialized');
  await c.ok('launch', args);
  const program = (args as { program: string }).program;
  await c.ok('setBreakpoints', { source: { path: program }, breakpoints: breakpoints.map((line) => ({ line })) });
  await c.ok('setExceptionBreakpoints', { filters });
  await c.ok('configurationDone');
  return c;
}

function stoppedAt(e: DapEvent, reason: string): void {
  assert.equal(e.event, 'stopped', JSON.stringify(e));
  assert.equal(e.body.reason, reason, JSON.stringify(e.body));
  assert.equal(e.body.threadId, 1);
}

test('kvcmd dap: a breakpoint on a put, the views against the model, step over, step into deliveries, step back, reverse continue, the output', async () => {
  const c = await launched({ program: SAMPLE3, seed: 7 }, [15, 25]);
  try {
    stoppedAt(await c.nextStop(), 'breakpoint');
    const atBreakpoint = await dump(c);
    assert.deepEqual(atBreakpoint.frames, ['line 15: put 10 color blue']);
    assert.equal(atBreakpoint.line, 15);
    assert.deepEqual(atBreakpoint.nodes, await modelBefore(SAMPLE3, 15, 7));
    assert.deepEqual(Object.keys(atBreakpoint.nodes), ['server 0', 'server 1', 'server 2', 'server 3', 'client 10', 'client 13']);
    assert.equal(atBreakpoint.nodes['server 0'].links, '1, 10');
    assert.deepEqual(atBreakpoint.inFlight, [], 'between commands nothing is in flight (settled)');
    assert.deepEqual((await c.ok('threads')).body.threads, [{ id: 1, name: 'run' }]);

    // Step over: the whole put, with its gossip.
    await c.ok('next', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'step');
    const line16 = await dump(c);
    assert.deepEqual(line16.frames, ['line 16: put 13 color orange']);
    assert.deepEqual(line16.nodes, await modelBefore(SAMPLE3, 16, 7));
    assert.equal(line16.nodes['server 1']['store.color'], 'blue (2,0)', 'the put reached server 1 by gossip');
    assert.equal(line16.nodes['client 10']['deps.color'], '(2,0)');

    // Step into the deliveries of line 16, one at a time, in the run's order.
    const stops: Dump[] = [line16];
    for (;;) {
      await c.ok('stepIn', { threadId: 1 });
      stoppedAt(await c.nextStop(), 'step');
      const d = await dump(c);
      stops.push(d);
      if (d.frames.length === 1) break; // back at a script line: the command is done
      assert.equal(d.frames.length, 2);
      assert.match(d.frames[0], /^deliver [a-zA-Z]+ \d+→\d+ \(line 16\)$/);
      assert.equal(d.frames[1], 'line 16: put 13 color orange');
      assert.equal(d.line, 16);
      assert.ok(d.inFlight.length > 0 && d.inFlight[0].endsWith('← next'), d.inFlight.join(' | '));
      const [, from, to] = /(\d+)→(\d+)/.exec(d.frames[0])!;
      assert.match(d.inFlight[0], /\(line 16, msg \d+\.\d+\) ← next$/);
      assert.ok(d.inFlight[0].length > 0 && from !== to);
      const prev = stops[stops.length - 2];
      if (prev.frames.length === 2) {
        // One delivered: the rest of the queue stays in order, and what it set off joins the end.
        const strip = (s: string) => s.replace(/ ← next$/, '');
        assert.deepEqual(d.inFlight.slice(0, prev.inFlight.length - 1).map(strip), prev.inFlight.slice(1).map(strip));
      }
      assert.ok(stops.length < 50, 'too many deliveries for one put');
    }
    const deliveries = stops.filter((d) => d.frames.length === 2);
    assert.ok(deliveries.length >= 4, `put 13 on a 2-server side: put, its reply, gossip, ack at least (${deliveries.length})`);
    assert.match(deliveries[0].frames[0], /^deliver put 13→3 \(line 16\)$/);
    assert.match(deliveries[0].inFlight[0], /^put color=orange \(line 16/);
    const after = stops[stops.length - 1];
    assert.deepEqual(after.frames, ['line 17: put 13 size large']);
    assert.deepEqual(after.inFlight, []);
    assert.deepEqual(after.nodes, await modelBefore(SAMPLE3, 17, 7));

    // Step back: the state before the last step, exactly, then the one before that.
    await c.ok('stepBack', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'step');
    assert.deepEqual(await dump(c), stops[stops.length - 2]);
    await c.ok('stepBack', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'step');
    assert.deepEqual(await dump(c), stops[stops.length - 3]);

    // Reverse continue: back at the previous breakpoint, line 15, as it was.
    await c.ok('reverseContinue', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'breakpoint');
    assert.deepEqual(await dump(c), atBreakpoint);

    await c.ok('continue', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'breakpoint');
    assert.deepEqual((await dump(c)).frames, ['line 25: stabilize']);
    await c.ok('continue', { threadId: 1 });
    assert.equal((await c.nextStop()).event, 'terminated');
    assert.deepEqual(c.events.filter((e) => e.event === 'exited').map((e) => e.body), [{ exitCode: 0 }]);
    // Each printed line once, however often a stretch was replayed.
    assert.equal(c.output('stdout'), fs.readFileSync(SAMPLE3.replace(/\.kvcmd$/, '.expected'), 'utf8'));
    assert.equal(c.output('stderr'), '');
  } finally {
    await c.close();
  }
  assert.equal(await c.exited, 0, c.stderr);
});

test('kvcmd dap: breakpoints off a command line move to the next one or stay unverified', async () => {
  const c = DapClient.start();
  try {
    await c.ok('initialize', { adapterID: 'kvcmd' });
    await c.ok('launch', { program: SAMPLE3, seed: 7 });
    const r = await c.ok('setBreakpoints', { source: { path: SAMPLE3 }, breakpoints: [{ line: 9 }, { line: 20 }, { line: 36 }] });
    assert.deepEqual(r.body.breakpoints.map((b: { verified: boolean; line: number }) => [b.verified, b.line]), [[true, 10], [true, 20], [false, 36]]);
    await c.ok('configurationDone');
    stoppedAt(await c.nextStop(), 'breakpoint');
    assert.deepEqual((await dump(c)).frames, ['line 10: breakConnection 0 2']);
  } finally {
    await c.close();
  }
});

test('kvcmd dap: the exception filters stop after a get that answers ERR_DEP (and ERR_KEY)', async () => {
  let c = await launched({ program: SAMPLE5, seed: 7 }, [], ['errDep']);
  try {
    const first = await c.nextStop();
    stoppedAt(first, 'exception');
    assert.match(first.body.description, /^get 7 k → ERR_DEP \(server holds none, client depends on \(\d+,0\)\)$/);
    const d = await dump(c);
    assert.equal(d.line, 17);
    assert.match(d.frames[0], /^line 17: get 7 k → ERR_DEP/);
    assert.equal(d.nodes['client 7'].links, '2');
    await c.ok('continue', { threadId: 1 });
    const second = await c.nextStop();
    stoppedAt(second, 'exception');
    assert.equal((await dump(c)).line, 37, 'the monotonic-read ERR_DEP of client 8; the ERR_KEY of line 19 passes');
    await c.ok('continue', { threadId: 1 });
    assert.equal((await c.nextStop()).event, 'terminated');
    assert.equal(c.output(), fs.readFileSync(SAMPLE5.replace(/\.kvcmd$/, '.expected'), 'utf8'));
  } finally {
    await c.close();
  }
  c = await launched({ program: SAMPLE5, seed: 7 }, [], ['errKey']);
  try {
    const e = await c.nextStop();
    stoppedAt(e, 'exception');
    assert.match(e.body.description, /^get 8 k → ERR_KEY/);
    assert.equal((await dump(c)).line, 19);
    // Reverse continue from an exception: no breakpoint before it, so back to the start.
    await c.ok('reverseContinue', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'entry');
    assert.equal((await dump(c)).line, 3);
  } finally {
    await c.close();
  }
});

test('kvcmd dap: stop on entry, restart, and what cannot be launched', async () => {
  const c = DapClient.start();
  try {
    await c.ok('initialize', { adapterID: 'kvcmd' });
    const async = await c.request('launch', { program: SAMPLE3, gossip: 'async' });
    assert.equal(async.success, false);
    assert.match(async.message!, /async.*cannot show races/);
    const missing = await c.request('launch', { program: path.join(ROOT, 'samples', 'nope.kvcmd') });
    assert.equal(missing.success, false);
    assert.match(missing.message!, /no such file/);
    // Helix templates pass strings only.
    await c.ok('launch', { program: SAMPLE3, seed: '7', stopOnEntry: true, gossip: 'off' });
    await c.ok('configurationDone');
    stoppedAt(await c.nextStop(), 'entry');
    assert.deepEqual((await dump(c)).frames, ['line 2: joinServer 0']);
    const stepBackAtStart = await c.request('stepBack', { threadId: 1 });
    assert.ok(stepBackAtStart.success);
    stoppedAt(await c.nextStop(), 'step');
    assert.equal((await dump(c)).line, 2);
    await c.ok('next', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'step');
    assert.equal((await dump(c)).line, 3);
    await c.ok('restart', { arguments: { program: SAMPLE3, seed: 7, stopOnEntry: true } });
    stoppedAt(await c.nextStop(), 'entry');
    assert.equal((await dump(c)).line, 2);
  } finally {
    await c.close();
  }
});

test('kvcmd dap on real processes: step over and breakpoints; step into and back refused; the same views', async () => {
  const c = await launched({ program: SAMPLE3, seed: 7, backend: 'processes' }, [16]);
  try {
    const caps = await c.waitEvent('capabilities');
    assert.equal(caps.body.capabilities.supportsStepBack, false);
    stoppedAt(await c.nextStop(), 'breakpoint');
    const d = await dump(c);
    assert.deepEqual(d.frames, ['line 16: put 13 color orange']);
    // The record of a traced real run gives the same stores, links, dependencies and counters as the model.
    assert.deepEqual(d.nodes, await modelBefore(SAMPLE3, 16, 7));
    const stepIn = await c.request('stepIn', { threadId: 1 });
    assert.equal(stepIn.success, false);
    assert.match(stepIn.message!, /real processes/);
    const back = await c.request('stepBack', { threadId: 1 });
    assert.equal(back.success, false);
    assert.match(back.message!, /real processes/);
    await c.ok('next', { threadId: 1 });
    stoppedAt(await c.nextStop(), 'step');
    assert.equal((await dump(c)).line, 17);
    await c.ok('continue', { threadId: 1 });
    assert.equal((await c.nextStop()).event, 'terminated');
    assert.equal(c.output(), fs.readFileSync(SAMPLE3.replace(/\.kvcmd$/, '.expected'), 'utf8'));
  } finally {
    await c.close();
  }
});

test('kvcmd dap: noDebug runs the script through, breakpoints and filters aside', async () => {
  const c = await launched({ program: SAMPLE5, seed: 7, noDebug: true, stopOnEntry: true }, [12, 17], ['errDep', 'errKey']);
  try {
    assert.equal((await c.nextStop()).event, 'terminated');
    assert.equal(c.output(), fs.readFileSync(SAMPLE5.replace(/\.kvcmd$/, '.expected'), 'utf8'));
  } finally {
    await c.close();
  }
});
