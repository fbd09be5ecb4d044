import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { ROOT, runCli, taggedProcesses } from '../helpers';

function scriptFile(name: string, content: string | Buffer): string {
  const file = path.join(os.tmpdir(), `kvcmd-cli-${process.pid}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

// One script per error code, the located error the CLI must print, and nothing may start.
const errorCases: [string, string, string][] = [
  ['unknown-command', 'joinServer 0\nstablize\n', "2:1: error: unknown command 'stablize'; did you mean 'stabilize'?"],
  ['arity', 'joinServer 0\njoinClient 1 0\nput 1 k\n', '3:1: error: put needs 3 arguments'],
  ['bad-id', 'joinServer x1\n', "1:12: error: 'x1' is not a valid id"],
  ['bad-ms', 'sleep soon\n', "1:7: error: 'soon' is not a valid duration"],
  ['unknown-id', 'joinServer 0\nget 4 k\n', '2:5: error: client 4 has not been joined'],
  ['wrong-role', 'joinServer 0\nput 0 k v\n', '2:5: error: 0 is a server, but put needs a client'],
  ['id-kind-conflict', 'joinServer 0\njoinClient 0 0\n', '2:12: error: id 0 already names a server'],
  ['already-alive', 'joinServer 0\njoinServer 0\n', '2:12: error: server 0 is already alive'],
  ['client-link', 'joinServer 0\njoinClient 1 0\njoinClient 2 0\ncreateConnection 1 2\n', '4:18: error: 1 and 2 are both clients'],
  ['self-link', 'joinServer 0\nbreakConnection 0 0\n', '2:17: error: a node cannot be linked to itself'],
  ['key-colon', 'joinServer 0\njoinClient 1 0\nput 1 a:b v\n', "3:8: error: key 'a:b' contains ':'"],
  ['bad-encoding', Buffer.concat([Buffer.from('joinServer 0\njoinClient 1 0\nput 1 k '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]).toString('latin1'), '3:9: error: invalid UTF-8'],
  ['empty-script', '', '1:1: error: the script has no commands'],
];

for (const [code, content, expected] of errorCases) {
  test(`run refuses a script with ${code}: located error, exit 2, nothing started`, async () => {
    const file = scriptFile(`${code}.kvcmd`, Buffer.from(content, code === 'bad-encoding' ? 'latin1' : 'utf8'));
    const tag = `cli-${code}-${process.pid}`;
    const r = await runCli(['run', file], '', 10_000, { KVCMD_TEST_TAG: tag });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${file}:${expected}`), `stderr was:\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /seed|at .*\.js:\d+/, 'nothing ran and no stack trace');
    assert.deepEqual(taggedProcesses(tag), []);
  });
}

test('garbage bytes get located errors and exit 2', async () => {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
  const r = await runCli(['check', scriptFile('garbage.kvcmd', bytes)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /garbage\.kvcmd:\d+:\d+: error: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a 1 MB line gets a located error quickly', async () => {
  const file = scriptFile('long.kvcmd', `joinServer 0\nput 5 k ${'v'.repeat(1 << 20)}\n`);
  const r = await runCli(['run', file], '', 10_000);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.startsWith(`${file}:2:5: error: client 5 has not been joined`), r.stderr.slice(0, 200));
  assert.ok(r.stderr.length < 2000, 'the message does not echo the megabyte');
});

test('a 1 MB value in a valid script is stored and printed whole', async () => {
  const value = 'x'.repeat(1 << 20);
  const file = scriptFile('bigvalue.kvcmd', `joinServer 0\njoinServer 1\njoinClient 2 0\njoinClient 3 1\nput 2 k ${value}\nget 3 k\n`);
  const r = await runCli(['run', file]);
  assert.equal(r.code, 0, r.stderr.slice(0, 300));
  assert.equal(r.stdout, `k:${value}\n`);
});

test('check prints warnings, exits 0 without errors and 2 with them', async () => {
  const ok = await runCli(['check', scriptFile('warn.kvcmd', 'joinServer 0\nkillServer 0\nkillServer 0\n')]);
  assert.equal(ok.code, 0);
  assert.match(ok.stderr, /warn\.kvcmd:3:12: warning: server 0 is dead \(killed on line 2\)/);
  assert.equal(ok.stdout, '');
});

test('run reads the script from stdin with - and with no file, like master < input.txt', async () => {
  const script = fs.readFileSync(path.join(ROOT, 'samples', '01-fully-connected.kvcmd'));
  const expected = fs.readFileSync(path.join(ROOT, 'samples', '01-fully-connected.expected'), 'utf8');
  for (const args of [['run', '-'], ['run']]) {
    const r = await runCli([...args, '--seed', '3'], script);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected);
  }
  const bad = await runCli(['run', '-'], 'joinServer 0\nputt 1 k v\n');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^<stdin>:2:1: error: unknown command 'putt'; did you mean 'put'\?/);
});

test('--interactive runs each line as it arrives and skips a bad one', async () => {
  const r = await runCli(['run', '--interactive', '--seed', '1'], 'joinServer 0\njoinClient 1 0\nput 1 k v\nget 2 k\nget 1 k\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'k:v\n');
  assert.match(r.stderr, /<stdin>:4:5: error: client 2 has not been joined/);
});

test('the seed is printed and replays the run; --model gives the same output', async () => {
  const file = path.join(ROOT, 'samples', '05-multi-linked-client.kvcmd');
  const a = await runCli(['run', file]);
  const seed = /seed (\d+)/.exec(a.stderr)?.[1];
  assert.ok(seed, a.stderr);
  const b = await runCli(['run', file, '--seed', seed, '--model']);
  assert.equal(b.stdout, a.stdout);
});

test('--events - writes the record on stdout instead of the script\'s plain output, and no file named -', async () => {
  const r = await runCli(['run', path.join(ROOT, 'samples', '01-fully-connected.kvcmd'), '--seed', '1', '--model', '--events', '-'], undefined, 30_000);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].type, 'runStarted');
  const expected = fs.readFileSync(path.join(ROOT, 'samples', '01-fully-connected.expected'), 'utf8');
  assert.equal(lines.filter((e) => e.type === 'stdout').map((e) => e.text + '\n').join(''), expected);
  assert.equal(fs.existsSync(path.join(ROOT, '-')), false);
});

test('--events writes JSON lines with stamps and a final snapshot', async () => {
  const events = path.join(os.tmpdir(), `kvcmd-cli-events-${process.pid}.jsonl`);
  const r = await runCli(['run', path.join(ROOT, 'samples', '03-partition.kvcmd'), '--seed', '1', '--events', events]);
  assert.equal(r.code, 0, r.stderr);
  const lines = fs.readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const put = lines.find((e) => e.type === 'put' && e.key === 'color' && e.value === 'orange');
  assert.deepEqual(put.stamp, { counter: 2, server: 3 });
  assert.equal(put.line, 16);
  assert.deepEqual(lines[0], { type: 'runStarted', format: 'kvcmd-record', version: 1, seed: 1, gossip: 'settled', backend: 'processes', protocol: 'lamport', t: lines[0].t });
  assert.ok(lines.some((e) => e.type === 'send' && e.kind === 'gossip' && e.line === 16 && typeof e.counter === 'number'));
  assert.ok(lines.filter((e) => e.type !== 'snapshot').every((e) => typeof e.t === 'number'), 'every event of a real run has a time');
  assert.ok(lines.some((e) => e.type === 'stabilizeGroup' && e.members.join() === '0,1'));
  // Joins announce their implicit links, so the events alone tell the topology.
  assert.deepEqual(lines.filter((e) => e.type === 'linkCreated' && e.line === 4).map((e) => `${e.a}-${e.b}`), ['2-0', '2-1']);
  assert.deepEqual(lines.filter((e) => e.type === 'linkCreated' && e.line === 6).map((e) => `${e.a}-${e.b}`), ['10-0']);
  const snap = lines[lines.length - 1];
  assert.equal(snap.type, 'snapshot');
  assert.equal(snap.nodes.filter((n: { role: string }) => n.role === 'server').length, 4);
});

test('usage errors are one line and exit 2', async () => {
  for (const [args, pattern] of [
    [['run', 'x.kvcmd', '--gossip', 'fast'], /--gossip must be one of settled, async, off/],
    [['run', 'x.kvcmd', '--seed', '-4'], /--seed must be an integer/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', '/nonexistent/file.kvcmd'], /cannot read '\/nonexistent\/file\.kvcmd': no such file/],
  ] as [string[], RegExp][]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('--help lists every command of the catalogue', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection', 'stabilize', 'printStore', 'put', 'get', 'sleep']) {
    assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'));
  }
});

test('a line done ends the script (and an interactive session): later commands do not run, one after-done warning', async () => {
  const file = scriptFile('done.kvcmd', 'joinServer 0\njoinClient 1 0\nput 1 k v\nget 1 k\ndone\nget 1 k\nkillServer 0\n');
  const r = await runCli(['run', file, '--model', '--seed', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'k:v\n');
  assert.ok(r.stderr.includes(`${file}:6:1: warning: the script ends at 'done' on line 5; this line and the 1 command line after it do not run`), r.stderr);
  const i = await runCli(['run', '--interactive', '--model', '--seed', '1'], 'joinServer 0\njoinClient 1 0\nput 1 k v\ndone\nget 1 k\n');
  assert.equal(i.code, 0, i.stderr);
  assert.equal(i.stdout, '');
});

test('killServer of an id that never joined is a warning and the run skips it', async () => {
  const file = scriptFile('kill-unknown.kvcmd', 'joinServer 0\nkillServer 9\njoinClient 1 0\nput 1 k v\nget 1 k\n');
  for (const backend of [['--model'], []]) {
    const r = await runCli(['run', file, '--seed', '1', ...backend]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'k:v\n');
    assert.ok(r.stderr.includes(`${file}:2:12: warning: no server 9 has been joined before this line; killing it does nothing`), r.stderr);
  }
});

test('one bad joinClient gives one error, not one per later line using the client', async () => {
  const file = scriptFile('bad-join.kvcmd', 'joinServer 0\njoinClient 5 9\nput 5 k v\nget 5 k\nget 5 j\n');
  const r = await runCli(['check', file]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `${file}:2:14: error: no server or client 9 has been joined before this line\n`);
});

// Exit statuses (docs/cli.md): 0 clean, 1 the run broke, 2 refused, 3 ran to the end with failed operations, 130 cancelled.
test('a run whose put or get fails runs to the end and exits 3, with a summary on stderr', async () => {
  const file = scriptFile('failed-ops.kvcmd', 'joinServer 0\njoinClient 1 0\nput 1 k v\nbreakConnection 1 0\nget 1 k\nput 1 k w\nprintStore 0\n');
  for (const backend of [['--model'], []]) {
    const r = await runCli(['run', file, '--seed', '1', ...backend]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'k:v\n', 'the run went on to the end');
    assert.ok(r.stderr.includes(`${file}:5: error: get by client 1 of k failed`), r.stderr);
    assert.match(r.stderr, /kvcmd: 2 put\/get operations failed \(exit 3\)/);
  }
  // --check on a clean history keeps the run's status; a clean run with --check is 0.
  const checked = await runCli(['run', file, '--seed', '1', '--model', '--check']);
  assert.equal(checked.code, 3, checked.stderr);
  const clean = await runCli(['run', path.join(ROOT, 'samples', '01-fully-connected.kvcmd'), '--seed', '1', '--model', '--check']);
  assert.equal(clean.code, 0, clean.stderr);
  // Interactive mode reports the same way at end of input.
  const i = await runCli(['run', '--interactive', '--model', '--seed', '1'], 'joinServer 0\njoinClient 1 0\nbreakConnection 1 0\nget 1 k\n');
  assert.equal(i.code, 3, i.stderr);
});

test('SIGTERM cancels a run: exit 130', async () => {
  const file = scriptFile('cancel.kvcmd', 'joinServer 0\nsleep 600000\n');
  const { spawn } = await import('child_process');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'kvcmd.js'), 'run', file, '--seed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit after SIGTERM: ${stderr}`)); }, 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/seed 1/.test(stderr)) setTimeout(() => child.kill('SIGTERM'), 300);
    });
    child.on('close', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 130, stderr);
});

