import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import {
  commandFor, CONFIG_FILE, DEFAULT_START_TIMEOUT, expandCommand, NodeConfigError, parseNodeCommand, readConfigFile, resolveNodeCommands, splitCommandLine, takesPort,
} from '../../cluster/nodeCommands';

test('a command line is split into words as a shell splits a plain command, without running one', () => {
  assert.deepEqual(splitCommandLine('python3 my_server.py {id} {port}'), ['python3', 'my_server.py', '{id}', '{port}']);
  assert.deepEqual(splitCommandLine("  a  'b c'  \"d \\\" e\"  f\\ g 'h'i \"\" "), ['a', 'b c', 'd " e', 'f g', 'hi', '']);
  // Nothing is expanded: no variables, no globs, no command substitution.
  assert.deepEqual(splitCommandLine('echo $HOME * `id` $(id)'), ['echo', '$HOME', '*', '`id`', '$(id)']);
  assert.throws(() => splitCommandLine('python3 "unclosed'), (e: unknown) => e instanceof NodeConfigError && /unclosed "/.test(e.message));
  assert.deepEqual(splitCommandLine('   '), []);
});

test('IDS=CMD limits a command to some ids; commandFor picks the entry naming the id, else the general one', () => {
  const c = parseNodeCommand(' 1, 3 =python3 s.py {port}', '/w', 'x');
  assert.deepEqual(c.ids, [1, 3]);
  assert.equal(c.text, 'python3 s.py {port}');
  assert.equal(parseNodeCommand('python3 s.py --x=1', '/w', 'x').ids, undefined, 'an = later in the line is no prefix');
  assert.throws(() => parseNodeCommand('2=', '/w', 'the server command'), /has no command/);
  const nodes = resolveNodeCommands([{ server: ['python3 all.py {id}', '1,3=python3 some.py {port}'], cwd: '/w', origin: 'flags' }])!;
  assert.equal(commandFor(nodes, 'server', 1)?.text, 'python3 some.py {port}');
  assert.equal(commandFor(nodes, 'server', 2)?.text, 'python3 all.py {id}');
  assert.equal(commandFor(nodes, 'client', 5), undefined, 'no client command: kvcmd\'s own');
  assert.equal(takesPort(commandFor(nodes, 'server', 3)!), true);
  assert.equal(takesPort(commandFor(nodes, 'server', 2)!), false);
  assert.deepEqual(expandCommand(parseNodeCommand('n --id={id} --role {role} -p{port}', '/', 'x'), { id: 7, role: 'client', port: 4000 }), ['n', '--id=7', '--role', 'client', '-p4000']);
  assert.throws(() => resolveNodeCommands([{ server: ['a', 'b'], cwd: '/', origin: 'flags' }]), /more than one server command for every server/);
});

test('kvcmd.json: read and checked; the flags win over it, role by role; then the settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-json-'));
  assert.equal(readConfigFile(dir), undefined, 'no file: nothing');
  fs.writeFileSync(path.join(dir, CONFIG_FILE), JSON.stringify({ serverCommand: 'python3 s.py {id}', clientCommand: ['python3 c.py'], callTimeout: 500, exact: true }));
  const file = readConfigFile(dir)!;
  assert.equal(file.cwd, dir);
  const both = resolveNodeCommands([{ client: 'node c.js', cwd: '/here', origin: '--client-cmd' }, file, { server: 'ignored', client: 'ignored', cwd: '/ws', origin: 'settings' }])!;
  assert.equal(both.server[0].text, 'python3 s.py {id}');
  assert.equal(both.server[0].cwd, dir, 'commands from the file run in its folder');
  assert.equal(both.client[0].text, 'node c.js');
  assert.equal(both.client[0].cwd, '/here');
  assert.equal(both.callTimeout, 500);
  assert.equal(both.startTimeout, DEFAULT_START_TIMEOUT);
  assert.equal(both.exact, true);
  assert.equal(resolveNodeCommands([undefined, { cwd: '/', origin: 'settings', server: '  ' }]), undefined, 'blank commands: kvcmd\'s own nodes');
  for (const [text, why] of [
    ['{', /not JSON/],
    ['[1]', /expected an object/],
    ['{"servrCommand": "x"}', /unknown key 'servrCommand'/],
    ['{"serverCommand": 3}', /serverCommand must be a command line/],
    ['{"callTimeout": -1}', /callTimeout must be a number of milliseconds/],
    ['{"exact": "yes"}', /exact must be true or false/],
  ] as const) {
    fs.writeFileSync(path.join(dir, CONFIG_FILE), text);
    assert.throws(() => readConfigFile(dir), (e: unknown) => e instanceof NodeConfigError && why.test(e.message) && e.message.includes(CONFIG_FILE), text);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
