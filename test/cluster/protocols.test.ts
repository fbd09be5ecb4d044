// Every protocol (protocol/schemes) on real processes and on the model: the samples and the
// hand-written scenarios where protocols differ give the same stdout, final state and record both
// ways, the history checker (with its own order per protocol) finds nothing, and each protocol's
// output is the one its expected file documents (NAME.PROTOCOL.expected where it differs).
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { checkRecord } from '../../check/checker';
import { PROTOCOLS, type GossipMode, type ProtocolName } from '../../protocol/messages';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { discoverTests, protocolExpectedFileOf, runScriptTest } from '../../testing/scriptTests';
import { ROOT, runCli, runFile, samples } from '../helpers';

const SCENARIOS = path.join(ROOT, 'test', 'fixtures', 'protocols');
/** The gossip mode each scenario is about (the others hold for every mode). */
const MODE: Record<string, GossipMode> = { 'stabilize-only.kvcmd': 'off' };
const scenarios = fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.kvcmd')).sort().map((f) => path.join(SCENARIOS, f));

function stable(events: readonly ClusterEvent[]): string[] {
  return events.slice(1).map((e) => JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => !VOLATILE_FIELDS.includes(k)))));
}

for (const protocol of PROTOCOLS.filter((p) => p !== 'lamport')) {
  for (const file of [...samples(), ...scenarios]) {
    const gossip = MODE[path.basename(file)] ?? 'settled';
    test(`${protocol}: real processes and the model agree, and the checker passes: ${path.basename(file)} (${gossip})`, async () => {
      const settings = { seed: 3, gossip, protocol, trace: true };
      const model = await runFile(file, { ...settings, backend: 'model' });
      const real = await runFile(file, { ...settings, backend: 'processes' });
      assert.equal(real.stdout, model.stdout);
      assert.deepEqual(real.snapshot, model.snapshot);
      const a = stable(real.events), b = stable(model.events);
      const first = a.findIndex((e, i) => e !== b[i]);
      assert.equal(first, -1, `the records differ at event ${first + 1}: ${a[first]} vs ${b[first]}`);
      assert.equal(a.length, b.length);
      assert.equal((model.events[0] as { protocol?: string }).protocol, protocol, 'runStarted names the protocol');
      const report = checkRecord(model.events);
      assert.deepEqual(report.violations, [], report.violations.map((v) => v.message).join('\n'));
    });
  }
}

// Each scenario's expected files: NAME.expected for lamport, NAME.PROTOCOL.expected where another differs.
for (const file of scenarios) {
  const gossip = MODE[path.basename(file)] ?? 'settled';
  for (const protocol of PROTOCOLS) {
    test(`${path.basename(file)} under ${protocol} prints what its expected file documents`, async () => {
      const [t] = discoverTests([file]);
      const r = await runScriptTest(t, { protocol, gossip, backend: 'model' });
      assert.deepEqual(r.reasons, [], `${r.reasons.join('; ')}\n${r.actual}`);
      const own = protocolExpectedFileOf(file, protocol);
      assert.equal(r.test.expected, fs.existsSync(own) && protocol !== 'lamport' ? own : t.expected);
    });
  }
}

/** The first line of stdout where two protocols differ, for the scenarios that exist to show one. */
async function outputOf(file: string, protocol: ProtocolName, gossip: GossipMode): Promise<string[]> {
  return (await runFile(file, { seed: 1, gossip, protocol, backend: 'model' })).stdout.trimEnd().split('\n');
}

test('the scenarios show each difference the protocols are for', async () => {
  const at = (name: string) => path.join(SCENARIOS, name);
  // Ties: the higher id under lamport, the lower under lamport-low.
  assert.deepEqual(await outputOf(at('tie.kvcmd'), 'lamport', 'settled'), ['k:from1', 'k:from1']);
  assert.deepEqual(await outputOf(at('tie.kvcmd'), 'lamport-low', 'settled'), ['k:from0', 'k:from0']);
  // A write counter, not a message counter: server 1's second write beats server 0's busy one.
  assert.equal((await outputOf(at('write-counter.kvcmd'), 'lamport', 'settled')).at(-1), 'k:zero');
  assert.equal((await outputOf(at('write-counter.kvcmd'), 'lamport-low', 'settled')).at(-1), 'k:two');
  // Vector clocks: ERR_DEP for an unseen own write behind a greater stamp, an answer once seen.
  assert.deepEqual(await outputOf(at('unseen-write.kvcmd'), 'lamport', 'settled'), ['k:theirs3', 'k:theirs3']);
  assert.deepEqual(await outputOf(at('unseen-write.kvcmd'), 'vector', 'settled'), ['k:ERR_DEP', 'k:theirs3']);
  // Writes that spread only at stabilize: gossip off.
  assert.deepEqual(await outputOf(at('stabilize-only.kvcmd'), 'lamport', 'settled'), ['k:v1', 'k:v1']);
  assert.deepEqual(await outputOf(at('stabilize-only.kvcmd'), 'lamport', 'off'), ['k:ERR_KEY', 'k:v1']);
});

test('a script\'s header directive chooses its protocol, --protocol overrides it, and a bad one is a located error', async () => {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kvcmd-protocol-'));
  try {
    const body = fs.readFileSync(path.join(SCENARIOS, 'tie.kvcmd'), 'utf8');
    const file = path.join(dir, 'tie.kvcmd');
    fs.writeFileSync(file, `# kvcmd: protocol=lamport-low\n${body}`);
    const own = await runCli(['run', file, '--model', '--seed', '1']);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(own.stdout, 'k:from0\nk:from0\n');
    const over = await runCli(['run', file, '--model', '--seed', '1', '--protocol', 'lamport']);
    assert.equal(over.stdout, 'k:from1\nk:from1\n');
    const events = await runCli(['run', file, '--model', '--seed', '1', '--events', '-']);
    assert.equal(JSON.parse(events.stdout.split('\n')[0]).protocol, 'lamport-low');
    fs.writeFileSync(file, `# kvcmd: protocol=vectors\n${body}`);
    const bad = await runCli(['run', file, '--model']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tie\.kvcmd:1:19: error: unknown protocol 'vectors': expected protocol=lamport \| lamport-low \| vector/);
    const flag = await runCli(['run', file, '--model', '--protocol', 'paxos']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--protocol must be one of lamport, lamport-low, vector, not 'paxos'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('kvcmd test --protocol lamport-low passes the samples against their lamport-low expected files', async () => {
  const r = await runCli(['test', 'samples', '--model', '--protocol', 'lamport-low'], undefined, 120_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /passed/);
});
