import { Command } from '../language/commands';
import { Master } from '../cluster/master';
import { ProcessHost } from '../cluster/processHost';
import { GossipMode } from '../protocol/messages';

/** Builds commands without a script: the benchmark drives the master exactly as a run does. */
export const cmd = {
  joinServer: (server: number): Command => ({ name: 'joinServer', line: 0, server }),
  joinClient: (client: number, server: number): Command => ({ name: 'joinClient', line: 0, client, server }),
  put: (client: number, key: string, value: string): Command => ({ name: 'put', line: 0, client, key, value }),
  get: (client: number, key: string): Command => ({ name: 'get', line: 0, client, key }),
  stabilize: (): Command => ({ name: 'stabilize', line: 0 }),
};

export interface Cluster {
  master: Master;
  host: ProcessHost;
  close(): Promise<void>;
}

/** n servers (fully connected) and one client per server, ids 100+i on server i. */
export async function startCluster(servers: number, clients: number, gossip: GossipMode): Promise<Cluster & { startMs: number }> {
  // Timed from the host's creation: forking the spare processes is part of starting.
  const t = performance.now();
  const host = new ProcessHost();
  const master = new Master(host, { seed: 1, gossip, trace: false });
  for (let i = 0; i < servers; i++) await master.execute(cmd.joinServer(i));
  for (let i = 0; i < clients; i++) await master.execute(cmd.joinClient(100 + i, i % servers));
  const startMs = performance.now() - t;
  return { master, host, startMs, close: () => master.close() };
}

export async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
