import { ChildProcess, fork } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { NO_FAULTS } from '../protocol/faults';
import { ControlBody, ControlResult, FaultTable, FromNode, InitBody, NodeId, NodeNotice, ToNode } from '../protocol/messages';
import { NodeHost } from './host';
import { RealTimeHost } from './realTime';

export interface ProcessHostOptions {
  /** The Node.js executable for node processes (default: the one running the master). */
  nodePath?: string;
  /** The compiled node entry (default: nodeMain.js beside this file, in out/ or in the bundle's dist/). */
  entry?: string;
  /** How many processes to keep started ahead of joins (default 3: boots overlap on two cores). */
  spares?: number;
  /**
   * How many joins the run will make, when it is known (a whole script): no more processes are
   * started than that, so none boots for nothing while the run starts. Unknown: spares for ever.
   */
  joins?: number;
  /** Where node processes' own stderr goes (crash reports). */
  onNodeError?: (id: NodeId | undefined, text: string) => void;
  /**
   * For tests of the record's order: every node's messages reach the master up to `maxMs` late
   * (seeded, per message), each node's still in order, as on a machine busy with other work.
   */
  lateReports?: { seed: number; maxMs: number };
}

interface Child {
  proc: ChildProcess;
  port: Promise<number>;
  /** Listening and waiting for its init. */
  ready: boolean;
  exited: Promise<void>;
  id?: NodeId;
}

/**
 * Every node is its own Node.js process on 127.0.0.1, forked with an IPC channel to the master.
 * A few spare processes are kept forked and listening ahead of time so that a join costs an IPC
 * round trip rather than a Node.js start-up.
 */
export class ProcessHost extends RealTimeHost implements NodeHost {
  readonly backend = 'processes';
  /** nodeMain.ts reports `served` and holds a client's commands while it waits for an answer. */
  readonly servesNotices = true;
  private readonly children = new Map<NodeId, Child>();
  private readonly all = new Set<Child>();
  private readonly pending = new Map<number, { resolve: (r: ControlResult) => void; child: Child }>();
  private readonly spares: Child[] = [];
  private seq = 0;
  private closed = false;
  /** The faults every node's process applies (the latest table), and the nodes stopped by SIGSTOP. */
  private table: FaultTable = NO_FAULTS;
  private readonly stopped = new Set<NodeId>();
  /** Processes started so far, spares included (the `joins` bound). */
  private forked = 0;
  /** The node entry found beside this file (nodeEntry), once looked for. */
  private entry: string | undefined;
  /** Handed to every node of this run; their calls to each other carry it. */
  // Made here, not by the transport's module: the master need not load the xmlrpc package.
  private readonly secret = randomBytes(24).toString('hex');

  constructor(private readonly options: ProcessHostOptions = {}) {
    super();
    this.topUp();
  }

  async start(init: InitBody): Promise<{ port: number; pid: number }> {
    if (this.closed) throw new Error('the cluster has been shut down');
    const child = (await this.readySpare()) ?? this.forkChild();
    this.topUp();
    child.id = init.id;
    this.children.set(init.id, child);
    const port = await child.port;
    const r = await this.send(child, init);
    if (r.type !== 'ok') throw new Error(`node ${init.id} failed to start: ${r.type === 'error' ? r.message : r.type}`);
    // Before anything else reaches it: the network's faults apply from its first message.
    if (this.table !== NO_FAULTS) await this.send(child, { type: 'faults', table: this.table });
    return { port, pid: child.proc.pid ?? 0 };
  }

  async kill(id: NodeId): Promise<void> {
    const child = this.children.get(id);
    if (!child) return;
    this.children.delete(id);
    this.stopped.delete(id);
    // SIGKILL ends a stopped process as well.
    child.proc.kill('SIGKILL');
    await child.exited;
  }

  async setFaults(table: FaultTable): Promise<void> {
    this.table = table;
    await this.everyRunning({ type: 'faults', table });
  }

  async suspend(id: NodeId): Promise<void> {
    const child = this.children.get(id);
    if (!child || this.stopped.has(id)) return;
    this.stopped.add(id);
    child.proc.kill('SIGSTOP');
  }

  async resume(id: NodeId): Promise<void> {
    const child = this.children.get(id);
    if (!child || !this.stopped.delete(id)) return;
    child.proc.kill('SIGCONT');
  }

  async release(to: NodeId, step?: number): Promise<void> {
    await this.everyRunning({ type: 'release', to, ...(step === undefined ? {} : { step }) });
  }

  /**
   * Sends a control to every node and waits for those that run. A stopped one takes it when it is
   * continued (IPC keeps the order): waiting for it would wait for ever.
   */
  private async everyRunning(body: ControlBody): Promise<void> {
    const answers: Promise<ControlResult>[] = [];
    for (const [id, child] of this.children) {
      const answer = this.send(child, body);
      if (!this.stopped.has(id)) answers.push(answer);
    }
    await Promise.all(answers);
  }

