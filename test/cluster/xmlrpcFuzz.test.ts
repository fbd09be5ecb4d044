import assert from 'node:assert/strict';
import { ChildProcess, fork } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import * as xmlrpc from 'xmlrpc';
import { toWire, toWireText } from '../../cluster/wire';
import type { ControlBody, ControlResult, Envelope, FromNode, NodeSnapshot, PeerBody, ToNode } from '../../protocol/messages';
import { rng } from '../check/generate';

// Fuzzing a real node's XML-RPC endpoint: a lone server process (cluster/nodeMain.js, forked here
// as the master forks it, with a secret of our own) gets seeded random bodies: random bytes,
// truncated and mangled XML, wrong types, huge numbers, deep nesting, XML tricks, wrong methods and
// parameters, and valid envelopes with one field mutated, with and without the run's secret.
// After every call: the node is alive, it answered (a fault or a refusal unless the call carried
// the secret), a call without the secret changed nothing, no forged value is in its store. Then a
// valid call is still served. KVCMD_FUZZ_SEED replays a run; KVCMD_XMLRPC_FUZZ_CALLS sets its size.
const SEED = Number(process.env.KVCMD_FUZZ_SEED ?? 20261127);
const CALLS = Number(process.env.KVCMD_XMLRPC_FUZZ_CALLS ?? 400);
const NODE_MAIN = path.join(__dirname, '..', '..', 'cluster', 'nodeMain.js');
const SECRET = 'f'.repeat(16) + '0123456789abcdef'.repeat(2);
/** The lone node is server 0, linked to server 1 and client 5 (whose ports refuse connections). Id 7 is not linked. */
const ME = 0;
const PEER = 1;
const CLIENT = 5;
const STRANGER = 7;

