import { isFaultCommand, type Command } from '../language/commands';
import type { CommandHost } from './commandHost';
import { NodeCommands, NodeRunError } from './nodeCommands';
import type { GossipMode, ProtocolName } from '../protocol/messages';
import type { ClusterEvent, ClusterSnapshot } from '../record/events';
import type { NodeHost } from './host';
import { Master } from './master';
import { ModelHost, ModelHostOptions } from './modelHost';
import { ProcessHost, ProcessHostOptions } from './processHost';

export type Backend = 'processes' | 'model';

export interface RunSettings {
  seed: number;
  gossip: GossipMode;
  /** How writes are ordered (docs/protocol.md, "Protocols"); `lamport` when absent. */
  protocol?: ProtocolName;
  /** Record every message between nodes and every write kept (the full record of the run). */
  trace?: boolean;
  /**
   * Wait for each client's own answer before the next command, even where the master could go on
   * at its server's word (docs/protocol.md, "Processes"): an interactive session acknowledges each
   * put with the stamp its client reports.
   */
  waitForClients?: boolean;
  /** 'processes' (default): real node processes; 'model': the in-process simulated network. */
  backend?: Backend;
  process?: ProcessHostOptions;
  /**
   * Nodes the user brings (docs/nodes.md): with this, real runs start each node from its command
   * and drive it through the documented XML-RPC protocol (cluster/commandHost.ts); `process`'s
   * nodePath and onNodeError apply to them too.
   */
  nodes?: NodeCommands;
  /** For the model: a debugger's hook before each delivery, a test's own node factory. */
  model?: ModelHostOptions;
  signal?: AbortSignal;
}

export interface RunResult {
  ok: boolean;
  error?: string;
  snapshot?: ClusterSnapshot;
  ms: number;
}

export function createHost(settings: Pick<RunSettings, 'backend' | 'process' | 'model' | 'nodes'>): NodeHost {
  if (settings.backend === 'model') return new ModelHost(settings.model);
  if (settings.nodes) {
    // Loaded only for runs with foreign nodes: it brings the xmlrpc package into the master.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CommandHost: Host } = require('./commandHost') as { CommandHost: typeof CommandHost };
    return new Host({ nodes: settings.nodes, nodePath: settings.process?.nodePath, onNodeError: settings.process?.onNodeError });
  }
  return new ProcessHost(settings.process);
}

/**
 * One run of a cluster, command by command: the one way every caller (a whole script from the CLI
 * or the editor, the interactive prompt, the benchmark) starts nodes, executes commands and ends
 * with every node shut down, whatever happens.
 */
export class ClusterRun {
  private readonly started = performance.now();
  private readonly master: Master;
  readonly host: NodeHost;
  private readonly abort = (): void => void this.master.close();
  private ended: Promise<RunResult> | undefined;

  constructor(private readonly settings: RunSettings, onEvent: (e: ClusterEvent) => void) {
    this.host = createHost(settings);
    this.master = new Master(this.host, { seed: settings.seed, gossip: settings.gossip, trace: settings.trace ?? false, protocol: settings.protocol, waitForClients: settings.waitForClients });
    this.master.onEvent(onEvent);
    this.master.begin();
    settings.signal?.addEventListener('abort', this.abort);
  }

  /** Executes one command; rejects when the run cannot go on (cancelled, a node died, shut down). */
  execute(cmd: Command): Promise<void> {
    if (this.settings.signal?.aborted) return Promise.reject(new Error('run cancelled'));
    // A foreign node's failure names the script line it happened on, when its host could not.
    return this.master.execute(cmd).catch((err: unknown) => {
      throw err instanceof NodeRunError && err.line === undefined ? new NodeRunError(`${err.why} (${cmd.name})`, cmd.line) : err;
    });
  }

  /** The record so far, released mid-command (for a debugger's stop; see Master.releaseRecorded). */
  releaseRecorded(): void {
    this.master.releaseRecorded();
  }

  /** Takes the final snapshot (when `error` is undefined), shuts every node down and reports the end. Idempotent. */
  end(error?: unknown): Promise<RunResult> {
    this.ended ??= this.finish(error);
    return this.ended;
  }

  private async finish(error: unknown): Promise<RunResult> {
    let result: RunResult;
    try {
      if (error !== undefined) throw error;
      // An explorer's schedule (ModelHostOptions.schedule) may have held messages: they land first.
      if (this.host instanceof ModelHost) await this.host.deliverHeld();
      const snapshot = await this.master.snapshot();
      result = { ok: true, snapshot, ms: performance.now() - this.started };
    } catch (err) {
      const why = this.settings.signal?.aborted ? 'run cancelled' : err instanceof Error ? err.message : String(err);
      result = { ok: false, error: why, ms: performance.now() - this.started };
    } finally {
      this.settings.signal?.removeEventListener('abort', this.abort);
      await this.master.close();
    }
    this.master.finished(result);
    return result;
  }
}

/** Runs a checked script from start to end. */
export async function runCommands(commands: readonly Command[], settings: RunSettings, onEvent: (e: ClusterEvent) => void): Promise<RunResult> {
  // The whole script is known: start no more node processes than it joins.
  const joins = commands.filter((c) => c.name === 'joinServer' || c.name === 'joinClient').length;
  // With faults, what the master waits for (answers, settled floods) does not cover every message:
  // a reply dropped after its put was applied leaves a flood nobody waits for, a copy or a delayed
  // message lands later. Reporting nodes let the master wait at each command's end until no
  // message is half reported, so such a run is exact with or without a record (docs/events.md).
  const trace = settings.trace || commands.some(isFaultCommand);
  const run = new ClusterRun({ ...settings, trace, process: { joins, ...settings.process } }, onEvent);
  try {
    for (const cmd of commands) await run.execute(cmd);
  } catch (err) {
    return run.end(err);
  }
  return run.end();
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
