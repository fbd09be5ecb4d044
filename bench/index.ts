import { GOSSIP_MODES } from '../protocol/messages';
import { cmd, startCluster, timed } from './cluster';
import { measureFloor } from './floor';
import { BenchRow } from './row';
import { benchExplore } from './explore';
import { benchModel } from './model';
import { benchRecord } from './record';
import { printTable } from './table';

// `npm run bench`: the store's throughput and latencies against an HTTP floor measured in the same
// run, then (when it is built) the language server's latencies. Bounded: a few thousand requests,
// all on 127.0.0.1, every process ended before the next figure.

const PUTS = 2000;

async function storeRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const floor = await measureFloor();
  rows.push({ section: 'floor', name: 'sequential HTTP, one hop (bench -> B)', value: floor.oneHop, unit: 'req/s' });
  rows.push({ section: 'floor', name: 'sequential HTTP, two hops (bench -> A -> B)', value: floor.twoHop, unit: 'req/s' });
  rows.push({ section: 'floor', name: 'sequential XML-RPC calls, one hop (xmlrpc package)', value: floor.xmlrpcHop, unit: 'calls/s', note: `${pct(floor.xmlrpcHop, floor.oneHop)} of one-hop HTTP` });
  const ratio = (v: number): string => `${pct(v, floor.twoHop)} of two-hop HTTP, ${pct(v, floor.xmlrpcHop)} of one XML-RPC hop`;

  // Start-up: 5 servers and 5 clients, as the course's benchmark starts them.
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await startCluster(5, 5, 'settled');
    starts.push(c.startMs);
    await c.close();
  }
  const startMs = median(starts);
  rows.push({ section: 'cluster', name: 'start 5 servers + 5 clients (median of 3)', value: startMs, unit: 'ms', target: '< 500 ms', pass: startMs < 500 });

  // The stress shape: a fresh cluster, 1,000 puts (clients taking turns), stabilize, every node ended.
  for (const gossip of ['settled', 'async'] as const) {
    let started = 0;
    let puts = 0;
    const ms = await timed(async () => {
      const c = await startCluster(5, 5, gossip);
      started = c.startMs;
      try {
        puts = await timed(async () => {
          for (let i = 0; i < 1000; i++) await c.run.execute(cmd.put(100 + (i % 5), `s${i % 200}`, `v${i}`));
        });
        await c.run.execute(cmd.stabilize());
      } finally {
        await c.close();
      }
    });
    rows.push({
      section: 'cluster', name: `stress: start 5 + 5, 1,000 puts, stabilize, end (${gossip})`, value: ms, unit: 'ms', target: '< 2000 ms', pass: ms < 2000,
      note: `start ${started.toFixed(0)} ms, puts ${puts.toFixed(0)} ms`,
    });
  }

  for (const gossip of GOSSIP_MODES) {
    // The course's shape: 5 servers, 5 clients each on its own server, taking turns putting.
    const c = await startCluster(5, 5, gossip);
    try {
      const ms = await timed(async () => {
        for (let i = 0; i < PUTS; i++) await c.run.execute(cmd.put(100 + (i % 5), `k${i % 500}`, `v${i}`));
      });
      const stab = await timed(() => c.run.execute(cmd.stabilize()));
      const opsPerSec = PUTS / (ms / 1000);
      const target = gossip === 'settled' ? '>= 600 puts/s' : gossip === 'async' ? '>= 1000 puts/s and >= 25% of two-hop floor' : undefined;
      const pass = gossip === 'settled' ? opsPerSec >= 600 : gossip === 'async' ? opsPerSec >= 1000 && opsPerSec >= 0.25 * floor.twoHop : undefined;
      rows.push({ section: `gossip ${gossip}`, name: `${PUTS} puts, 5 clients taking turns`, value: opsPerSec, unit: 'puts/s', target, pass, note: ratio(opsPerSec) });
      rows.push({ section: `gossip ${gossip}`, name: 'then stabilize', value: stab, unit: 'ms', note: '500 keys' });

      const mix = await timed(async () => {
        for (let i = 0; i < PUTS; i++) {
          const client = 100 + (i % 5);
          await c.run.execute(i % 2 === 0 ? cmd.put(client, `m${i % 100}`, `v${i}`) : cmd.get(client, `m${(i * 7) % 100}`));
        }
      });
      const mixOps = PUTS / (mix / 1000);
      rows.push({ section: `gossip ${gossip}`, name: `${PUTS} ops, 50% put / 50% get`, value: mixOps, unit: 'ops/s', note: ratio(mixOps) });
    } finally {
      await c.close();
    }
  }

  // stabilize of 5 servers each holding the same 1,000 keys (settled gossip filled them).
  {
    const c = await startCluster(5, 5, 'settled');
    try {
      for (let i = 0; i < 1000; i++) await c.run.execute(cmd.put(100 + (i % 5), `key${i}`, `value${i}`));
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await timed(() => c.run.execute(cmd.stabilize())));
      const ms = median(times);
      rows.push({ section: 'stabilize', name: '5 servers x 1,000 keys, stores already equal (median of 5)', value: ms, unit: 'ms', target: '< 50 ms', pass: ms < 50 });
    } finally {
      await c.close();
    }
  }
  // stabilize that has to move data: gossip off, 1,000 keys spread over the servers.
  for (const servers of [5, 20]) {
    const c = await startCluster(servers, servers, 'off');
    try {
      for (let i = 0; i < 1000; i++) await c.run.execute(cmd.put(100 + (i % servers), `key${i}`, `value${i}`));
      const ms = await timed(() => c.run.execute(cmd.stabilize()));
      rows.push({
        section: 'stabilize', name: `${servers} servers, 1,000 keys spread over them (gossip off)`, value: ms, unit: 'ms',
        target: servers === 5 ? '< 50 ms' : '< 5000 ms (course bound)', pass: ms < (servers === 5 ? 50 : 5000),
      });
    } finally {
      await c.close();
    }
  }
  return rows;
}

function pct(v: number, of: number): string {
  return `${((v / of) * 100).toFixed(0)}%`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const rows = [...(await storeRows()), ...(await benchRecord()), ...(await benchModel()), ...(await benchExplore())];
  printTable(rows);
  let lsp: BenchRow[] = [];
  try {
    // Loaded lazily: the store's figures do not need the language server to be built.
    const mod = require('./lsp') as { benchLsp: () => Promise<BenchRow[]> };
    lsp = await mod.benchLsp();
  } catch (err) {
    process.stderr.write(`language server benchmark unavailable: ${(err as Error).message}\n`);
  }
  if (lsp.length > 0) printTable(lsp);
  printTable(await (require('./diagram') as typeof import('./diagram')).benchDiagram());
  const misses = [...rows, ...lsp].filter((r) => r.pass === false);
  process.stdout.write(misses.length === 0 ? '\nall targets met\n' : `\n${misses.length} target(s) missed: ${misses.map((r) => r.name).join('; ')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
