import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GossipMode } from '../../protocol/messages';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { randomScript, rng } from '../check/generate';
import type { ProcessHostOptions } from '../../cluster/processHost';
import { InProcessRun, runText } from '../helpers';

// Differential test: random valid scripts (joins, kills, rejoined ids, cuts and restores, clients on
// several servers, puts, gets, printStore, stabilize; odd keys and values, ids up to 2147483647) run
// on real processes and on the model must give the same stdout, the same final snapshot (stores
// with stamps, counters, links, dependencies) and the same record of events apart from pids, ports
// and times; run again unrecorded (where the master goes on at the servers' word), the same stdout
// and final snapshot. 10 scripts per mode by default (about 60 s on two busy cores); a campaign
// sets KVCMD_DIFF_SCRIPTS (and KVCMD_DIFF_SEED, the first seed: a failure names its seed and the
// command that replays it alone). Then scripts with the network's faults, KVCMD_DIFF_FAULTY per mode
// (default 6), with every node's reports reaching the master late.
const COUNT = Number(process.env.KVCMD_DIFF_SCRIPTS ?? 10);
/** Scripts with faults per mode, run with each node's reports reaching the master late (ProcessHostOptions.lateReports). */
const FAULTY = Number(process.env.KVCMD_DIFF_FAULTY ?? 6);
const FIRST = Number(process.env.KVCMD_DIFF_SEED ?? 1);
const FILE = 'out/test/cluster/differential.test.js';

/** Server ids 0.. and client ids as some scripts spell them: far apart, up to the largest i4. */
const SPREAD_SERVERS = [2147483647, 0, 65536, 7, 1_000_000, 3];
const SPREAD_CLIENTS = [2147483646, 8, 40_000, 12, 99];

/** The script of a seed: its size and flavour are drawn from the seed too. */
function scriptFor(seed: number): string {
  const r = rng(seed ^ 0x5eed);
  const spread = r() < 0.35;
  return randomScript(seed, {
    commands: 25 + Math.floor(r() * 26),
    maxServer: 2 + Math.floor(r() * 4),
    clients: 2 + Math.floor(r() * 3),
    keys: 2 + Math.floor(r() * 3),
    rejoin: r() < 0.75,
    oddTokens: r() < 0.5,
    relink: 0.85,
    ...(spread ? { serverIds: SPREAD_SERVERS, clientIds: SPREAD_CLIENTS } : {}),
  });
}

/**
 * A script with the network's faults among its commands (drop, delay, duplicate, heal, pauseServer,
 * resumeServer): seeds of its own, so that the scripts without faults stay what they were.
 */
function faultyScriptFor(seed: number): string {
  const r = rng(seed ^ 0xfa17);
  return randomScript(seed, {
    commands: 25 + Math.floor(r() * 26),
    maxServer: 2 + Math.floor(r() * 3),
    clients: 2 + Math.floor(r() * 3),
    keys: 2,
    rejoin: r() < 0.6,
    relink: 0.85,
    faults: 0.25,
  });
}

/** An event with its pid, port and time fields set aside: what must be equal between backends. */
function stable(e: ClusterEvent): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!VOLATILE_FIELDS.includes(k)) out[k] = v;
  return JSON.stringify(out);
}

function compare(seed: number, gossip: GossipMode, text: string, model: InProcessRun, real: InProcessRun): void {
  const where = `seed ${seed}, gossip ${gossip}; replay alone: KVCMD_DIFF_SEED=${seed} KVCMD_DIFF_SCRIPTS=1 node --test ${FILE}\nscript (JSON): ${JSON.stringify(text)}`;
  assert.equal(real.stdout, model.stdout, `stdout differs (${where})`);
  assert.deepEqual(real.snapshot, model.snapshot, `final snapshot differs (${where})`);
  // Everything after runStarted, which names the backend.
  const expected = model.events.slice(1).map(stable);
  const got = real.events.slice(1).map(stable);
  const first = got.findIndex((e, i) => e !== expected[i]);
  assert.equal(first, -1, `the record differs at event ${first + 1}:\n real:  ${got[first]}\n model: ${expected[first]}\n(${where})`);
  assert.equal(got.length, expected.length, `the real record has ${got.length} events, the model's ${expected.length} (${where})`);
}

