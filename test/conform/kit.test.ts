import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { COMMANDS } from '../../language/catalogue';
import { analyze } from '../../language/analyzer';
import { kitScripts } from '../../conform/kit';
import { FAULT_COMMANDS } from '../../language/commands';
import { PROBES } from '../../conform/probes';
import { ROOT, runCli } from '../helpers';

test('the kit\'s scripts: valid, each with its title, mode and expected output; together they use every command', () => {
  const scripts = kitScripts(path.join(ROOT, 'conform', 'scripts'));
  assert.ok(scripts.length >= 10);
  const used = new Set<string>();
  for (const s of scripts) {
    const analysis = analyze(fs.readFileSync(s.file, 'utf8'));
    assert.equal(analysis.hasErrors, false, s.name);
    for (const c of analysis.commands) used.add(c.name);
    assert.ok(s.title.length > 20, `${s.name} says what it exercises`);
    if (s.gossip === 'async') assert.equal(s.expected, undefined);
    else assert.ok(s.expected && fs.existsSync(s.expected), `${s.name} has ${s.expected}`);
  }
  assert.deepEqual(new Set(scripts.map((s) => s.gossip)), new Set(['settled', 'off', 'async']));
  // The network's faults are kvcmd's own nodes' business: a run with foreign nodes refuses them.
  assert.deepEqual(COMMANDS.map((c) => c.name).filter((n) => !used.has(n) && !(FAULT_COMMANDS as readonly string[]).includes(n)), [], 'commands no kit script uses');
  assert.deepEqual(FAULT_COMMANDS.filter((n) => !COMMANDS.some((c) => c.name === n)), [], 'every fault command is a command of the catalogue');
  assert.deepEqual(PROBES.map((p) => p.rule), ['start', 'secret', 'refused', 'shutdown']);
});

test('kvcmd conform without commands checks kvcmd\'s own node as a program: the reference passes the whole kit', { timeout: 300_000 }, async () => {
  const r = await runCli(['conform'], undefined, 280_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /servers: kvcmd's own; clients: kvcmd's own/);
  const checks = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
  assert.equal(checks.length, PROBES.length + kitScripts(path.join(ROOT, 'conform', 'scripts')).length, r.stdout);
  assert.ok(checks.every((l) => l.startsWith('PASS')), r.stdout);
});

test('kvcmd conform: usage mistakes', async () => {
  const none = await runCli(['conform', '--only', 'no-such-check']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--only no-such-check matches no probe and no script of the kit/);
  const extra = await runCli(['conform', 'samples']);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /unexpected argument 'samples': conform runs its own scripts/);
  const model = await runCli(['run', 'samples/01-fully-connected.kvcmd', '--model', '--server-cmd', 'python3 x.py']);
  assert.equal(model.code, 2);
  assert.match(model.stderr, /--server-cmd and --client-cmd start real processes: they cannot go with --model/);
  const faults = await runCli(['run', 'samples/06-faults.kvcmd', '--server-cmd', 'python3 x.py']);
  assert.equal(faults.code, 2, faults.stderr);
  assert.match(faults.stderr, /^samples\/06-faults\.kvcmd:\d+: error: (delay|drop|duplicate|heal|pauseServer|resumeServer) changes the network inside kvcmd's own node processes: it cannot run with nodes you bring/m);
  const quote = await runCli(['run', 'samples/01-fully-connected.kvcmd', '--server-cmd', 'python3 "x.py']);
  assert.equal(quote.code, 2);
  assert.match(quote.stderr, /has an unclosed "/);
});
