// Random valid kvcmd scripts for the checker's "a correct run has no violation" tests and the
// model-against-processes differential test (test/cluster/differential.test.ts): servers joining,
// dying and rejoining, clients on one or several servers, links cut and restored, puts, gets,
// stabilize, printStore (and sleep, for real async runs).

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
  /** May a killed server's id join again (a new process, its counter above the live nodes': docs/protocol.md)? */
  rejoin?: boolean;
  /**
   * The ids the script gives servers 0..maxServer and the clients (default: the same numbers, and
   * 10, 11, ...); e.g. ids spread up to 2147483647, the largest XML-RPC i4. Must not overlap.
   */
  serverIds?: readonly number[];
  clientIds?: readonly number[];
  /**
   * Keys and values drawn from unusual tokens too: non-ASCII, a lone surrogate, characters XML 1.0
   * cannot carry (they travel as base64, docs/protocol.md), `#` and `:` where the language allows
   * them, a long value. Scripts with these are text only: a file would not keep a lone surrogate.
   */
  oddTokens?: boolean;
  /**
   * Before a put or get by a client linked to no live server, link it to one with this probability
   * (`createConnection`), so that fewer operations fail for want of a server.
   */
  relink?: number;
  /**
   * Before each command, with this probability, a command of the network's faults instead: `drop`,
   * `delay`, `duplicate`, `heal`, `pauseServer`, `resumeServer` (a paused server is resumed before
   * any `stabilize`, which the language refuses while one is paused).
   */
  faults?: number;
}

/** Keys (no `:`, no blanks) and value prefixes the `oddTokens` option draws from. */
const ODD_KEYS = ['é', '日本', '\u{1F600}', 'a\u0001b', '\uFFFE', '\uD800', '#k', 'K0', 'k\rk', '\u0000'];
const ODD_VALUES = ['é', ':', 'a:b', '#', '\u0007', '\uFFFF', '\uDC00x', 'x'.repeat(5000), '&lt;', '<v>', ']]>'];