  control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const child = this.children.get(id);
    if (!child) return Promise.resolve({ type: 'error', message: `node ${id} is not running` });
    return this.send(child, body);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.all];
    for (const c of all) c.proc.kill('SIGKILL');
    await Promise.all(all.map((c) => c.exited));
    this.children.clear();
    this.spares.length = 0;
  }

  /** Pids of every node process still alive (spare included): for tests and leak checks. */
  pids(): number[] {
    return [...this.all].map((c) => c.proc.pid ?? 0);
  }

  private topUp(): void {
    const limit = this.options.joins;
    while (!this.closed && this.spares.length < (this.options.spares ?? 3) && (limit === undefined || this.forked < limit)) this.spares.push(this.forkChild());
  }

  /**
   * The spare to take: one that is ready, else the first to become ready (boots on a busy machine
   * finish in any order); none if there is no spare. It leaves the spares at once, so that two
   * joins never take the same one.
   */
  private async readySpare(): Promise<Child | undefined> {
    const take = (c: Child): Child => {
      this.spares.splice(this.spares.indexOf(c), 1);
      return c;
    };
    const ready = this.spares.find((c) => c.ready);
    if (ready || this.spares.length === 0) return ready && take(ready);
    // A spare that dies while booting is replaced (forkChild's exit handler): wait again then.
    const first = await Promise.race(this.spares.map((c) => c.port.then(() => c, () => undefined)));
    if (this.closed) throw new Error('the cluster has been shut down');
    if (first && this.spares.includes(first)) return take(first);
    return this.readySpare();
  }

  private send(child: Child, body: ControlBody): Promise<ControlResult> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, { resolve, child });
      const msg: ToNode = { kind: 'control', msg: { seq, body } };
      child.proc.send(msg, (err) => {
        if (err) this.settle(seq, { type: 'error', message: `node ${child.id} is unreachable: ${err.message}` });
      });
    });
  }

  private settle(seq: number, result: ControlResult): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    p.resolve(result);
  }

  private forkChild(): Child {
    const entry = this.options.entry ?? (this.entry ??= nodeEntry(__dirname));
    const proc = fork(entry, [], {
      execPath: this.options.nodePath,
      execArgv: [],
      env: nodeEnv(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const secret: ToNode = { kind: 'secret', secret: this.secret };
    proc.send(secret, () => undefined);
    let resolvePort!: (port: number) => void;
    let rejectPort!: (err: Error) => void;
    const port = new Promise<number>((res, rej) => {
      resolvePort = res;
      rejectPort = rej;
    });
    port.catch(() => undefined);
    const child: Child = { proc, port, ready: false, exited: new Promise((res) => proc.once('exit', () => res())) };
    this.all.add(child);
    this.forked++;
    const take = (m: FromNode): void => {
      if (m.kind === 'ready') {
        child.ready = true;
        resolvePort(m.port);
      } else if (m.kind === 'control') this.settle(m.msg.seq, m.msg.result);
      else for (const l of this.listeners) l(m.notices, m.at);
    };
    const late = this.options.lateReports;
    proc.on('message', late ? lateInOrder(take, late.maxMs, late.seed + this.forked) : take);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => this.options.onNodeError?.(child.id, text));
    proc.once('error', (err) => rejectPort(err));
    proc.once('exit', (code, signal) => {
      this.all.delete(child);
      // A spare that died before it was used is replaced, so the next join does not fail on it.
      const spare = this.spares.indexOf(child);
      if (spare !== -1) {
        this.spares.splice(spare, 1);
        this.topUp();
      }
      // Still registered under its id: nobody asked for this exit.
      if (child.id !== undefined && this.children.get(child.id) === child && !this.closed) {
        this.children.delete(child.id);
        for (const l of this.lost) l(child.id, `${signal ?? `exit code ${code}`}`);
      }
      rejectPort(new Error(`node process exited before it was ready (${signal ?? code})`));
      for (const [seq, p] of this.pending) {
        if (p.child === child) this.settle(seq, { type: 'error', message: `node ${child.id} exited (${signal ?? code})` });
      }
    });
    return child;
  }
}

/** `take`, called for each message up to `maxMs` late (seeded), in the order the messages came. */
function lateInOrder<T>(take: (m: T) => void, maxMs: number, seed: number): (m: T) => void {
  const queue: { m: T; due: number }[] = [];
  let x = seed >>> 0 || 1;
  const lag = (): number => {
    // xorshift32: enough to spread the delays; the same seed gives the same delays.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % (maxMs + 1);
  };
  const next = (): void => {
    setTimeout(() => {
      take(queue.shift()!.m);
      if (queue.length > 0) next();
    }, Math.max(0, queue[0].due - Date.now()));
  };
  return (m) => {
    // Never before the one ahead of it.
    const due = Math.max(Date.now() + lag(), queue.length > 0 ? queue[queue.length - 1].due : 0);
    queue.push({ m, due });
    if (queue.length === 1) next();
  };
}

/**
 * The environment of a node process: the master's, without NODE_EXTRA_CA_CERTS. Nodes make no TLS
 * connection, and Node.js reads and parses that certificate bundle at every start (on this
 * project's machine, where it is set globally, that was half of a node's boot: ~40 of ~85 ms CPU).
 */
function nodeEnv(): NodeJS.ProcessEnv {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return process.env;
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * The node processes' entry in `dir`: nodeMain.bundle.js (`npm run build` writes it: one file to
 * load instead of ~50 modules, about a quarter of a node's boot) while it is not older than
 * nodeMain.js, else nodeMain.js (after a plain `tsc`, or in the extension's bundle, dist/).
 */
export function nodeEntry(dir: string): string {
  const main = path.join(dir, 'nodeMain.js');
  const bundle = path.join(dir, 'nodeMain.bundle.js');
  try {
    if (fs.statSync(bundle).mtimeMs >= fs.statSync(main).mtimeMs) return bundle;
  } catch {
    // No bundle (or no nodeMain.js, which fork will report).
  }
  return main;
}
