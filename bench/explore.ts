import { explore } from '../explore/explore';
import { analyze } from '../language/analyzer';
import { BenchRow } from './row';

// Exploring every schedule of a small script in async mode: two racing writes of one key, then a
// read on each server (the hand-worked case of test/explore/: 4,725 schedules, three outcomes).
const RACE = ['joinServer 0', 'joinServer 1', 'joinClient 10 0', 'joinClient 11 1', 'put 11 k b', 'put 10 k a', 'get 10 k', 'get 11 k'].join('\n');

export async function benchExplore(): Promise<BenchRow[]> {
  const commands = analyze(RACE).commands;
  const t = performance.now();
  const report = await explore(commands, { seed: 1, gossip: 'async', maxSchedules: 100_000 });
  const ms = performance.now() - t;
  return [{
    section: 'explore', name: 'two racing writes, async, every schedule (each replayed and checked)', value: report.schedules / (ms / 1000), unit: 'schedules/s',
    note: `${report.schedules} schedules in ${Math.round(ms)} ms, ${report.outcomes.length} outcomes${report.exhaustive ? ', exhaustive' : ''}`,
  }];
}
