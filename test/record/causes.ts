import assert from 'node:assert/strict';
import * as fs from 'fs';
import { analyze } from '../../language/analyzer';
import type { Command } from '../../language/commands';
import type { ClusterEvent } from '../../record/events';

/** Which message kinds each command may set off. */
const KINDS: Partial<Record<Command['name'], string[]>> = {
  put: ['put', 'putReply', 'gossip', 'spread', 'gossipAck'],
  get: ['get', 'getReply'],
  stabilize: ['explore', 'exploreReply', 'install', 'installAck'],
};

/** Every message event names the command that set it off, and the order respects happened-before. */
export function checkCauses(file: string, events: ClusterEvent[], complete = true): void {
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
  // Except what a server held for a paused one when it was killed, and the replies it waited for
  // with it (a gossip wave takes its replies once all are in): they die with it.
  const killed = new Set(events.flatMap((e) => (e.type === 'nodeKilled' ? [e.id] : [])));
  const paused = new Set(events.flatMap((e) => (e.type === 'serverPaused' ? [e.server] : [])));
  const unended = [...sent].filter((m) => !delivered.has(m));
  const orphans = unended.filter((m) => events.some((e) => e.type === 'send' && e.msg === m && ((killed.has(e.from) && paused.has(e.to)) || (killed.has(e.to) && e.re !== undefined))));
  if (complete) assert.deepEqual(unended, orphans, 'every message sent was delivered or lost (or died with a killed server)');
}