/** What the scripts exercised, summed over a batch (printed, and checked so that the generator keeps its reach). */
function tally(runs: InProcessRun[]): Record<string, number> {
  const count = (f: (e: ClusterEvent) => boolean): number => runs.reduce((n, r) => n + r.events.filter(f).length, 0);
  return {
    commands: runs.reduce((n, r) => n + Math.max(0, ...r.events.map((e) => ('step' in e ? e.step : 0))), 0),
    kills: count((e) => e.type === 'nodeKilled'),
    rejoins: runs.reduce((n, r) => {
      const seen = new Set<number>();
      let again = 0;
      for (const e of r.events) {
        if (e.type !== 'nodeStarted') continue;
        if (seen.has(e.id)) again++;
        seen.add(e.id);
      }
      return n + again;
    }, 0),
    cuts: count((e) => e.type === 'linkCut'),
    puts: count((e) => e.type === 'put'),
    values: count((e) => e.type === 'get' && e.result.kind === 'value'),
    errKey: count((e) => e.type === 'get' && e.result.kind === 'ERR_KEY'),
    errDep: count((e) => e.type === 'get' && e.result.kind === 'ERR_DEP'),
    failed: count((e) => e.type === 'failed'),
    stabilizes: count((e) => e.type === 'stabilizeDone'),
    gossip: count((e) => e.type === 'applied' && e.via === 'gossip'),
    lost: count((e) => e.type === 'lost'),
  };
}

/**
 * One script on the model and on real processes (`process`: their host's options), recorded: the
 * same stdout, final snapshot and record; then unrecorded, the same stdout and final snapshot.
 * Returns the recorded real run.
 */
async function agree(seed: number, gossip: GossipMode, text: string, what: string, process?: ProcessHostOptions): Promise<InProcessRun> {
  const settings = { seed, gossip, trace: true };
  const model = await runText(text, { ...settings, backend: 'model' }, `seed ${seed} (model)`);
  let real: InProcessRun;
  try {
    real = await runText(text, { ...settings, backend: 'processes', ...(process ? { process } : {}) }, `seed ${seed} (processes)`);
  } catch (err) {
    assert.fail(`${(err as Error).message}\nseed ${seed}, gossip ${gossip}${what}; script (JSON): ${JSON.stringify(text)}`);
  }
  compare(seed, gossip, text, model, real);
  // Unrecorded, the master goes on at the servers' word (docs/protocol.md, "Processes"), or (with
  // faults) the nodes report all the same (cluster/runner.ts): the same stdout and final state.
  const quick = await runText(text, { seed, gossip, backend: 'processes' }, `seed ${seed} (processes, unrecorded)`);
  const where = `unrecorded; seed ${seed}, gossip ${gossip}${what}; script (JSON): ${JSON.stringify(text)}`;
  assert.equal(quick.stdout, model.stdout, `stdout differs (${where})`);
  assert.deepEqual(quick.snapshot, model.snapshot, `final snapshot differs (${where})`);
  return real;
}

for (const gossip of ['settled', 'off'] as const) {
  test(`model and real processes agree on ${COUNT} random scripts (gossip ${gossip}, seeds ${FIRST}..${FIRST + COUNT - 1})`, { timeout: 120_000 + COUNT * 10_000 }, async (t) => {
    const runs: InProcessRun[] = [];
    for (let seed = FIRST; seed < FIRST + COUNT; seed++) runs.push(await agree(seed, gossip, scriptFor(seed), ''));
    const sums = tally(runs);
    t.diagnostic(JSON.stringify(sums));
    if (COUNT >= 10) {
      for (const what of ['kills', 'rejoins', 'cuts', 'puts', 'values', 'errKey', 'stabilizes'] as const) assert.ok(sums[what] > 0, `no ${what} in ${COUNT} scripts: ${JSON.stringify(sums)}`);
      if (gossip === 'settled') assert.ok(sums.gossip > 0, 'no gossip');
    }
  });
}

// With faults: messages delayed, lost, doubled, held for a paused server. Every node's reports
// reach the master late by a seeded delay, so that the record's order cannot lean on which
// process's report came first.
for (const gossip of ['settled', 'off'] as const) {
  test(`model and real processes agree on ${FAULTY} random scripts with faults, reports coming late (gossip ${gossip}, seeds ${FIRST}..${FIRST + FAULTY - 1})`, { timeout: 120_000 + FAULTY * 15_000 }, async (t) => {
    const runs: InProcessRun[] = [];
    for (let seed = FIRST; seed < FIRST + FAULTY; seed++) runs.push(await agree(seed, gossip, faultyScriptFor(seed), ', faults', { lateReports: { seed, maxMs: 10 } }));
    const faults = runs.reduce((n, r) => n + r.events.filter((e) => e.type === 'fault' || e.type === 'serverPaused').length, 0);
    t.diagnostic(JSON.stringify({ faults, ...tally(runs) }));
    if (FAULTY >= 5) assert.ok(faults > 0, 'no fault in the scripts');
  });
}
