// The Debug Adapter Protocol over debug/session.ts. Message based: `handle` takes a request, `send`
// gives back responses and events; `serveDap` puts it on a pair of streams (`kvcmd dap` on stdio),
// and the extension wraps it in a vscode.DebugAdapterInlineImplementation.
//
// One thread, "run". The stack: when stepped into a delivery, its top frame is the message about to
// be delivered ("deliver gossip 0→2 (line 16)"), over the script line's frame ("line 16: put 10
// color blue"). Scopes: "Nodes" (store with stamps, Lamport counter, links, a client's
// dependencies) and "In flight" (messages sent, not yet delivered, in delivery order).
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import type { ProcessHostOptions } from '../cluster/processHost';
import { readAndCheck, type CheckedScript } from '../language/scriptFile';
import { formatDiagnostic } from '../language/diagnostics';
import { GOSSIP_MODES, type GossipMode, type ProtocolName } from '../protocol/messages';
import { protocolFor } from '../language/directives';
import { formatStamp } from '../protocol/stamp';
import type { ClusterEvent } from '../record/events';
import { connect, type DapMessage } from './framing';
import { commandText } from '../language/commands';
import { DebugSession, formatEntry, type NodeView, type StopResult } from './session';
import { parseSchedule, scheduleMisfit, ScheduleError, type Choice } from '../explore/explore';

export const THREAD_ID = 1;

export const EXCEPTION_FILTERS = [
  { filter: 'errDep', label: 'Break on ERR_DEP', description: 'Stop after a get answers ERR_DEP (the server is behind the client\'s dependency)', default: false },
  { filter: 'errKey', label: 'Break on ERR_KEY', description: 'Stop after a get answers ERR_KEY (no value and no dependency)', default: false },
];

export interface LaunchArguments {
  program: string;
  /** Seed of the run's random choices; default 1 (a string of digits is accepted too). */
  seed?: number | string;
  /** 'settled' (default) or 'off'; 'async' only with a `schedule`. */
  gossip?: GossipMode;
  /**
   * The model only: a schedule as `kvcmd explore` prints its witnesses (`0.2.h.1`, `-`): the run
   * delivers and holds messages as it says, so an async run's outcome can be stepped through.
   */
  schedule?: string;
  stopOnEntry?: boolean | 'true' | 'false';
  /** 'model' (default): step into deliveries and back in time; 'processes': real processes, step over only. */
  backend?: 'model' | 'processes';
  /** Run without debugging (VS Code's Ctrl+F5): no breakpoint, exception filter or entry stops. */
  noDebug?: boolean;
}

/** What the editor's views follow: the record of the run so far and the line it is stopped at. */
export interface DebugRecord {
  program: string;
  /** The 1-based line stopped at; undefined once the run has ended. */
  line: number | undefined;
  events: readonly ClusterEvent[];
}

export interface AdapterOptions {
  /** For launches with "backend": "processes" (the extension passes its bundled node entry). */
  process?: ProcessHostOptions;
  /** Called at every stop and at the end. */
  onRecord?: (r: DebugRecord) => void;
  /** Called once the client has disconnected (the stdio server then ends). */
  onDisconnect?: () => void;
}

interface Request {
  seq: number;
  type: 'request';
  command: string;
  arguments?: Record<string, unknown>;
}

interface Variable {
  name: string;
  value: string;
  variablesReference: number;
  namedVariables?: number;
}

class RequestError extends Error {}

export class KvcmdDebugAdapter {
  private seq = 1;
  private linesStartAt1 = true;
  private launchArgs: LaunchArguments | undefined;
  private script: CheckedScript | undefined;
  /** The launch's "schedule", parsed and known to fit the script. */
  private schedule: Choice[] | undefined;
  private session: DebugSession | undefined;
  private configured = false;
  private started = false;
  private terminated = false;
  /** Requested breakpoint lines per source path (1-based). */
  private readonly requested = new Map<string, number[]>();
  private filters: string[] = [];
  /** Variable references of the current stop; cleared when the run moves on. */
  private refs = new Map<number, () => Variable[]>();
  private nextRef = 1;

  constructor(private readonly send: (msg: object) => void, private readonly options: AdapterOptions = {}) {}

