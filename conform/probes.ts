// The conformance kit's probes (docs/nodes.md, "The conformance kit"): rules a script cannot reach,
// checked on single nodes by calling them as kvcmd and as a peer would. Each probe starts its
// nodes with a CommandHost of its own and ends them.
import * as http from 'http';
import * as xmlrpc from 'xmlrpc';
import { CommandHost } from '../cluster/commandHost';
import type { NodeCommands } from '../cluster/nodeCommands';
import { fromWire, toWire } from '../cluster/wire';
import type { Envelope, InitBody, NodeNotice, Role } from '../protocol/messages';

export interface Probe {
  name: string;
  rule: string;
  title: string;
  /** Resolves with why it failed, or undefined when it passed. */
  run(nodes: NodeCommands): Promise<string | undefined>;
}

const CAUSE = { line: 0, step: 0 };

function init(id: number, role: Role): InitBody {
  return { type: 'init', id, role, seed: 1, gossip: 'settled', trace: true };
}

/** One node under a host of its own, with what it reports; the host is closed however `fn` ends. */
async function withNode(nodes: NodeCommands, id: number, role: Role, fn: (n: { host: CommandHost; port: number; pid: number; notices: NodeNotice[] }) => Promise<string | undefined>): Promise<string | undefined> {
  const host = new CommandHost({ nodes });
  const notices: NodeNotice[] = [];
  host.onNotices((list) => notices.push(...list));
  try {
    const { port, pid } = await host.start(init(id, role));
    return await fn({ host, port, pid, notices });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await host.close();
  }
}

/** A raw XML-RPC call: the answer, or the fault's text as `{ fault }`. */
function rawCall(port: number, method: string, params: unknown[]): Promise<{ value?: unknown; fault?: string; error?: string }> {
  const agent = new http.Agent({ keepAlive: false });
  const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/', agent } as Parameters<typeof xmlrpc.createClient>[0]);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: 'no answer within 10 s' }), 10_000);
    client.methodCall(method, params, (err: unknown, value: unknown) => {
      clearTimeout(timer);
      agent.destroy();
      const e = err as { faultString?: string; message?: string } | null;
      if (!e) resolve({ value });
      else if (typeof e.faultString === 'string') resolve({ fault: e.faultString });
      else resolve({ error: e.message ?? String(err) });
    });
  });
}

async function emptySnapshot(host: CommandHost, id: number): Promise<string | undefined> {
  const r = await host.control(id, { type: 'snapshot' });
  if (r.type !== 'snapshot') return `kvcmd.snapshot answered ${r.type}`;
  const s = r.snapshot;
  if (s.counter !== 0 || s.store.length > 0) return `the node changed: counter ${s.counter}, ${s.store.length} store entries (expected 0 and none)`;
  return undefined;
}

export const PROBES: readonly Probe[] = [
  {
    name: 'start',
    rule: 'start',
    title: 'a server and a client start: handshake line, kvcmd.init answered with reports: true, an empty kvcmd.snapshot',
    run: async (nodes) => {
      for (const [id, role] of [[0, 'server'], [5, 'client']] as const) {
        const why = await withNode(nodes, id, role, async ({ host }) => {
          const r = await host.control(id, { type: 'snapshot' });
          if (r.type !== 'snapshot') return `kvcmd.snapshot answered ${r.type}`;
          if (r.snapshot.counter !== 0 || r.snapshot.links.length > 0 || r.snapshot.store.length > 0 || r.snapshot.deps.length > 0) {
            return `a new ${role}'s snapshot is not empty: ${JSON.stringify(r.snapshot)}`;
          }
          return undefined;
        });
        if (why) return `${role} ${id}: ${why}`;
      }
      return undefined;
    },
  },
  {
    name: 'secret',
    rule: 'secret',
    title: "calls without the run's secret, or with a wrong one, get a fault and change nothing",
    run: (nodes) => withNode(nodes, 0, 'server', async ({ host, port }) => {
      // Linked to client 9, so that a forged put from it would otherwise be taken.
      await host.control(0, { type: 'link', peer: 9, peerRole: 'client', port: 1 });
      const forged: Envelope = { from: 9, to: 0, id: 1, replyTo: 0, counter: 1, cause: CAUSE, body: { type: 'put', key: 'k', value: 'forged' } };
      const calls: { what: string; method: string; params: unknown[] }[] = [
        { what: 'kvcmd.snapshot with a wrong secret', method: 'kvcmd.snapshot', params: [{}, 'not-the-secret'] },
        { what: 'kvcmd.snapshot without a secret', method: 'kvcmd.snapshot', params: [{}] },
        { what: 'kvcmd.unlink with a wrong secret', method: 'kvcmd.unlink', params: [{ peer: 9 }, 'not-the-secret'] },
        { what: 'deliver with a wrong secret', method: 'deliver', params: [toWire(forged), 'not-the-secret'] },
        { what: 'deliver without a secret', method: 'deliver', params: [toWire(forged)] },
      ];
      for (const { what, method, params } of calls) {
        const r = await rawCall(port, method, params);
        if (r.fault === undefined) return `${what} was answered ${r.error ? `with an error (${r.error})` : `(${JSON.stringify(r.value)})`}, not with a fault`;
      }
      const links = await host.control(0, { type: 'snapshot' });
      if (links.type === 'snapshot' && !links.snapshot.links.includes(9)) return 'kvcmd.unlink with a wrong secret unlinked the peer';
      return emptySnapshot(host, 0);
    }),
  },
  {
    name: 'refused',
    rule: 'refused',
    title: 'a request from a peer the node is not linked to is answered refused, reported lost (link cut), and moves no counter',
    run: (nodes) => withNode(nodes, 0, 'server', async ({ host, port, notices }) => {
      const request: Envelope = { from: 9, to: 0, id: 1, replyTo: 0, counter: 7, cause: { line: 1, step: 1 }, body: { type: 'get', key: 'k', dep: null } };
      const r = await rawCall(port, 'deliver', [toWire(request), host.secret]);
      if (r.value === undefined) return `deliver from an unlinked peer was answered ${r.fault !== undefined ? `with a fault (${r.fault})` : `with an error (${r.error})`}, not with a refused envelope`;
      let reply: Envelope;
      try {
        reply = fromWire(r.value);
      } catch (err) {
        return `deliver's answer is not an envelope: ${(err as Error).message}`;
      }
      if (reply.body.type !== 'refused' || reply.replyTo !== 1 || reply.from !== 0 || reply.to !== 9) return `deliver from an unlinked peer was answered ${JSON.stringify(reply)}, not {from: 0, to: 9, replyTo: 1, body: {type: "refused"}}`;
      if (!notices.some((n) => n.type === 'lost' && n.reason === 'link cut' && n.msg.from === 9 && n.msg.id === 1)) return 'the refused request was not reported (lost, reason link cut) before the answer';
      return emptySnapshot(host, 0);
    }),
  },
  {
    name: 'shutdown',
    rule: 'shutdown',
    title: 'kvcmd.shutdown is answered and the node exits',
    run: (nodes) => withNode(nodes, 5, 'client', async ({ host, pid }) => {
      await host.control(5, { type: 'shutdown' });
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        if (!alive(pid)) return undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
      return `the node (pid ${pid}) was still running 5 s after answering kvcmd.shutdown`;
    }),
  },
];

/** Whether a process of that pid is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
