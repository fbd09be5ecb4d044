import { Command } from '../language/commands';
import { ClusterRun } from '../cluster/runner';
import { GossipMode } from '../protocol/messages';

/** Builds commands without a script, numbered from line 1 like a script's: the benchmark drives a run exactly as a script does. */
let nextLine = 1;
const line = (): number => nextLine++;
export const cmd = {
  joinServer: (server: number): Command => ({ name: 'joinServer', line: line(), server }),
  joinClient: (client: number, server: number): Command => ({ name: 'joinClient', line: line(), client, server }),
  put: (client: number, key: string, value: string): Command => ({ name: 'put', line: line(), client, key, value }),
  get: (client: number, key: string): Command => ({ name: 'get', line: line(), client, key }),
  stabilize: (): Command => ({ name: 'stabilize', line: line() }),
};

export interface Cluster {
  run: ClusterRun;
  /** Every node process the run started. */
  pids: number[];
  close(): Promise<void>;
}

/** n servers (fully connected) and one client per server, ids 100+i on server i. */
export async function startCluster(servers: number, clients: number, gossip: GossipMode, trace = false): Promise<Cluster & { startMs: number }> {
  // Timed from the run's creation: forking the spare processes is part of starting.
  const t = performance.now();
  const pids: number[] = [];
  // Its joins are known, as a script's are to `kvcmd run` (runCommands): no spare boots for nothing.
  const run = new ClusterRun({ seed: 1, gossip, trace, process: { joins: servers + clients } }, (e) => void (e.type === 'nodeStarted' && pids.push(e.pid)));
  for (let i = 0; i < servers; i++) await run.execute(cmd.joinServer(i));
  for (let i = 0; i < clients; i++) await run.execute(cmd.joinClient(100 + i, i % servers));
  const startMs = performance.now() - t;
  return { run, pids, startMs, close: async () => void (await run.end()) };
}

export async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
