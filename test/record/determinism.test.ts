import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { analyze } from '../../language/analyzer';
import type { Command } from '../../language/commands';
import { ClusterEvent, VOLATILE_FIELDS } from '../../record/events';
import { clusterFixtures, runFile, samples } from '../helpers';

/** An event with its pid, port and time fields set aside: what must be equal between runs. */
function stable(e: ClusterEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!VOLATILE_FIELDS.includes(k)) out[k] = v;
  return out;
}

/** Which message kinds each command may set off. */
const KINDS: Partial<Record<Command['name'], string[]>> = {
  put: ['put', 'putReply', 'gossip', 'spread', 'gossipAck'],
  get: ['get', 'getReply'],
  stabilize: ['explore', 'exploreReply', 'install', 'installAck'],
};

/** Every message event names the command that set it off, and the order respects happened-before. */
function checkCauses(file: string, events: ClusterEvent[]): void {
  const commands = analyze(fs.readFileSync(file, 'utf8')).commands;
  const sent = new Set<string>();
  const delivered = new Set<string>();
  let messages = 0;
  for (const e of events) {
    if (e.type !== 'send' && e.type !== 'deliver' && e.type !== 'lost' && e.type !== 'applied') continue;
    const cmd = commands[e.step - 1];
    assert.ok(cmd, `${e.type} at step ${e.step} names no command`);
    assert.equal(e.line, cmd.line, `${e.type} ${JSON.stringify(e)} is tagged line ${e.line}, its command is on line ${cmd.line}`);
    if (e.type === 'applied') continue;
    messages++;
    assert.ok(KINDS[cmd.name]?.includes(e.kind), `a ${e.kind} message caused by ${cmd.name} on line ${cmd.line}`);
    if (e.type === 'send') {
      if (e.re) assert.ok(delivered.has(e.re), `reply ${e.msg} sent before its request ${e.re} was delivered`);
      sent.add(e.msg);
    } else {
      assert.ok(sent.has(e.msg), `${e.type} of ${e.msg} before its send`);
      delivered.add(e.msg);
    }
  }
  assert.ok(messages > 0, 'the record holds messages');
  assert.equal(delivered.size, sent.size, 'every message sent was delivered or lost');
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