  /** Handles one request (responses and events go out through `send`). */
  handle(msg: DapMessage): void {
    if (msg.type !== 'request') return;
    const req = msg as unknown as Request;
    void this.dispatch(req).then(
      (body) => { if (body !== NO_RESPONSE) this.respond(req, body); },
      (err: unknown) => this.fail(req, err instanceof Error ? err.message : String(err)),
    );
  }

  /** Ends the run, if any (every node shut down). */
  async dispose(): Promise<void> {
    await this.session?.end();
    this.session = undefined;
  }

  private async dispatch(req: Request): Promise<unknown> {
    const args = req.arguments ?? {};
    switch (req.command) {
      case 'initialize':
        this.linesStartAt1 = args.linesStartAt1 !== false;
        this.respond(req, {
          supportsConfigurationDoneRequest: true,
          supportsStepBack: true,
          supportsRestartRequest: true,
          supportsTerminateRequest: true,
          supportsExceptionFilterOptions: false,
          exceptionBreakpointFilters: EXCEPTION_FILTERS,
        });
        this.event('initialized');
        return NO_RESPONSE;
      case 'launch':
        await this.launch(args as unknown as LaunchArguments);
        this.respond(req);
        if (this.launchArgs?.backend === 'processes') this.event('capabilities', { capabilities: { supportsStepBack: false } });
        this.maybeStart();
        return NO_RESPONSE;
      case 'attach':
        throw new RequestError('kvcmd cannot attach to a run: launch a script instead');
      case 'setBreakpoints':
        return this.setBreakpoints(args);
      case 'setExceptionBreakpoints':
        this.filters = Array.isArray(args.filters) ? (args.filters as string[]) : [];
        if (!this.launchArgs?.noDebug) this.session?.setExceptionFilters(this.filterFlags());
        return {};
      case 'configurationDone':
        this.configured = true;
        this.respond(req);
        this.maybeStart();
        return NO_RESPONSE;
      case 'threads':
        return { threads: [{ id: THREAD_ID, name: 'run' }] };
      case 'stackTrace':
        return this.stackTrace();
      case 'scopes':
        return this.scopes();
      case 'variables':
        return { variables: this.refs.get(Number(args.variablesReference))?.() ?? [] };
      case 'continue':
        this.operate(req, () => this.need().continue(), { allThreadsContinued: true });
        return NO_RESPONSE;
      case 'next':
        this.operate(req, () => this.need().next());
        return NO_RESPONSE;
      case 'stepIn':
        this.operate(req, () => this.need().stepIn());
        return NO_RESPONSE;
      case 'stepOut':
        // Out of a delivery is to the end of its command: step over.
        this.operate(req, () => this.need().next());
        return NO_RESPONSE;
      case 'stepBack':
        this.operate(req, () => this.need().stepBack());
        return NO_RESPONSE;
      case 'reverseContinue':
        this.operate(req, () => this.need().reverseContinue());
        return NO_RESPONSE;
      case 'pause':
        this.session?.pause();
        return {};
      case 'restart':
        await this.restart(args);
        this.respond(req);
        this.maybeStart();
        return NO_RESPONSE;
      case 'terminate':
        await this.dispose();
        this.respond(req);
        this.end();
        return NO_RESPONSE;
      case 'disconnect':
        await this.dispose();
        this.respond(req);
        this.options.onDisconnect?.();
        return NO_RESPONSE;
      case 'evaluate':
        throw new RequestError('kvcmd scripts have no expressions: see the Nodes and In flight scopes');
      default:
        throw new RequestError(`unsupported request '${req.command}'`);
    }
  }

  // --- launching -----------------------------------------------------------------------------