test('the help and docs/cli.md give the same exit status table', async () => {
  const r = await runCli(['--help']);
  const cli = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
  for (const status of ['0', '1', '2', '3', '130']) {
    assert.match(r.stdout, new RegExp(`^  ${status} +\\S`, 'm'), `help: ${status}`);
    assert.match(cli, new RegExp(`^\\| ${status} \\|`, 'm'), `docs: ${status}`);
  }
  assert.match(r.stdout, /kvcmd check \[FILE\|-\]/);
  assert.match(r.stdout, /--interactive\n\s+reads stdin line by line/);
});

test('check without FILE reads a piped stdin (as check -)', async () => {
  for (const args of [['check'], ['check', '-']]) {
    const ok = await runCli(args, 'joinServer 0\nkillServer 0\nkillServer 0\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^<stdin>:3:12: warning: server 0 is dead/);
    const bad = await runCli(args, 'joinServer 0\nputt\n');
    assert.equal(bad.code, 2);
  }
});

test('interactive mode acknowledges on stderr each command that printed nothing', async () => {
  const r = await runCli(['run', '--interactive', '--model', '--seed', '1'],
    'joinServer 0\njoinClient 5 0\nput 5 k v\nget 5 k\nprintStore 0\nkillServer 3\nstabilize\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'k:v\nk:v\n');
  const acks = r.stderr.split('\n').filter((l) => l.startsWith('ok: '));
  assert.deepEqual(acks, ['ok: server 0 joined', 'ok: client 5 joined, linked to server 0', 'ok: put k=v applied by server 0, stamp (2,0)',
    'ok: nothing to do (see the warning)', 'ok: stabilized']);
  assert.doesNotMatch(r.stderr, /kvcmd> /, 'no prompt when stdin is not a terminal');
});

test('interactive mode on real processes acknowledges each put with its own stamp, as the model does', async () => {
  const input = 'joinServer 0\njoinServer 1\njoinClient 5 0\njoinClient 6 1\nput 5 a 1\nput 6 b 2\nput 5 c 3\nput 6 a 4\n';
  const acks = async (backend: string[]): Promise<string[]> => {
    const r = await runCli(['run', '--interactive', '--seed', '1', '--gossip', 'off', ...backend], input);
    assert.equal(r.code, 0, r.stderr);
    return r.stderr.split('\n').filter((l) => l.startsWith('ok: put'));
  };
  const model = await acks(['--model']);
  assert.equal(model.length, 4);
  assert.deepEqual(await acks([]), model);
});

/** Runs kvcmd with a pseudo-terminal as stdin, stdout and stderr (python3's pty), typing `input`, then Ctrl-D. */
function runInTerminal(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  const driver = [
    'import os, pty, sys, time, select',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execv(sys.argv[1], sys.argv[1:])',
    'out = b""',
    'def pump(seconds):',
    '    global out',
    '    end = time.time() + seconds',
    '    while time.time() < end:',
    '        r, _, _ = select.select([fd], [], [], 0.05)',
    '        if r:',
    '            try:',
    '                data = os.read(fd, 65536)',
    '            except OSError:',
    '                return False',
    '            if not data:',
    '                return False',
    '            out += data',
    '    return True',
    'pump(1.5)',
    'for line in sys.stdin.read().splitlines():',
    '    os.write(fd, (line + "\\n").encode())',
    '    pump(0.5)',
    'os.write(fd, b"\\x04")',
    'pump(10)',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.write(out.decode("utf-8", "replace"))',
    'sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)',
  ].join('\n');
  return new Promise((resolve, reject) => {
    void import('child_process').then(({ spawn }) => {
      const child = spawn('python3', ['-c', driver, process.execPath, path.join(ROOT, 'bin', 'kvcmd.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit: ${output}`)); }, 40_000);
      child.on('error', reject);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
      child.stdin.end(input);
    });
  });
}

const hasPython = (() => {
  try {
    return require('child_process').spawnSync('python3', ['-c', 'import pty'], { timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
})();

test('at a terminal: run shows the prompt kvcmd> on stderr; check without FILE is a usage error', { skip: !hasPython && 'needs python3 for a pseudo-terminal' }, async () => {
  const r = await runInTerminal(['run', '--model', '--seed', '1'], 'joinServer 0\njoinClient 5 0\nget 5 k');
  assert.equal(r.code, 0, r.output);
  assert.ok(r.output.includes('kvcmd> '), r.output);
  assert.ok(r.output.includes('ok: server 0 joined'), r.output);
  assert.ok(r.output.includes('k:ERR_KEY'), r.output);
  assert.ok(r.output.split('kvcmd> ').length >= 4, `a prompt before each line: ${r.output}`);
  const c = await runInTerminal(['check'], '');
  assert.equal(c.code, 2, c.output);
  assert.match(c.output, /check needs a FILE, or - to read the script from stdin/);
});

test('the output files cannot be the script: --events, --diagram, --shiviz naming it are usage errors', async () => {
  const file = scriptFile('self.kvcmd', 'joinServer 0\n');
  const rel = path.relative(ROOT, file);
  for (const args of [['--events', file], ['--diagram', rel], [`--shiviz=${path.join(path.dirname(file), '.', path.basename(file))}`], ['--events', path.join(os.tmpdir(), 'x.jsonl'), '--diagram', path.join(os.tmpdir(), 'x.jsonl')]]) {
    const r = await runCli(['run', file, '--model', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /is the script itself: the run would overwrite it|name the same file/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'joinServer 0\n', 'the script is untouched');
  }
});

test('an unwritable output path says cannot write; devices and endless input are refused, stdin pipes work', async () => {
  const file = scriptFile('out.kvcmd', 'joinServer 0\n');
  const w = await runCli(['run', file, '--model', '--events', '/nonexistent-dir/x.jsonl']);
  assert.equal(w.code, 2);
  assert.equal(w.stderr, "kvcmd: cannot write '/nonexistent-dir/x.jsonl': no such directory\n");
  const d = await runCli(['run', file, '--model', '--diagram', os.tmpdir()]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /cannot write '.*': is a directory/);
  const dev = await runCli(['check', '/dev/zero'], '', 10_000);
  assert.equal(dev.code, 2);
  assert.equal(dev.stderr, "kvcmd: cannot read '/dev/zero': is a device, not a file\n");
  // stdin that never ends stops at the size limit.
  const { spawn } = await import('child_process');
  const zero = fs.openSync('/dev/zero', 'r');
  try {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'kvcmd.js'), 'check', '-'], { stdio: [zero, 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('check - < /dev/zero did not stop')); }, 20_000);
      child.on('close', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 2);
    assert.equal(stderr, "kvcmd: cannot read '<stdin>': larger than 64 MB, the limit for a script\n");
  } finally {
    fs.closeSync(zero);
  }
});
