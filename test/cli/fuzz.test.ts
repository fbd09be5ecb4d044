// A seeded fuzz of the real binary: random bytes and random command lines through `kvcmd check -`
// and `kvcmd run - --model`. Bounded by a count of inputs, never by time: each call has its own
// timeout, and a call that does not finish in it fails the test (a hang is a bug).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers';

const INPUTS = 240;
const PARALLEL = 6;
const CALL_TIMEOUT_MS = 30_000;

/** A small deterministic generator (xorshift32), so a failure replays from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

const COMMANDS = ['joinServer', 'killServer', 'joinClient', 'breakConnection', 'createConnection', 'stabilize', 'printStore',
  'put', 'get', 'sleep', 'done', 'stablize', 'Put', '#', '#x', ''];
const WORDS = ['0', '1', '2', '5', '7', '01', '-1', '2147483647', '2147483648', 'k', 'v', 'a:b', '#a9f', '#', 'a#b', 'ERR_KEY',
  '😀', '\u0000', 'x'.repeat(300), '10', '600001', '\t', '  '];

function pick<T>(random: () => number, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)];
}

function randomInput(random: () => number): Buffer {
  const kind = random();
  if (kind < 0.25) {
    // Raw bytes: invalid UTF-8, NULs, lone CRs, a BOM now and then.
    const bytes = Buffer.alloc(Math.floor(random() * 400));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return random() < 0.2 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
  }
  if (kind < 0.6) return Buffer.from(plausibleScript(random), 'utf8');
  // Lines that look like a script: mostly a sensible prefix, then noise.
  const lines: string[] = [];
  if (random() < 0.7) lines.push('joinServer 0', 'joinServer 1', 'joinClient 5 0');
  const n = Math.floor(random() * 25);
  for (let i = 0; i < n; i++) {
    const args = Array.from({ length: Math.floor(random() * 4) }, () => pick(random, WORDS));
    lines.push([pick(random, COMMANDS), ...args].join(random() < 0.1 ? '\t' : ' '));
  }
  const eol = random() < 0.2 ? '\r\n' : '\n';
  return Buffer.from(lines.join(eol) + (random() < 0.5 ? eol : ''), 'utf8');
}

/** Mostly well-formed scripts over a few ids, so that runs happen: clean ones, and ones whose put or get fails. */
function plausibleScript(random: () => number): string {
  const servers = ['0', '1', '2'];
  const clients = ['5', '6'];
  const lines = ['joinServer 0', 'joinServer 1', 'joinClient 5 0', 'joinClient 6 1'];
  const n = 3 + Math.floor(random() * 15);
  for (let i = 0; i < n; i++) {
    const s = pick(random, servers);
    const c = pick(random, clients);
    const key = pick(random, ['k', 'j', '#h']);
    switch (Math.floor(random() * 11)) {
      case 0: lines.push(`put ${c} ${key} ${pick(random, ['v', '#a9f', 'a#b', 'x:y'])}`); break;
      case 1: lines.push(`get ${c} ${key}`); break;
      case 2: lines.push(`breakConnection ${c} ${s}`); break;
      case 3: lines.push(`createConnection ${c} ${s}`); break;
      case 4: lines.push(`killServer ${s}`); break;
      case 5: lines.push(`joinServer ${s}`); break;
      case 6: lines.push('stabilize # settle'); break;
      case 7: lines.push(`printStore ${s}`); break;
      case 8: lines.push(`breakConnection ${s} ${pick(random, servers)}`); break;
      case 9: lines.push(random() < 0.5 ? '# a comment' : 'done'); break;
      default: lines.push(`put ${c} ${key} v${i}`); break;
    }
  }
  return lines.join('\n') + '\n';
}

test(`fuzz: ${INPUTS} seeded random inputs through check - and run - --model exit 0, 2 or 3, with no stack trace and no hang`, async () => {
  const random = rng(20240611);
  const inputs = Array.from({ length: INPUTS }, () => randomInput(random));
  const statuses = new Map<number | null, number>();
  const failures: string[] = [];
  const one = async (i: number): Promise<void> => {
    const input = inputs[i];
    for (const args of [['check', '-'], ['run', '-', '--model', '--seed', String(i)]]) {
      const r = await runCli(args, input, CALL_TIMEOUT_MS);
      statuses.set(r.code, (statuses.get(r.code) ?? 0) + 1);
      const what = `input #${i} (${JSON.stringify(input.toString('latin1').slice(0, 120))}) with ${args.join(' ')}`;
      if (![0, 2, 3].includes(r.code ?? -1)) failures.push(`${what}: exit ${r.code}\n${r.stderr.slice(0, 500)}`);
      if (/\n\s+at .*:\d+:\d+\)?\n/.test(r.stderr) || /internal error|TypeError|RangeError/.test(r.stderr)) {
        failures.push(`${what}: stack trace or internal error\n${r.stderr.slice(0, 800)}`);
      }
      if (args[0] === 'check' && r.stdout !== '') failures.push(`${what}: check wrote on stdout`);
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < inputs.length) await one(next++);
  }));
  assert.deepEqual(failures, []);
  // The generator must reach all three outcomes, or it tests less than it claims.
  for (const code of [0, 2, 3]) assert.ok((statuses.get(code) ?? 0) > 0, `some input exits ${code}: ${JSON.stringify([...statuses])}`);
});
