import { runCommands } from '../cluster/runner';
import type { Command } from '../language/commands';
import { cmd, startCluster, timed } from './cluster';
import { BenchRow } from './row';

// What keeping the record costs: the same work with nodes reporting every message (trace) and
// without, on real processes and in the model. The untraced figure is the floor of the ratio.

const PUTS = 1000;

export async function benchRecord(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rate: Record<string, number> = {};
  for (const trace of [false, true]) {
    const c = await startCluster(5, 5, 'settled', trace);
    try {
      const ms = await timed(async () => {
        for (let i = 0; i < PUTS; i++) await c.run.execute(cmd.put(100 + (i % 5), `k${i % 200}`, `v${i}`));
      });
      rate[String(trace)] = PUTS / (ms / 1000);
    } finally {
      await c.close();
    }
  }
  rows.push({ section: 'record', name: `${PUTS} puts, settled, real processes, not recorded`, value: rate.false, unit: 'puts/s' });
  rows.push({
    section: 'record', name: `${PUTS} puts, settled, real processes, recorded`, value: rate.true, unit: 'puts/s',
    note: `${((rate.true / rate.false) * 100).toFixed(0)}% of unrecorded`,
  });

  // The model: the course shape, 5 servers and 5 clients, puts and gets taking turns.
  const script: Command[] = [];
  let line = 1;
  for (let s = 0; s < 5; s++) script.push({ name: 'joinServer', line: line++, server: s });
  for (let c = 0; c < 5; c++) script.push({ name: 'joinClient', line: line++, client: 100 + c, server: c });
  for (let i = 0; i < 10_000; i++) {
    const client = 100 + (i % 5);
    script.push(i % 2 === 0 ? { name: 'put', line: line++, client, key: `k${i % 100}`, value: `v${i}` } : { name: 'get', line: line++, client, key: `k${(i * 7) % 100}` });
  }
  script.push({ name: 'stabilize', line: line++ });
  const model: Record<string, { ms: number; events: number }> = {};
  for (const trace of [false, true]) {
    let events = 0;
    const ms = await timed(async () => void (await runCommands(script, { seed: 1, gossip: 'settled', backend: 'model', trace }, () => events++)));
    model[String(trace)] = { ms, events };
  }
  const perSec = (ms: number): number => script.length / (ms / 1000);
  rows.push({ section: 'record', name: `model, ${script.length} commands (settled), not recorded`, value: perSec(model.false.ms), unit: 'commands/s', note: `${model.false.events} events` });
  rows.push({
    section: 'record', name: `model, ${script.length} commands (settled), recorded`, value: perSec(model.true.ms), unit: 'commands/s',
    note: `${model.true.events} events; ${((model.false.ms / model.true.ms) * 100).toFixed(0)}% of unrecorded`,
  });
  return rows;
}
