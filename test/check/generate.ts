// Random valid kvcmd scripts for the checker's "a correct run has no violation" tests: servers
// joining, dying and rejoining, clients on one or several servers, links cut and restored,
// puts, gets, stabilize, printStore (and sleep, for real async runs).

/** mulberry32: a small seeded generator, so a failing script can be regenerated from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenerateOptions {
  commands: number;
  /** Largest server id (ids from 0). */
  maxServer?: number;
  /** Client ids are 10.. 10 + clients - 1. */
  clients?: number;
  keys?: number;
  /** Add `sleep` commands (real async runs), with at most this many ms each. */
  sleepMs?: number;
  /**
   * May a killed server's id join again? Its new process starts its counter at 0 and can give a
   * new write the stamp of an old one (docs/checker.md): runs with rejoins are not always clean.
   */
  rejoin?: boolean;
}

export function randomScript(seed: number, opts: GenerateOptions): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const maxServer = opts.maxServer ?? 4;
  const clientIds = Array.from({ length: opts.clients ?? 4 }, (_, i) => 10 + i);
  const keys = Array.from({ length: opts.keys ?? 3 }, (_, i) => `k${i}`);
  const alive = new Set<number>();
  const joined = new Set<number>();
  const clients = new Set<number>();
  const links = new Set<string>();
  const pair = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);
  const out: string[] = [];
  const joinServer = (s: number): void => {
    out.push(`joinServer ${s}`);
    for (const p of alive) links.add(pair(s, p));
    alive.add(s);
    joined.add(s);
  };
  joinServer(0);
  let value = 0;
  while (out.length < opts.commands) {
    const x = r();
    const serversAlive = [...alive];
    const candidatesToJoin = Array.from({ length: maxServer + 1 }, (_, i) => i).filter((i) => !alive.has(i) && (opts.rejoin || !joined.has(i)));
    if (x < 0.1 && candidatesToJoin.length > 0) {
      joinServer(pick(candidatesToJoin));
    } else if (x < 0.14 && serversAlive.length > 1) {
      const s = pick(serversAlive);
      out.push(`killServer ${s}`);
      alive.delete(s);
      for (const l of [...links]) if (l.split(',').map(Number).includes(s)) links.delete(l);
    } else if (x < 0.2 && clients.size < clientIds.length) {
      const c = clientIds.find((id) => !clients.has(id))!;
      const s = pick(serversAlive);
      out.push(`joinClient ${c} ${s}`);
      clients.add(c);
      links.add(pair(c, s));
    } else if (x < 0.3) {
      // Cut a link: server-server or client-server.
      const existing = [...links];
      if (existing.length === 0) continue;
      const [a, b] = pick(existing).split(',').map(Number);
      out.push(`breakConnection ${a} ${b}`);
      links.delete(pair(a, b));
    } else if (x < 0.4) {
      // Restore one: between two live servers, or a client and a live server.
      const nodes = [...serversAlive, ...clients];
      const a = pick(nodes);
      const others = serversAlive.filter((s) => s !== a && !links.has(pair(a, s)));
      if (others.length === 0) continue;
      const b = pick(others);
      out.push(`createConnection ${a} ${b}`);
      links.add(pair(a, b));
    } else if (x < 0.47) {
      out.push('stabilize');
    } else if (x < 0.5) {
      out.push(`printStore ${pick(serversAlive)}`);
    } else if (x < 0.53 && opts.sleepMs) {
      out.push(`sleep ${Math.floor(r() * opts.sleepMs)}`);
    } else if (clients.size > 0) {
      const c = pick([...clients]);
      if (x < 0.75) out.push(`put ${c} ${pick(keys)} v${++value}`);
      else out.push(`get ${c} ${pick(keys)}`);
    }
  }
  return out.join('\n') + '\n';
}
