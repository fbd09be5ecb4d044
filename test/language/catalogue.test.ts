import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, findCommand, requiredArgs, usage } from '../../language/catalogue';
import { parse } from '../../language/parser';
import { checkSyntax } from '../../language/syntax';

test('the catalogue lists the ten commands of the spec, then the faults of the network, once each', () => {
  assert.deepEqual(COMMANDS.map((c) => c.name), [
    'joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection',
    'stabilize', 'printStore', 'put', 'get', 'sleep',
    'delay', 'drop', 'duplicate', 'heal', 'pauseServer', 'resumeServer',
  ]);
});

test('argument counts and roles match the spec', () => {
  const shape = Object.fromEntries(COMMANDS.map((c) => [c.name, c.args.map((a) => a.role).join(',')]));
  assert.deepEqual(shape, {
    joinServer: 'newServer', killServer: 'server', joinClient: 'newClient,server',
    breakConnection: 'peer,peer', createConnection: 'peer,peer', stabilize: '',
    printStore: 'server', put: 'client,key,value', get: 'client,key', sleep: 'ms',
    delay: 'node,node,ms,ms', drop: 'node,node,probability', duplicate: 'node,node,probability', heal: 'node,node',
    pauseServer: 'server', resumeServer: 'server',
  });
  // Only delay's longest delay may be left out.
  assert.deepEqual(COMMANDS.filter((c) => requiredArgs(c) !== c.args.length).map((c) => [c.name, requiredArgs(c)]), [['delay', 3]]);
});

test('the commands that change the topology are the joins, the kill and the two connection commands', () => {
  assert.deepEqual(COMMANDS.filter((c) => c.changesTopology).map((c) => c.name),
    ['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection']);
});

test('findCommand is exact and case-sensitive', () => {
  assert.equal(findCommand('put')?.name, 'put');
  assert.equal(findCommand('Put'), undefined);
  assert.equal(findCommand('stablize'), undefined);
  assert.equal(findCommand('toString'), undefined, 'must not see Object.prototype members');
});

test('every command has docs, a snippet with one numbered placeholder per required argument, and an example that is well-formed', () => {
  for (const c of COMMANDS) {
    assert.ok(c.summary.length > 10 && c.doc.length > 40, c.name);
    assert.ok(c.snippet.startsWith(c.name), c.name);
    const placeholders = [...c.snippet.matchAll(/\$\{(\d+):[^}]+\}/g)].map((m) => Number(m[1]));
    assert.deepEqual(placeholders, c.args.slice(0, requiredArgs(c)).map((_, i) => i + 1), c.name);
    for (const a of c.args) assert.ok(a.doc.length > 5, `${c.name} ${a.name}`);
    const line = parse(c.example).lines[0];
    assert.equal(line.command?.text, c.name);
    assert.deepEqual(checkSyntax(line).diagnostics, [], c.example);
  }
});

test('usage names the arguments', () => {
  assert.equal(usage(findCommand('put')!), 'put <client> <key> <value>');
  assert.equal(usage(findCommand('stabilize')!), 'stabilize');
  assert.equal(usage(findCommand('delay')!), 'delay <from> <to> <ms> [<maxms>]');
});
