import assert from 'node:assert/strict';
import * as path from 'path';
import { test } from 'node:test';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { clusterFixtures, runFile, samples } from '../helpers';
import { checkCauses } from './causes';

/** An event with its pid, port and time fields set aside: what must be equal between runs. */
function stable(e: ClusterEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!VOLATILE_FIELDS.includes(k)) out[k] = v;
  return out;
}

// The record of a run is exact: three real runs and a model run with one seed give the same events,
// in the same order, once pids, ports and times are set aside.
for (const file of [...samples(), ...clusterFixtures()]) {
  for (const gossip of ['settled', 'off'] as const) {
    test(`the record is the same in three real runs and the model: ${path.basename(file)} (${gossip})`, async () => {
      const settings = { seed: 7, gossip, trace: true };
      const model = await runFile(file, { ...settings, backend: 'model' });
      checkCauses(file, model.events);
      // Everything after runStarted, which names the backend.
      const expected = model.events.slice(1).map(stable);
      for (let i = 0; i < 3; i++) {
        const real = await runFile(file, { ...settings, backend: 'processes' });
        assert.ok(real.events.filter((e) => e.type !== 'runStarted').every((e) => 't' in e && typeof e.t === 'number'), 'real events have times');
        const got = real.events.slice(1).map(stable);
        const first = got.findIndex((e, j) => JSON.stringify(e) !== JSON.stringify(expected[j]));
        assert.equal(first, -1, `real run ${i + 1} differs from the model at event ${first}: ${JSON.stringify(got[first])} vs ${JSON.stringify(expected[first])}`);
        assert.equal(got.length, expected.length);
      }
    });
  }
}

// The same when the nodes' reports reach the master late and in another interleaving than the
// nodes sent them (as on a machine busy with other work), a different one for each seed.
for (const file of [...samples(), ...clusterFixtures()]) {
  for (const gossip of ['settled', 'off'] as const) {
    test(`the record is the same when reports come late: ${path.basename(file)} (${gossip})`, async () => {
      const settings = { seed: 7, gossip, trace: true };
      const expected = (await runFile(file, { ...settings, backend: 'model' })).events.slice(1).map(stable);
      for (const seed of [1, 2]) {
        const real = await runFile(file, { ...settings, backend: 'processes', process: { lateReports: { seed, maxMs: 15 } } });
        const got = real.events.slice(1).map(stable);
        const first = got.findIndex((e, j) => JSON.stringify(e) !== JSON.stringify(expected[j]));
        assert.equal(first, -1, `late reports (seed ${seed}) differ from the model at event ${first}: ${JSON.stringify(got[first])} vs ${JSON.stringify(expected[first])}`);
        assert.equal(got.length, expected.length);
      }
    });
  }
}
