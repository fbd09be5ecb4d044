import { ChildProcess, fork, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as readline from 'readline';
import * as xmlrpc from 'xmlrpc';
import type { ControlBody, ControlResult, FaultTable, InitBody, MessageFacts, NodeId, NodeNotice, Role } from '../protocol/messages';
import type { NodeHost } from './host';
import { FAULT_COMMANDS } from '../language/commands';
import { commandFor, expandCommand, NodeCommands, NodeRunError, takesPort } from './nodeCommands';
import { controlArgs, HANDSHAKE, initAnswer, methodOf, noticesFromWire, REPORT_METHOD, resultFromWire, SECRET_ENV } from './nodeProtocol';
import { XmlRpcTransport } from './xmlrpcTransport';
import { xmlText } from './wire';
import { RealTimeHost } from './realTime';

export interface CommandHostOptions {
  nodes: NodeCommands;
  /** The Node.js executable for kvcmd's own nodes and the reaper (default: the one running the master). */
  nodePath?: string;
  /** kvcmd's own node as a program (default: externalNodeMain.js beside this file, in out/ or in the bundle's dist/). */
  ownNodeEntry?: string;
  /** The reaper (default: reaper.js beside this file). */
  reaperEntry?: string;
  /** What the nodes write: stderr, and stdout other than the handshake line. */
  onNodeError?: (id: NodeId | undefined, text: string) => void;
}

interface Running {
  id: NodeId;
  role: Role;
  /** `server 0 (python3 server.py 0 41234)`: how errors name it. */
  label: string;
  proc: ChildProcess;
  pid: number;
  port: number;
  client: xmlrpc.Client;
  exited: Promise<void>;
  /** How it ended (`exit code 1`, `SIGKILL`), once it has. */
  ended?: string;
  /** kvcmd is ending it: its exit is no surprise. */
  stopping: boolean;
  /** Its last lines of stderr, for the message when it fails. */
  tail: string[];
}

/** A message reported at one end only, since `since` (ms, host clock). */
interface Open {
  since: number;
  facts: MessageFacts;
  /** 'sent': the send is in, its end is awaited; 'ended': the end came first, its send is awaited. */
  side: 'sent' | 'ended';
}

/**
 * Nodes that are programs the user brings (docs/nodes.md): each server and client is started from
 * its command line (split into words and run without a shell), in a process group of its own,
 * and driven through the node protocol's XML-RPC control methods; what it reports arrives by
 * `kvcmd.report` calls on this host's own port. Nodes no command is given for run kvcmd's own node
 * as a program speaking the same protocol (cluster/externalNodeMain.ts), so clusters can mix.
 *
 * Nothing outlives the run: at the end every node's whole process group is killed and waited
 * for, and a reaper process (cluster/reaper.ts) does the same if kvcmd itself is killed. A node
 * that does not start, does not answer within the call timeout, answers what the protocol does
 * not allow, or leaves a message half reported stops the run with an error naming it, its command
 * and the script line.
 */
export class CommandHost extends RealTimeHost implements NodeHost {
  readonly backend = 'processes';
  private readonly nodes = new Map<NodeId, Running>();
  /** Every process started and not yet seen to exit, registered or still starting. */
  private readonly procs = new Set<ChildProcess>();
  /** Ids that have ever been started: only they may report. */
  private readonly started = new Set<NodeId>();
  /** Handed to every node of this run; public for the conformance kit's probes (conform/probes.ts), which call nodes as a peer would. */
  readonly secret = randomBytes(24).toString('hex');
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly reports: XmlRpcTransport;
  private reaper: ChildProcess | undefined;
  private closed = false;
  /** The run's gossip mode and tracing, from the first init. */
  private gossip: InitBody['gossip'] | undefined;
  /** Settled mode: writes whose flood has been reported finished, and the timers of those awaited. */
  private readonly settled = new Set<string>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  /** Messages reported at one end only, by `from.id`: the master waits for these in settled and off modes. */
  private readonly open = new Map<string, Open>();
  private watchdog: NodeJS.Timeout | undefined;
  /** The first failure seen outside a call: the run stops on it, and calls failing after it are its consequences. */
  private failure: NodeRunError | undefined;

  constructor(private readonly options: CommandHostOptions) {
    super();
    this.reports = new XmlRpcTransport(() => undefined, (why) => this.options.onNodeError?.(undefined, `kvcmd: refused ${why}\n`));
    this.reports.setSecret(this.secret);
    this.reports.serve(REPORT_METHOD, ([notices], respond) => {
      const why = this.onReport(notices);
      if (why) respond({ faultCode: 400, faultString: xmlText(why) });
      else respond(null, true);
    });
  }

  private get timeouts(): { start: number; call: number } {
    return { start: this.options.nodes.startTimeout, call: this.options.nodes.callTimeout };
  }

  async start(init: InitBody): Promise<{ port: number; pid: number }> {
    if (this.closed) throw new Error('the cluster has been shut down');
    this.gossip ??= init.gossip;
    const reportPort = await this.reports.listen();
    this.reaper ??= this.forkReaper();
    const command = commandFor(this.options.nodes, init.role, init.id);
    const given = command && takesPort(command) ? await freePort() : undefined;
    const argv = command
      ? expandCommand(command, { id: init.id, role: init.role, port: given })
      : [this.options.nodePath ?? process.execPath, this.options.ownNodeEntry ?? path.join(__dirname, 'externalNodeMain.js')];
    const shown = command ? argv.join(' ') : "kvcmd's own node";
    const label = `${init.role} ${init.id} (${shown})`;
    const node = await this.spawnNode(init, argv, command?.cwd ?? process.cwd(), label, given);
    // It may report from its init on.
    this.started.add(init.id);
    let answer;
    try {
      answer = initAnswer(await this.call(node, 'kvcmd.init', controlArgs(init, reportPort)));
    } catch (err) {
      await this.stopNode(node);
      throw new NodeRunError(`${label} ${describeCallFailure(node, 'kvcmd.init', err)}`);
    }
    if (init.trace && !answer.reports) {
      await this.stopNode(node);
      throw new NodeRunError(`${label} does not report its steps (kvcmd.init answered reports: false), and this run is recorded (--events, --check, --diagram, kvcmd test, kvcmd conform, the editor): it needs them (docs/nodes.md, "Reports")`);
    }
    this.nodes.set(init.id, node);
    return { port: node.port, pid: node.pid };
  }

  async kill(id: NodeId): Promise<void> {
    const node = this.nodes.get(id);
    if (!node) return;
    this.nodes.delete(id);
    await this.stopNode(node);
  }

  async control(id: NodeId, body: ControlBody): Promise<ControlResult> {
    const node = this.nodes.get(id);
    if (!node) return { type: 'error', message: `node ${id} is not running` };
    const method = methodOf(body.type);
    const line = 'cause' in body ? body.cause.line : undefined;
    let value: unknown;
    try {
      value = await this.call(node, method, controlArgs(body, 0));
    } catch (err) {
      throw this.failure ?? await this.broke(node, describeCallFailure(node, method, err), line);
    }
    let result: ControlResult;
    try {
      result = resultFromWire(body, value, node);
    } catch (err) {
      throw await this.broke(node, `broke the protocol: ${method} answered with ${(err as Error).message}`, line);
    }
    if (result.type === 'putDone' && result.ok && this.gossip === 'settled') this.awaitSettle(result.server, result.key, result.stamp.counter, line);
    return result;
  }

  // The network's faults are applied by kvcmd's own node processes as they send (cluster/nodeMain.ts);
  // foreign nodes know nothing of them, so a fault command stops the run (the CLI refuses it first).
  async setFaults(_table: FaultTable): Promise<void> {
    throw noFaults();
  }

  async suspend(_id: NodeId): Promise<void> {
    throw noFaults();
  }

  // Nothing is ever suspended or held here.
  async resume(_id: NodeId): Promise<void> {}

  async release(_to: NodeId, _step?: number): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.settleTimers.values()) clearTimeout(t);
    this.settleTimers.clear();
    if (this.watchdog) clearInterval(this.watchdog);
    // Asked first, so that a node may end cleanly (docs/nodes.md, "Shutdown"); its group is killed whatever it answers.
    const nodes = [...this.nodes.values()];
    await Promise.all(nodes.map((n) => this.call(n, 'kvcmd.shutdown', {}, Math.min(500, this.timeouts.call)).catch(() => undefined)));
    for (const n of nodes) n.stopping = true;
    const all = [...this.procs];
    for (const p of all) killGroup(p);
    await Promise.all(all.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    this.nodes.clear();
    this.agent.destroy();
    this.reports.close();
    // Nothing left to reap: the reaper goes with its channel.
    this.reaper?.disconnect();
  }

  /** Pids of every node process still alive: for tests and leak checks. */
  pids(): number[] {
    return [...this.procs].map((p) => p.pid ?? 0);
  }

  // -------------------------------------------------------------------------------------------

  private forkReaper(): ChildProcess {
    const reaper = fork(this.options.reaperEntry ?? path.join(__dirname, 'reaper.js'), [], {
      execPath: this.options.nodePath, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    reaper.on('error', () => undefined);
    // It must not keep kvcmd running: the channel is dropped at close.
    reaper.unref();
    (reaper.channel as { unref?: () => void } | undefined)?.unref?.();
    return reaper;
  }

  /** Starts a node's command and waits for its handshake line. */
  private spawnNode(init: InitBody, argv: string[], cwd: string, label: string, given: number | undefined): Promise<Running> {
    const proc = spawn(argv[0], argv.slice(1), {
      cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [SECRET_ENV]: this.secret },
    });
    this.procs.add(proc);
    const node: Running = {
      id: init.id, role: init.role, label, proc, pid: proc.pid ?? 0, port: 0, client: undefined as unknown as xmlrpc.Client,
      exited: new Promise((resolve) => proc.once('exit', () => resolve())), stopping: false, tail: [],
    };
    if (proc.pid !== undefined) this.reaper?.send({ add: proc.pid }, () => undefined);
    // Nobody writes to it; its end tells a node that kvcmd has gone.
    proc.stdin?.on('error', () => undefined);
    const say = (text: string): void => {
      if (!this.closed && !node.stopping) this.options.onNodeError?.(init.id, text);
    };
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      node.tail.push(...text.split('\n').filter((l) => l.trim() !== ''));
      node.tail.splice(0, Math.max(0, node.tail.length - 5));
      say(text);
    });
    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (why: string): void => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        void this.stopNode(node).then(() => reject(new NodeRunError(why)));
      };
      const timer = setTimeout(() => fail(`${label} printed no 'kvcmd-node port PORT' line on stdout within ${this.timeouts.start} ms (docs/nodes.md, "Start-up")`), this.timeouts.start);
      const lines = readline.createInterface({ input: proc.stdout! });
      lines.on('line', (line) => {
        const m = ready ? null : HANDSHAKE.exec(line);
        if (!m) return say(line + '\n');
        const port = Number(m[1]);
        if (given !== undefined && port !== given) return fail(`${label} broke the protocol: it was given port ${given} but says it listens on ${port}`);
        if (port < 1 || port > 65535) return fail(`${label} broke the protocol: its handshake names port ${port}`);
        ready = true;
        clearTimeout(timer);
        node.port = port;
        node.client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent: this.agent } as Parameters<typeof xmlrpc.createClient>[0]);
        resolve(node);
      });
      proc.once('error', (err: NodeJS.ErrnoException) => {
        this.procs.delete(proc);
        fail(err.code === 'ENOENT' ? `cannot start ${label}: '${argv[0]}' was not found` : `cannot start ${label}: ${err.message}`);
      });
      proc.once('exit', (code, signal) => {
        node.ended = signal ?? `exit code ${code}`;
        this.procs.delete(proc);
        if (proc.pid !== undefined) this.reaper?.send({ remove: proc.pid }, () => undefined);
        // Whatever it started in its group goes with it.
        killGroup(proc);
        const tail = node.tail.length > 0 ? `: ${node.tail[node.tail.length - 1]}` : '';
        if (!ready) return fail(`${label} ended (${node.ended}) before its handshake line${tail}`);
        if (node.stopping || this.closed || this.nodes.get(node.id) !== node) return;
        this.nodes.delete(node.id);
        for (const l of this.lost) l(node.id, `${node.ended}${tail}`);
      });
    });
  }

  /** One XML-RPC call to a node, with the run's secret, bounded by the call timeout. */
  private call(node: Running, method: string, args: unknown, timeout = this.timeouts.call): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new CallTimeout(timeout));
      }, timeout);
      node.client.methodCall(method, [args, this.secret], (err: unknown, value: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      });
    });
  }

  /** A node broke the run: it is stopped, and the error names it (and the line, when known). */
  private async broke(node: Running, why: string, line: number | undefined): Promise<NodeRunError> {
    this.nodes.delete(node.id);
    await this.stopNode(node);
    return new NodeRunError(`${node.label} ${why}`, line);
  }

  private async stopNode(node: Running): Promise<void> {
    node.stopping = true;
    killGroup(node.proc);
    if (node.proc.exitCode === null && node.proc.signalCode === null && this.procs.has(node.proc)) await node.exited;
  }

  /**
   * A failure seen outside any call (a report, a watchdog): the node is stopped and whatever the
   * master waits on gives up, with this reason.
   */
  private fail(id: NodeId, why: string): void {
    if (this.failure || this.closed) return;
    const node = this.nodes.get(id);
    this.failure = new NodeRunError(node ? `${node.label} ${why}` : `node ${id} ${why}`);
    if (node) {
      this.nodes.delete(id);
      void this.stopNode(node);
    }
    for (const l of this.lost) l(id, `stopped by kvcmd: ${this.failure.why}`);
  }

  /** A report call: checked, then handed on in one piece. Returns why it is refused, if it is. */
  private onReport(value: unknown): string | undefined {
    let notices: NodeNotice[];
    try {
      notices = noticesFromWire(value);
    } catch (err) {
      const who = reporterOf(value);
      const why = `broke the protocol: a report it sent is malformed: ${(err as Error).message}`;
      if (who !== undefined && this.started.has(who)) this.fail(who, why);
      return why;
    }
    for (const n of notices) {
      const who = n.type === 'gossipSettled' || n.type === 'served' ? n.server : n.node;
      if (!this.started.has(who)) return `a report about node ${who}, which this run has not started`;
    }
    for (const n of notices) this.track(n);
    const at = this.now();
    for (const l of this.listeners) l(notices, at);
    return undefined;
  }

  /** Keeps what the watchdogs need: writes whose flood is over, messages reported at one end. */
  private track(n: NodeNotice): void {
    if (n.type === 'gossipSettled') {
      if (this.gossip !== 'settled') return;
      const key = `${n.server}:${n.stamp.counter}`;
      const timer = this.settleTimers.get(key);
      if (timer) {
        clearTimeout(timer);
        this.settleTimers.delete(key);
      } else {
        this.settled.add(key);
      }
      return;
    }
    if (n.type === 'applied' || n.type === 'served') return;
    const id = `${n.msg.from}.${n.msg.id}`;
    const side = n.type === 'sent' ? 'sent' : 'ended';
    const open = this.open.get(id);
    if (open && open.side !== side) this.open.delete(id);
    else this.open.set(id, { since: performance.now(), facts: n.msg, side });
    this.watchdog ??= setInterval(() => this.checkOpen(), Math.max(100, Math.min(1000, this.timeouts.call / 4)));
    this.watchdog.unref();
  }

  /** A message reported at one end for longer than the call timeout: the node that should report its other end did not. */
  private checkOpen(): void {
    const now = performance.now();
    for (const [id, o] of this.open) {
      if (now - o.since < this.timeouts.call) continue;
      const m = o.facts;
      const what = `message ${id} (${m.kind} from node ${m.from} to node ${m.to}, line ${m.cause.line})`;
      // Who owes the other end: the sender its send; the receiver its delivery (or refusal); for a
      // request whose receiver is gone, the sender its loss. A reply to a killed requester, or a
      // message of a killed sender, may never end (async mode): nobody is at fault.
      const owes = o.side === 'ended' ? (this.nodes.has(m.from) ? m.from : undefined)
        : this.nodes.has(m.to) ? m.to : m.replyTo === 0 && this.nodes.has(m.from) ? m.from : undefined;
      if (owes === undefined) {
        this.open.delete(id);
        continue;
      }
      const missing = o.side === 'ended' ? 'sending it (sent)' : owes === m.to ? 'taking it in (delivered) or refusing it (lost)' : 'losing it (lost, unreachable)';
      this.fail(owes, `broke the protocol: ${what} was reported at one end ${Math.round((now - o.since) / 1000)} s ago, but this node never reported ${missing} (docs/nodes.md, "Reports")`);
      return;
    }
  }

  /** Settled mode: the server that applied a put must report the end of its flood in time. */
  private awaitSettle(server: NodeId, key: string, counter: number, line: number | undefined): void {
    const id = `${server}:${counter}`;
    if (this.settled.delete(id)) return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(id);
      this.fail(server, `did not report gossipSettled for its write of ${key} (counter ${counter}${line ? `, line ${line}` : ''}) within ${this.timeouts.call} ms; in settled mode the master waits for it (docs/nodes.md, "Reports")`);
    }, this.timeouts.call);
    timer.unref();
    this.settleTimers.set(id, timer);
  }
}

