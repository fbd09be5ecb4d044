import { explore, type ExploreReport } from '../explore/explore';
import { analyze } from '../language/analyzer';
import { BenchRow } from './row';

// Exploring every schedule of a small script in async mode: two racing writes of one key, then a
// read on each server (the hand-worked case of test/explore/: three outcomes). With the
// partial-order reduction (the default) and without it, so that both figures come from one run:
// schedules/s counts schedules run to their end; the time to exhaust the script is what a user waits.
const RACE = ['joinServer 0', 'joinServer 1', 'joinClient 10 0', 'joinClient 11 1', 'put 11 k b', 'put 10 k a', 'get 10 k', 'get 11 k'].join('\n');
const RUNS = 3;

export async function benchExplore(): Promise<BenchRow[]> {
  const commands = analyze(RACE).commands;
  const once = async (reduce: boolean): Promise<{ report: ExploreReport; ms: number }> => {
    const t = performance.now();
    const report = await explore(commands, { seed: 1, gossip: 'async', maxSchedules: 100_000, reduce });
    return { report, ms: performance.now() - t };
  };
  // Warm the JIT with both: a few hundred runs are not enough for the model's code to settle, and
  // whichever is measured first would otherwise pay for it.
  for (let i = 0; i < 2; i++) for (const reduce of [true, false]) await once(reduce);
  const rows: BenchRow[] = [];
  for (const reduce of [true, false]) {
    const runs: { report: ExploreReport; ms: number }[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(reduce));
    const { report, ms } = runs.sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
    const what = reduce ? 'every schedule up to the order of independent deliveries (sleep sets)' : 'every order of every delivery (no reduction)';
    const cut = report.pruned > 0 ? ` (+${report.pruned} runs cut short, not counted)` : '';
    rows.push({
      section: 'explore', name: `two racing writes, async, ${what}, each replayed and checked (median of ${RUNS})`, value: report.schedules / (ms / 1000), unit: 'schedules/s',
      note: `${report.schedules} schedules${cut}: exhausted in ${Math.round(ms)} ms, ${report.outcomes.length} outcomes${report.exhaustive ? '' : ' (NOT exhaustive)'}`,
    });
  }
  return rows;
}