/** A server process of our own, driven over IPC exactly as ProcessHost drives one. */
class LoneNode {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: ControlResult) => void; reject: (e: Error) => void }>();
  stderr = '';

  private constructor(readonly proc: ChildProcess, readonly port: number) {
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-20_000)));
    proc.on('message', (m: FromNode) => {
      if (m.kind !== 'control') return;
      this.pending.get(m.msg.seq)?.resolve(m.msg.result);
      this.pending.delete(m.msg.seq);
    });
    proc.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`the node exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  static async start(): Promise<LoneNode> {
    const proc = fork(NODE_MAIN, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const secret: ToNode = { kind: 'secret', secret: SECRET };
    proc.send(secret);
    const port = await new Promise<number>((resolve, reject) => {
      proc.on('message', (m: FromNode) => m.kind === 'ready' && resolve(m.port));
      proc.once('exit', (code) => reject(new Error(`the node exited at start (${code})`)));
    });
    return new LoneNode(proc, port);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** A control message and its answer; fails if the node is gone or does not answer in 15 s. */
  control(body: ControlBody): Promise<ControlResult> {
    const seq = ++this.seq;
    return withTimeout(new Promise((resolve, reject) => {
      if (!this.alive || !this.proc.connected) return reject(new Error(`control ${body.type}: the node is gone`));
      this.pending.set(seq, { resolve, reject });
      const msg: ToNode = { kind: 'control', msg: { seq, body } };
      this.proc.send(msg, (err) => err && reject(new Error(`control ${body.type}: ${err.message}`)));
    }), 15_000, `control ${body.type}`);
  }

  async snapshot(): Promise<NodeSnapshot> {
    const r = await this.control({ type: 'snapshot' });
    assert.equal(r.type, 'snapshot');
    return (r as { snapshot: NodeSnapshot }).snapshot;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGKILL');
    await gone;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
}

/** A port nothing listens on (the linked peers': calls to them fail at once). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

interface Answer {
  /** HTTP status, or -1 when the connection was closed without one. */
  status: number;
  text: string;
}

function post(port: number, body: Buffer, headers: http.OutgoingHttpHeaders = {}, method = 'POST', urlPath = '/'): Promise<Answer> {
  // A header given as undefined is left out (e.g. no content-length on a chunked body).
  const all = Object.fromEntries(Object.entries({ 'content-type': 'text/xml', 'content-length': body.length, ...headers }).filter(([, x]) => x !== undefined));
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: -1, text: '' }));
    });
    req.on('error', () => resolve({ status: -1, text: '' }));
    req.end(body);
  });
}

// ---- XML-RPC, written by hand so that it can lie ----

/** XML already written: a value of a wrong type, a number out of range, a nest. */
class Raw {
  constructor(readonly xml: string) {}
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function value(v: unknown): string {
  if (v instanceof Raw) return v.xml;
  if (v === null || v === undefined) return '<value><nil/></value>';
  if (Buffer.isBuffer(v)) return `<value><base64>${v.toString('base64')}</base64></value>`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<value><int>${v}</int></value>` : `<value><double>${v}</double></value>`;
  if (typeof v === 'string') return `<value><string>${esc(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(value).join('')}</data></array></value>`;
  const members = Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member><name>${esc(k)}</name>${value(x)}</member>`);
  return `<value><struct>${members.join('')}</struct></value>`;
}

function methodCall(params: unknown[], method = 'deliver'): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${value(p)}</param>`).join('')}</params></methodCall>`;
}

function nest(depth: number, inner: string, kind: 'array' | 'struct'): Raw {
  const open = kind === 'array' ? '<value><array><data>' : '<value><struct><member><name>body</name>';
  const close = kind === 'array' ? '</data></array></value>' : '</member></struct></value>';
  return new Raw(open.repeat(depth) + inner + close.repeat(depth));
}

// ---- The generator ----

type Rand = () => number;

interface Call {
  label: string;
  body: Buffer;
  /** Sent with the run's secret: the only calls that may be answered with a reply and change the node. */
  secret: boolean;
  /** A well-formed request from a peer the node has no link to: refused by the protocol, changes nothing. */
  stranger?: boolean;
  headers?: http.OutgoingHttpHeaders;
  method?: string;
  path?: string;
}

const WEIRD_STRINGS = ['', ' ', 'a b', 'a\nb', 'x:y', '\u0000', '\u0001', '\uFFFE', 'a\uFFFFb', '\uD800', 'é', '\u{1F600}', '&amp;', ']]>', '<', 'forged', '0', '-1', 'NaN', '__proto__', 'constructor'];
const HUGE_NUMBERS = ['99999999999999999999999', '2147483648', '2147483647', '-2147483649', '-1', '1e5', '0x10', '', ' 7', '9007199254740993', '-0'];

function generator(r: Rand): { next: () => Call } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const randomString = (): string => {
    const n = int(0, 12);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCodePoint(pick([int(0x20, 0x7e), int(0, 0x1f), int(0x80, 0xd7ff), int(0xd800, 0xdfff), int(0xe000, 0xffff), pick([0xfffe, 0xffff]), int(0x10000, 0x10ffff)]));
    return s.startsWith('forged') ? `_${s}` : s;
  };
  const randomValue = (depth = 0): unknown => {
    switch (int(0, 15)) {
      case 0: return new Raw(`<value><int>${pick(HUGE_NUMBERS)}</int></value>`);
      case 1: return new Raw(`<value><i4>${pick(HUGE_NUMBERS)}</i4></value>`);
      case 2: return new Raw(`<value><i8>${pick(['9223372036854775807', '-9223372036854775808', '99999999999999999999', '3', 'x'])}</i8></value>`);
      case 3: return new Raw(`<value><double>${pick(['1e308', '1e309', 'Infinity', '-Infinity', 'NaN', '-0', '0.5', '4.9e-324', 'x'])}</double></value>`);
      case 4: return new Raw(`<value><boolean>${pick(['0', '1', '2', 'true', ''])}</boolean></value>`);
      case 5: return new Raw(`<value><dateTime.iso8601>${pick(['20260101T00:00:00', 'nonsense', '', '99999999T99:99:99'])}</dateTime.iso8601></value>`);
      case 6: return new Raw(`<value><base64>${pick(['!!!', '', 'AAAA', '////', Buffer.from(JSON.stringify(randomString())).toString('base64')])}</base64></value>`);
      case 7: return pick([0, -1, 2 ** 31 - 1, 2 ** 31, 1.5, -0.5, 1e300]);
      case 8: return pick(WEIRD_STRINGS);
      case 9: return randomString();
      case 10: return null;
      case 11: return pick([true, false]);
      case 12: return depth > 3 ? 1 : Array.from({ length: int(0, 4) }, () => randomValue(depth + 1));
      case 13: {
        if (depth > 3) return {};
        const o: Record<string, unknown> = {};
        for (let i = int(0, 4); i > 0; i--) o[pick(['from', 'type', 'key', '__proto__', 'constructor', 'counter', 'x', randomString()])] = randomValue(depth + 1);
        return o;
      }
      case 14: return nest(int(1, 500), '<value><int>1</int></value>', pick(['array', 'struct'] as const));
      default: return new Raw(`<value>${esc(randomString())}</value>`);
    }
  };

  let n = 0;
  const v = (secret: boolean): string => `${secret ? 'ok' : 'forged'}${++n}`;
  const key = (): string => pick(['k', 'k2', 'é', 'x']);
  const stamp = (): { counter: number; server: number } => ({ counter: pick([1, 5, 40, 2 ** 31 - 1]), server: pick([0, 1, 3]) });
  /** A valid envelope to this node, of any kind, from a linked peer mostly. */
  const envelope = (secret: boolean): Envelope => {
    const body: PeerBody = pick<() => PeerBody>([
      () => ({ type: 'put', key: key(), value: v(secret) }),
      () => ({ type: 'get', key: key(), dep: r() < 0.5 ? null : stamp() }),
      () => ({ type: 'gossip', entry: { key: key(), value: v(secret), stamp: stamp() }, visited: [PEER] }),
      () => ({ type: 'spread', entry: { key: key(), value: v(secret), stamp: stamp() }, visited: [PEER] }),
      () => ({ type: 'explore', epoch: int(1, 50), visited: [PEER] }),
      () => ({ type: 'install', epoch: int(1, 50), entries: [{ key: key(), value: v(secret), stamp: stamp() }] }),
      () => ({ type: 'installAck', epoch: 1 }),
      () => ({ type: 'gossipAck', visited: [ME], frontier: [] }),
      () => ({ type: 'putReply', key: key(), stamp: stamp() }),
      () => ({ type: 'refused' }),
    ])();
    const from = body.type === 'put' || body.type === 'get' ? (r() < 0.85 ? CLIENT : STRANGER) : r() < 0.85 ? PEER : STRANGER;
    return { from, to: ME, id: int(1, 1_000_000), replyTo: r() < 0.9 ? 0 : int(1, 5), counter: int(0, 60), cause: { line: int(0, 9), step: int(0, 9) }, body };
  };
  /** A wire struct with one field somewhere replaced (or removed, or joined by another). */
  const mutate = (wire: Record<string, unknown>): Record<string, unknown> => {
    const copy = JSON.parse(JSON.stringify(wire, (_k, x) => (Buffer.isBuffer(x) ? { $b: x.toString('base64') } : x)), (_k, x) => (x && typeof x === 'object' && '$b' in x ? Buffer.from(x.$b, 'base64') : x)) as Record<string, unknown>;
    const holders: Record<string, unknown>[] = [copy];
    for (const k of ['body', 'cause']) if (copy[k] && typeof copy[k] === 'object') holders.push(copy[k] as Record<string, unknown>);
    const body = copy.body as Record<string, unknown> | undefined;
    for (const k of ['entry', 'stamp', 'dep']) if (body?.[k] && typeof body[k] === 'object') holders.push(body[k] as Record<string, unknown>);
    // The body's type, which picks how the rest is read, a quarter of the time.
    const typed = body !== undefined && r() < 0.25;
    const target = typed ? body : pick(holders);
    const field = typed ? 'type' : pick(Object.keys(target).length ? Object.keys(target) : ['x']);
    const what = int(0, 5);
    if (typed) target.type = pick([pick(WEIRD_STRINGS), randomString(), randomValue(), pick(['put', 'gossip', 'install', 'exploreReply', 'getReply', 'unreachable'])]);
    else if (what === 0) delete target[field];
    else if (what === 1) target[pick(['extra', '__proto__', 'constructor', field + '2'])] = randomValue();
    else if (what === 2 && typeof target[field] === 'number') target[field] = pick([-1, 2 ** 31, 2 ** 31 - 1, 0, 1e300, 0.5]);
    else if (what === 3 && typeof target[field] === 'string') target[field] = pick(WEIRD_STRINGS.concat(['x'.repeat(int(1, 70_000))]));
    else target[field] = randomValue();
    return copy;
  };
  const secretParam = (secret: boolean): unknown[] => (secret ? [SECRET] : pick<unknown[]>([[], ['x'.repeat(48)], [SECRET.slice(0, -1) + 'e'], [SECRET + 'x'], [SECRET.slice(1)], [Buffer.from(SECRET)], [[SECRET]], [{ secret: SECRET }], [''], [null], [SECRET.toUpperCase()]]));

  return {
    next(): Call {
      const secret = r() < 0.6;
      const kind = pick(['bytes', 'truncated', 'mangled', 'wrongType', 'mutated', 'mutated', 'valid', 'params', 'tricks', 'deep', 'headers']);
      const label = `${kind}${secret ? '+secret' : ''}`;
      const env = envelope(secret);
      const call = (params: unknown[], method?: string): Buffer => Buffer.from(methodCall(params, method), 'utf8');
      switch (kind) {
        case 'bytes': {
          const bytes = Buffer.alloc(int(0, 3000));
          for (let j = 0; j < bytes.length; j++) bytes[j] = int(0, 255);
          return { label, secret, body: r() < 0.5 ? bytes : Buffer.concat([Buffer.from('<?xml version="1.0"?><methodCall><methodName>deliver</methodName>'), bytes]) };
        }
        case 'truncated': {
          const whole = call([toWire(env), ...secretParam(secret)]);
          return { label, secret, body: whole.subarray(0, int(0, whole.length - 1)) };
        }
        case 'mangled': {
          const bytes = Buffer.from(call([toWire(env), ...secretParam(secret)]));
          const edits: Buffer[] = [bytes];
          for (let e = int(1, 5); e > 0; e--) {
            const b = edits[0];
            const at = int(0, b.length - 1);
            const op = int(0, 3);
            if (op === 0) b[at] = int(0, 255);
            else if (op === 1) edits[0] = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + int(1, 40)))]);
            else if (op === 2) edits[0] = Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(1, 60)), b.subarray(at)]);
            else edits[0] = Buffer.concat([b.subarray(0, at), Buffer.from(pick(['<', '>', '&', '&#0;', '&#x110000;', '&#-1;', '&#xFFFE;', '<value>', '</struct>', '<![CDATA[', ']]>', '<!--', '\u0000', '\uFEFF'])), b.subarray(at)]);
          }
          return { label, secret, body: edits[0] };
        }
        case 'wrongType':
        case 'mutated':
        {
          // A struct, or the same mutation as kvcmd's own nodes send envelopes to each other: one string of JSON.
          const mutated = mutate(toWire(env) as Record<string, unknown>);
          return { label, secret, body: call([r() < 0.7 ? mutated : JSON.stringify(mutated, (_k, x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x)), ...secretParam(secret)]) };
        }
        case 'valid':
          return { label, secret, stranger: env.from === STRANGER && env.replyTo === 0, body: call([r() < 0.5 ? toWire(env) : toWireText(env), ...secretParam(secret)]) };
        case 'params': {
          const params = pick<() => unknown[]>([
            () => [],
            () => [toWire(env)],
            () => [toWire(env), ...secretParam(secret), 'extra'],
            () => [...secretParam(secret), toWire(env)],
            () => [randomValue(), ...secretParam(secret)],
          ])();
          const method = pick(['deliver', 'deliver', 'Deliver', '', 'system.multicall', 'system.listMethods', '__proto__', 'constructor', 'hasOwnProperty', 'error', 'NotFound', 'toString', 'deliver.x']);
          return { label, secret, body: call(params, method) };
        }
        case 'tricks': {
          const inner = call([toWire(env), ...secretParam(secret)]).toString('utf8').replace('<?xml version="1.0"?>', '');
          const body = pick<() => string>([
            () => `<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${inner.replace('<methodName>deliver', '<methodName>deliver&b;')}`,
            () => `<?xml version="1.0" encoding="UTF-16"?>${inner}`,
            () => `\uFEFF<?xml version="1.0"?>${inner}`,
            () => `<?xml version="1.0"?><!-- c -->${inner.replace('<params>', '<params><?pi x?>')}`,
            () => inner.replace('<methodName>deliver</methodName>', '<methodName><![CDATA[deliver]]></methodName>'),
            () => inner.replace('<methodName>deliver</methodName>', `<methodName>deliver${pick(['&#x110000;', '&#-1;', '&#x-1;', '&#99999999;', '&#0;', '&#xD800;', '&#xFFFE;', '&#65;', '&unknown;', '&#;', '&#x;'])}</methodName>`),
            () => inner.replace('<string>', `<string>${pick(['&#x110000;', '&#1114112;', '&#-5;', '&#xFFFFFFFFFF;', '&#0;', '&#x1;', '&#xFFFF;', '&lt;'])}`),
            () => `${inner}${inner}`,
            () => inner.replace('<params>', `<params>${inner}`),
            () => inner.replace(/<\/?value>/g, ''),
            () => inner.replace(/struct>/g, 'array>'),
            () => inner.replace('<methodCall>', '<methodResponse>').replace('</methodCall>', '</methodResponse>'),
            () => `<methodCall><methodName>deliver</methodName><params><param><value><struct><member><name>a</name></member><member><value><int>1</int></value></member></struct></value></param></params></methodCall>`,
            () => '<methodCall a="&#x110000;"><methodName>deliver</methodName></methodCall>',
          ])();
          return { label, secret, body: Buffer.from(body, 'utf8') };
        }
        case 'deep': {
          // Mostly moderate: a nest of 20,000 costs the XML parser a second or more on a busy machine.
          const depth = r() < 0.15 ? int(2000, 20_000) : int(2, 1500);
          const where = int(0, 2);
          const deep = nest(depth, value(toWire(env)), pick(['array', 'struct'] as const));
          const params = where === 0 ? [deep, ...secretParam(secret)] : where === 1 ? [{ ...(toWire(env) as object), body: deep }, ...secretParam(secret)] : [toWire(env), ...secretParam(secret), deep];
          return { label, secret, body: call(params) };
        }
        default: {
          // Headers that lie, another verb or path, another content type.
          const body = call([toWire(env), ...secretParam(secret)]);
          const h = int(0, 5);
          if (h === 0) return { label, secret, body, headers: { 'content-length': Math.max(0, body.length - int(1, 50)) } };
          if (h === 1) return { label, secret, body, headers: { 'content-type': pick(['text/plain', 'application/json', '', 'text/xml; charset=utf-16']) } };
          if (h === 2) return { label, secret, body, method: pick(['GET', 'PUT', 'DELETE', 'OPTIONS']) };
          if (h === 3) return { label, secret, body, path: pick(['/RPC2', '/../x', '/?a=1', '//']) };
          if (h === 4) return { label, secret, body, headers: { 'transfer-encoding': 'chunked', 'content-length': undefined } };
          return { label, secret, body, headers: { expect: '100-continue' } };
        }
      }
    },
  };
}

const started: LoneNode[] = [];
after(async () => {
  for (const n of started) await n.stop();
});

async function startLinked(): Promise<LoneNode> {
  const node = await LoneNode.start();
  started.push(node);
  const dead = await deadPort();
  for (const body of [
    { type: 'init', id: ME, role: 'server', seed: 1, gossip: 'settled', trace: true },
    { type: 'link', peer: PEER, peerRole: 'server', port: dead },
    { type: 'link', peer: CLIENT, peerRole: 'client', port: dead },
  ] as ControlBody[]) assert.equal((await node.control(body)).type, 'ok');
  return node;
}

function xmlrpcCall(port: number, params: unknown[]): Promise<{ err: unknown; value: unknown }> {
  const c = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/' });
  return withTimeout(new Promise((resolve) => c.methodCall('deliver', params, (err: unknown, v: unknown) => resolve({ err, value: v }))), 15_000, 'a valid call');
}

const brief = (b: Buffer): string => JSON.stringify(b.toString('utf8').slice(0, 400)) + (b.length > 400 ? ` (${b.length} bytes)` : '');

test(`XML-RPC fuzz: ${CALLS} seeded random calls to a lone real node (seed ${SEED}); it stays up, refuses what it must, keeps no forged write and still serves`, { timeout: 120_000 + CALLS * 300 }, async (t) => {
  const node = await startLinked();
  const gen = generator(rng(SEED));
  const tally: Record<string, number> = {};
  /** Where the time goes, per kind of call (printed only). */
  const spent: Record<string, number> = {};
  let before = await node.snapshot();
  for (let i = 0; i < CALLS; i++) {
    const c = gen.next();
    const where = `call ${i} (${c.label}) of seed ${SEED}; replay: KVCMD_FUZZ_SEED=${SEED} KVCMD_XMLRPC_FUZZ_CALLS=${i + 1} node --test out/test/cluster/xmlrpcFuzz.test.js\nbody: ${brief(c.body)}`;
    let answer: Answer;
    const sent = performance.now();
    try {
      answer = await withTimeout(post(node.port, c.body, c.headers, c.method, c.path), 20_000, 'the call');
      const kind = c.label.replace('+secret', '');
      spent[kind] = (spent[kind] ?? 0) + Math.round(performance.now() - sent);
    } catch (err) {
      assert.fail(`${(err as Error).message}: ${where}`);
    }
    assert.ok(node.alive, `the node died: ${where}\nstderr: ${node.stderr}`);
    const replied = answer.status === 200 && /<methodResponse>\s*<params>/.test(answer.text);
    const outcome = replied ? 'reply' : /<fault>/.test(answer.text) ? 'fault' : `status ${answer.status}`;
    tally[`${c.label} -> ${outcome}`] = (tally[`${c.label} -> ${outcome}`] ?? 0) + 1;
    let now: NodeSnapshot;
    try {
      now = await node.snapshot();
    } catch (err) {
      assert.fail(`${(err as Error).message} (alive: ${node.alive}): ${where}\nstderr: ${node.stderr}`);
    }
    if (!c.secret) {
      assert.ok(!replied, `a call without the secret was answered as a valid call: ${where}\nanswer: ${answer.text.slice(0, 400)}`);
      assert.deepEqual(now, before, `a call without the secret changed the node: ${where}`);
    } else if (c.stranger) {
      tally['(from an unlinked peer, refused)'] = (tally['(from an unlinked peer, refused)'] ?? 0) + 1;
      // The reply comes in the call's form: a struct, or the envelope's JSON text.
      assert.match(answer.text, /<name>type<\/name><value><string>refused<\/string>|"body":\{"type":"refused"\}/, `a call from an unlinked peer was not refused: ${where}`);
      assert.deepEqual(now, before, `a call from an unlinked peer changed the node: ${where}`);
    }
    const forged = now.store.filter((e) => e.value.startsWith('forged'));
    assert.deepEqual(forged, [], `a forged write was kept: ${where}`);
    before = now;
  }
  // Large bodies, once each: a 5 MB key (over the token limit) with the secret, and 33 MB sent
  // without a length (over the body limit, refused as it comes).
  const bigKey = await withTimeout(xmlrpcCall(node.port, [toWire({ from: CLIENT, to: ME, id: 1, replyTo: 0, counter: 1, cause: { line: 1, step: 1 }, body: { type: 'put', key: 'x'.repeat(5 * 1024 * 1024), value: 'ok-big' } }), SECRET]), 60_000, 'a 5 MB call');
  assert.ok(bigKey.err, 'a key over the token limit is refused');
  const chunked = await post(node.port, Buffer.concat([Buffer.from('<?xml version="1.0"?><methodCall><methodName>deliver</methodName><params><param><value><string>'), Buffer.alloc(33 * 1024 * 1024, 'a')]), { 'transfer-encoding': 'chunked', 'content-length': undefined });
  assert.ok(chunked.status === 413 || chunked.status === -1, `status ${chunked.status}`);
  assert.ok(node.alive, `the node died on a large body\nstderr: ${node.stderr}`);

  // Still serving: a valid put and get from the linked client.
  const put: Envelope = { from: CLIENT, to: ME, id: 2_000_001, replyTo: 0, counter: 1, cause: { line: 1, step: 1 }, body: { type: 'put', key: 'final', value: 'final-ok' } };
  const r1 = await xmlrpcCall(node.port, [toWire(put), SECRET]);
  assert.equal(r1.err, null, `the valid put after the storm failed: ${String(r1.err)}\nstderr: ${node.stderr}`);
  const reply = r1.value as { body?: { type?: string; key?: string }; replyTo?: number };
  assert.equal(reply.body?.type, 'putReply');
  assert.equal(reply.body?.key, 'final');
  assert.equal(reply.replyTo, put.id);
  const get: Envelope = { ...put, id: 2_000_002, body: { type: 'get', key: 'final', dep: null } };
  const r2 = await xmlrpcCall(node.port, [toWire(get), SECRET]);
  assert.equal(r2.err, null);
  const result = (r2.value as { body?: { result?: { kind?: string; value?: string } } }).body?.result;
  assert.equal(result?.kind, 'value');
  assert.equal(result?.value, 'final-ok');
  const last = await node.snapshot();
  assert.equal(last.store.find((e) => e.key === 'final')?.value, 'final-ok');
  t.diagnostic(JSON.stringify(Object.fromEntries(Object.entries(tally).sort())));
  t.diagnostic(`ms per kind of call: ${JSON.stringify(spent)}`);
  // Both kinds of answer were seen: the fuzz reached the protocol, not only the parser.
  assert.ok(Object.keys(tally).some((k) => k.endsWith('-> reply')) && Object.keys(tally).some((k) => k.endsWith('-> fault')), JSON.stringify(tally));
});