  private async launch(args: LaunchArguments): Promise<void> {
    if (typeof args.program !== 'string' || args.program === '') throw new RequestError('launch needs "program": the path of a .kvcmd script');
    const gossip = args.gossip ?? 'settled';
    if (!(GOSSIP_MODES as readonly string[]).includes(gossip)) throw new RequestError(`"gossip" must be settled or off (or async with a "schedule"), not '${gossip}'`);
    const hasSchedule = args.schedule !== undefined && args.schedule !== null;
    if (gossip === 'async' && !hasSchedule) {
      throw new RequestError("gossip 'async' cannot be debugged without a \"schedule\": the model delivers one message at a time and cannot show races on its own; use 'settled' or 'off', or give a witness of kvcmd explore as \"schedule\"");
    }
    // Some clients (Helix templates) can only pass strings.
    const seed = typeof args.seed === 'string' && /^[0-9]+$/.test(args.seed) ? Number(args.seed) : args.seed ?? 1;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new RequestError(`"seed" must be an integer from 0 to ${2 ** 31 - 1}`);
    const backend = args.backend ?? 'model';
    if (backend !== 'model' && backend !== 'processes') throw new RequestError(`"backend" must be model or processes, not '${String(backend)}'`);
    const program = path.resolve(args.program);
    const script = loadScript(program);
    const schedule = hasSchedule ? await checkedSchedule(args.schedule, script, { seed, gossip, backend, protocol: protocolFor(script.analysis.directives) }) : undefined;
    this.launchArgs = { ...args, program, seed, gossip, backend };
    this.script = script;
    this.schedule = schedule;
    this.session = this.newSession();
  }

  private newSession(): DebugSession {
    const a = this.launchArgs!;
    const session = new DebugSession({
      commands: this.script!.analysis.commands,
      seed: Number(a.seed),
      gossip: a.gossip!,
      // The script's protocol directive, as `kvcmd run` reads it.
      protocol: protocolFor(this.script!.analysis.directives),
      backend: a.backend!,
      ...(this.schedule ? { schedule: this.schedule } : {}),
      ...(a.backend === 'processes'
        ? { process: { ...this.options.process, onNodeError: (id, text) => this.output(`[node ${id ?? '?'}] ${text}`, 'stderr') } }
        : {}),
    }, { output: (text) => this.output(text + '\n', 'stdout') });
    if (!a.noDebug) {
      session.setBreakpoints(this.verified(a.program).filter((b) => b.verified).map((b) => b.line));
      session.setExceptionFilters(this.filterFlags());
    }
    return session;
  }

  private maybeStart(): void {
    if (!this.configured || !this.session || this.started) return;
    this.started = true;
    const entry = this.launchArgs?.stopOnEntry;
    this.follow(this.session.start(!this.launchArgs?.noDebug && (entry === true || entry === 'true')));
  }

  private async restart(args: Record<string, unknown>): Promise<void> {
    const next = (args.arguments ?? this.launchArgs) as LaunchArguments | undefined;
    if (!next) throw new RequestError('nothing to restart: no launch yet');
    await this.dispose();
    this.terminated = false;
    this.started = false;
    await this.launch(next);
  }

  // --- breakpoints -----------------------------------------------------------------------------

  private setBreakpoints(args: Record<string, unknown>): unknown {
    const source = args.source as { path?: string } | undefined;
    const file = source?.path ? path.resolve(source.path) : undefined;
    const asked = Array.isArray(args.breakpoints)
      ? (args.breakpoints as { line: number }[]).map((b) => b.line)
      : Array.isArray(args.lines) ? (args.lines as number[]) : [];
    const lines = asked.map((l) => this.fromClient(l));
    if (file) this.requested.set(file, lines);
    const result = file ? this.verified(file) : lines.map((line) => ({ verified: false, line, message: 'no source path' }));
    if (file && this.launchArgs && file === this.launchArgs.program && !this.launchArgs.noDebug) {
      this.session?.setBreakpoints(result.filter((b) => b.verified).map((b) => b.line));
    }
    return { breakpoints: result.map((b, i) => ({ id: i + 1, verified: b.verified, line: this.toClient(b.line), ...(b.message ? { message: b.message } : {}) })) };
  }

  /**
   * The breakpoints asked for in `file`: on a command's line they hold; elsewhere they move to the
   * next command's line, or stay unverified after the last one.
   */
  private verified(file: string): { verified: boolean; line: number; message?: string }[] {
    const lines = this.requested.get(file) ?? [];
    let commands: number[];
    if (this.launchArgs && file === this.launchArgs.program && this.script) commands = this.script.analysis.commands.map((c) => c.line);
    else {
      try {
        commands = readAndCheck(file).analysis.commands.map((c) => c.line);
      } catch {
        return lines.map((line) => ({ verified: false, line, message: 'cannot read the script' }));
      }
    }
    return lines.map((line) => {
      const at = commands.find((c) => c >= line);
      return at === undefined ? { verified: false, line, message: 'no command on or after this line' } : { verified: true, line: at };
    });
  }