export function randomScript(seed: number, opts: GenerateOptions): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const maxServer = opts.maxServer ?? 4;
  // Inside, servers are 0..maxServer and clients 10, 11, ...; `name` gives the ids the script uses.
  if (maxServer >= 10) throw new Error('maxServer must be below 10 (client ids start there)');
  const clientIds = Array.from({ length: opts.clients ?? 4 }, (_, i) => 10 + i);
  const name = (n: number): number => (n >= 10 ? opts.clientIds?.[n - 10] : opts.serverIds?.[n]) ?? n;
  const keys = Array.from({ length: opts.keys ?? 3 }, (_, i) => `k${i}`);
  // Drawn only with oddTokens, so that the other options give the scripts they always gave.
  const key = (): string => (opts.oddTokens && r() < 0.3 ? pick(ODD_KEYS) : pick(keys));
  const valuePrefix = (): string => (opts.oddTokens && r() < 0.3 ? pick(ODD_VALUES) : 'v');
  const alive = new Set<number>();
  const joined = new Set<number>();
  const clients = new Set<number>();
  const links = new Set<string>();
  const pair = (a: number, b: number): string => (a < b ? `${a},${b}` : `${b},${a}`);
  const out: string[] = [];
  const joinServer = (s: number): void => {
    out.push(`joinServer ${name(s)}`);
    for (const p of alive) links.add(pair(s, p));
    alive.add(s);
    joined.add(s);
  };
  joinServer(0);
  let value = 0;
  const paused = new Set<number>();
  /** One end of a fault command: a live server, a client, or every node. */
  const end = (): string => {
    const ids = [...alive, ...clients];
    return r() < 0.3 ? '*' : String(name(pick(ids)));
  };
  const fault = (): void => {
    const y = r();
    const serversAlive = [...alive].filter((s) => !paused.has(s));
    if (y < 0.2 && paused.size > 0) {
      const s = pick([...paused]);
      out.push(`resumeServer ${name(s)}`);
      paused.delete(s);
    } else if (y < 0.35 && serversAlive.length > 0 && paused.size === 0) {
      const s = pick(serversAlive);
      out.push(`pauseServer ${name(s)}`);
      paused.add(s);
    } else {
      // Two ends that the language accepts: not one node twice, not two clients.
      let a = end();
      let b = end();
      if (a === b && a !== '*') b = '*';
      const client = (x: string): boolean => x !== '*' && [...clients].some((c) => String(name(c)) === x);
      if (client(a) && client(b)) b = '*';
      if (y < 0.5) out.push(r() < 0.5 ? 'heal * *' : `heal ${a} ${b}`);
      else if (y < 0.7) out.push(`delay ${a} ${b} ${pick([0, 1, 3, 8])}${r() < 0.5 ? ` ${pick([10, 20])}` : ''}`);
      else if (y < 0.85) out.push(`drop ${a} ${b} ${pick(['0', '0.3', '0.5', '1'])}`);
      else out.push(`duplicate ${a} ${b} ${pick(['0', '0.5', '1'])}`);
    }
  };
  while (out.length < opts.commands) {
    if (opts.faults && r() < opts.faults) {
      fault();
      continue;
    }
    const x = r();
    const serversAlive = [...alive];
    const candidatesToJoin = Array.from({ length: maxServer + 1 }, (_, i) => i).filter((i) => !alive.has(i) && (opts.rejoin || !joined.has(i)));
    if (x < 0.1 && candidatesToJoin.length > 0) {
      joinServer(pick(candidatesToJoin));
    } else if (x < 0.14 && serversAlive.length > 1) {
      const s = pick(serversAlive);
      out.push(`killServer ${name(s)}`);
      alive.delete(s);
      paused.delete(s);
      for (const l of [...links]) if (l.split(',').map(Number).includes(s)) links.delete(l);
    } else if (x < 0.2 && clients.size < clientIds.length) {
      const c = clientIds.find((id) => !clients.has(id))!;
      const s = pick(serversAlive);
      out.push(`joinClient ${name(c)} ${name(s)}`);
      clients.add(c);
      links.add(pair(c, s));
    } else if (x < 0.3) {
      // Cut a link: server-server or client-server.
      const existing = [...links];
      if (existing.length === 0) continue;
      const [a, b] = pick(existing).split(',').map(Number);
      out.push(`breakConnection ${name(a)} ${name(b)}`);
      links.delete(pair(a, b));
    } else if (x < 0.4) {
      // Restore one: between two live servers, or a client and a live server.
      const nodes = [...serversAlive, ...clients];
      const a = pick(nodes);
      const others = serversAlive.filter((s) => s !== a && !links.has(pair(a, s)));
      if (others.length === 0) continue;
      const b = pick(others);
      out.push(`createConnection ${name(a)} ${name(b)}`);
      links.add(pair(a, b));
    } else if (x < 0.47) {
      for (const s of paused) out.push(`resumeServer ${name(s)}`);
      paused.clear();
      out.push('stabilize');
    } else if (x < 0.5) {
      out.push(`printStore ${name(pick(serversAlive))}`);
    } else if (x < 0.53 && opts.sleepMs) {
      out.push(`sleep ${Math.floor(r() * opts.sleepMs)}`);
    } else if (clients.size > 0) {
      const c = pick([...clients]);
      if (opts.relink && !serversAlive.some((s) => links.has(pair(c, s))) && r() < opts.relink) {
        const s = pick(serversAlive);
        out.push(`createConnection ${name(c)} ${name(s)}`);
        links.add(pair(c, s));
      }
      if (x < 0.75) out.push(`put ${name(c)} ${key()} ${valuePrefix()}${++value}`);
      else out.push(`get ${name(c)} ${key()}`);
    }
  }
  return out.join('\n') + '\n';
}