function noFaults(): NodeRunError {
  return new NodeRunError(`the network's faults (${FAULT_COMMANDS.join(', ')}) act inside kvcmd's own node processes: not in a run with nodes you bring (docs/nodes.md)`);
}

class CallTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Why a control call failed, as the rest of a sentence starting with the node's label. */
function describeCallFailure(node: Running, method: string, err: unknown): string {
  if (node.ended) return `ended (${node.ended}) during its ${method}${node.tail.length > 0 ? `: ${node.tail[node.tail.length - 1]}` : ''}`;
  if (err instanceof CallTimeout) return `did not answer ${method} within ${err.ms} ms`;
  const e = err as { faultString?: unknown; code?: unknown; message?: unknown };
  if (typeof e.faultString === 'string') return `answered ${method} with a fault: ${e.faultString}`;
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return `did not answer ${method} (${e.code})`;
  return `broke the protocol: its answer to ${method} is not XML-RPC (${String(e.message ?? err)})`;
}

/** The node a malformed report came from, if its first notice says. */
function reporterOf(value: unknown): NodeId | undefined {
  const first = Array.isArray(value) ? (value[0] as { node?: unknown; server?: unknown } | undefined) : undefined;
  const id = first?.node ?? first?.server;
  return typeof id === 'number' ? id : undefined;
}

/** SIGKILL to a node's whole process group (it leads one: spawned detached). */
function killGroup(proc: ChildProcess): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    // The group is gone.
  }
}

/** A port free on 127.0.0.1 now, for a command that takes `{port}`. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