  private filterFlags(): { errDep: boolean; errKey: boolean } {
    return { errDep: this.filters.includes('errDep'), errKey: this.filters.includes('errKey') };
  }

  // --- running ---------------------------------------------------------------------------------

  private need(): DebugSession {
    if (!this.session || !this.started) throw new RequestError('no run: launch a script first');
    if (this.terminated) throw new RequestError('the run has ended');
    if (!this.session.stopped) throw new RequestError('the run is not stopped');
    return this.session;
  }

  /** Starts an operation, answers the request, then reports where the run stops. */
  private operate(req: Request, op: () => Promise<StopResult>, body?: unknown): void {
    let stop: Promise<StopResult>;
    try {
      stop = op();
    } catch (err) {
      this.fail(req, err instanceof Error ? err.message : String(err));
      return;
    }
    this.refs.clear();
    this.respond(req, body);
    this.follow(stop);
  }

  private follow(stop: Promise<StopResult>): void {
    const session = this.session;
    stop.then((r) => {
      if (session === this.session) this.report(r);
    }, (err: unknown) => {
      this.output(`kvcmd debugger: ${err instanceof Error ? err.message : String(err)}\n`, 'stderr');
      this.end();
    });
  }

  private report(r: StopResult): void {
    this.refs.clear();
    if (r.kind === 'terminated') {
      if (!r.ok && r.error !== 'ended by the debugger') this.output(`run failed: ${r.error ?? 'unknown error'}\n`, 'stderr');
      this.options.onRecord?.({ program: this.launchArgs!.program, line: undefined, events: this.session?.view().events ?? [] });
      this.end(r.ok ? 0 : 1);
      return;
    }
    const view = this.session!.view();
    this.options.onRecord?.({ program: this.launchArgs!.program, line: r.line, events: view.events });
    this.event('stopped', {
      reason: r.reason, threadId: THREAD_ID, allThreadsStopped: true,
      ...(r.description ? { description: r.description, text: r.description } : {}),
    });
  }

  private end(exitCode?: number): void {
    if (this.terminated) return;
    this.terminated = true;
    if (exitCode !== undefined) this.event('exited', { exitCode });
    this.event('terminated');
  }

  // --- views -----------------------------------------------------------------------------------

  private stackTrace(): unknown {
    const view = this.session?.view();
    if (!view?.point || !view.command || !this.launchArgs) return { stackFrames: [], totalFrames: 0 };
    const source = { name: path.basename(this.launchArgs.program), path: this.launchArgs.program };
    const frames: unknown[] = [];
    const m = view.delivering;
    if (m) frames.push({ id: 2, name: `deliver ${m.kind} ${m.from}→${m.to} (line ${m.line})`, source, line: this.toClient(m.line), column: this.toClient(1) });
    const p = view.point;
    const result = p.kind === 'result' ? ` → ${p.description.replace(/^get \d+ \S+ → /, '')}` : '';
    frames.push({ id: 1, name: `line ${view.line}: ${commandText(view.command)}${result}`, source, line: this.toClient(view.line), column: this.toClient(1) });
    return { stackFrames: frames, totalFrames: frames.length };
  }

  private scopes(): unknown {
    const view = this.session?.view();
    if (!view?.point) return { scopes: [] };
    const nodes = this.ref(() => view.nodes.map((n) => this.nodeVariable(n)));
    const flying = this.ref(() => view.inFlight.map((m, i) => ({
      name: `${i + 1}: ${m.from}→${m.to}`,
      value: `${m.label} (line ${m.line}, msg ${m.msg})${i === 0 && view.delivering ? ' ← next' : ''}`,
      variablesReference: 0,
    })));
    return {
      scopes: [
        { name: 'Nodes', variablesReference: nodes, namedVariables: view.nodes.length, expensive: false },
        { name: 'In flight', variablesReference: flying, namedVariables: view.inFlight.length, expensive: false },
      ],
    };
  }

  private nodeVariable(n: NodeView): Variable {
    const name = `${n.role} ${n.id}`;
    if (!n.alive) return { name, value: 'killed', variablesReference: 0 };
    const links = n.links.length ? n.links.join(', ') : 'none';
    const counter = n.counter === undefined ? '?' : String(n.counter);
    const table = n.role === 'server'
      ? { name: 'store', entries: n.store.map((e) => ({ name: e.key, value: formatEntry(e), variablesReference: 0 })) }
      : { name: 'deps', entries: n.deps.map((d) => ({ name: d.key, value: formatStamp(d.stamp), variablesReference: 0 })) };
    const summary = `counter ${counter} · links ${links} · ${table.entries.length} ${n.role === 'server' ? 'keys' : 'deps'}`;
    const tableValue = `{${table.entries.map((e) => `${e.name}: ${e.value}`).join(', ')}}`;
    const children = this.ref(() => [
      { name: 'counter', value: counter, variablesReference: 0 },
      { name: 'links', value: links, variablesReference: 0 },
      { name: table.name, value: tableValue, variablesReference: table.entries.length ? this.ref(() => table.entries) : 0, namedVariables: table.entries.length },
    ]);
    return { name, value: summary, variablesReference: children, namedVariables: 3 };
  }

  private ref(children: () => Variable[]): number {
    const id = this.nextRef++;
    this.refs.set(id, children);
    return id;
  }

  // --- the wire --------------------------------------------------------------------------------

  private toClient(line: number): number {
    return this.linesStartAt1 ? line : line - 1;
  }

  private fromClient(line: number): number {
    return this.linesStartAt1 ? line : line + 1;
  }

  private output(text: string, category: 'stdout' | 'stderr' | 'console'): void {
    this.event('output', { category, output: text });
  }

  private event(event: string, body?: unknown): void {
    this.send({ seq: this.seq++, type: 'event', event, ...(body === undefined ? {} : { body }) });
  }

  private respond(req: Request, body?: unknown): void {
    this.send({ seq: this.seq++, type: 'response', request_seq: req.seq, success: true, command: req.command, ...(body === undefined ? {} : { body }) });
  }

  private fail(req: Request, message: string): void {
    this.send({ seq: this.seq++, type: 'response', request_seq: req.seq, success: false, command: req.command, message, body: { error: { id: 1, format: message, showUser: true } } });
  }
}

const NO_RESPONSE = Symbol('answered already');

/** Reads and checks a script; a script with errors cannot be debugged. */
function loadScript(program: string): CheckedScript {
  let script: CheckedScript;
  try {
    script = readAndCheck(program);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RequestError(`cannot read '${program}': ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  if (script.hasErrors) {
    const errors = script.diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => formatDiagnostic(program, d));
    throw new RequestError(`the script has errors, fix them first:\n${errors.join('\n')}`);
  }
  return script;
}

/** A launch's "schedule": well formed, on the model, and fitting the script (a quick run checks), or a located reason. */
async function checkedSchedule(raw: unknown, script: CheckedScript, settings: { seed: number; gossip: GossipMode; backend: string; protocol: ProtocolName }): Promise<Choice[]> {
  if (typeof raw !== 'string') throw new RequestError(`"schedule" must be a string such as "0.2.h.1" (a witness of kvcmd explore), not ${JSON.stringify(raw)}`);
  if (settings.backend !== 'model') throw new RequestError('"schedule" needs "backend": "model": real processes deliver messages in their own order');
  let choices: Choice[];
  try {
    choices = parseSchedule(raw);
  } catch (err) {
    if (err instanceof ScheduleError) throw new RequestError(`"schedule" '${raw}': ${err.message}`);
    throw err;
  }
  const misfit = await scheduleMisfit(script.analysis.commands, settings, choices);
  if (misfit) throw new RequestError(`"schedule" '${raw}' does not fit ${script.name}${misfit.line !== undefined ? `:${misfit.line}` : ''}: ${misfit.message}`);
  return choices;
}

/** Serves DAP on a pair of streams until the client disconnects or the input ends. */
export function serveDap(input: Readable, output: Writable, options: Omit<AdapterOptions, 'onDisconnect'> = {}): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      void adapter.dispose().then(() => resolve());
    };
    const write = connect(input, output, (msg) => adapter.handle(msg), (err) => process.stderr.write(`kvcmd dap: ${err.message}\n`));
    const adapter = new KvcmdDebugAdapter(write, { ...options, onDisconnect: finish });
    input.on('end', finish);
    input.on('close', finish);
  });
}
