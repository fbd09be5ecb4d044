import assert from 'node:assert/strict';
import * as http from 'http';
import { test } from 'node:test';
import * as xmlrpc from 'xmlrpc';
import { WireError } from '../../cluster/envelopeCheck';
import { ClusterRun } from '../../cluster/runner';
import { fromWire, toWire, toWireText } from '../../cluster/wire';
import { MAX_BODY_BYTES, XmlRpcTransport } from '../../cluster/xmlrpcTransport';
import { badCharacterReference } from '../../cluster/xmlrpcServer';
import type { Envelope } from '../../protocol/messages';
import type { ClusterEvent } from '../../record/events';

const good: Envelope = { from: 5, to: 0, id: 1, replyTo: 0, counter: 3, cause: { line: 4, step: 2 }, body: { type: 'put', key: 'k', value: 'v' } };

/** Bodies that are not envelopes: every one must be refused as a WireError, never crash the reader. */
function malformed(): unknown[] {
  let deep: unknown = 1;
  for (let i = 0; i < 20_000; i++) deep = [deep];
  const w = toWire(good) as Record<string, unknown>;
  const body = w.body as Record<string, unknown>;
  return [
    undefined, null, 7, 'x', [], {}, deep, { ...w, body: undefined }, { ...w, body: {} }, { ...w, body: { type: 'nope' } },
    { ...w, counter: Infinity }, { ...w, counter: 1e300 }, { ...w, counter: -1 }, { ...w, counter: 2 ** 31 }, { ...w, counter: 1.5 }, { ...w, counter: '3' },
    { ...w, from: null }, { ...w, cause: { line: -1, step: 0 } }, { ...w, cause: 'x' },
    { ...w, body: { ...body, value: 'a\nb' } }, { ...w, body: { ...body, value: 'a b' } }, { ...w, body: { ...body, key: 'a:b' } }, { ...w, body: { ...body, key: '' } },
    { ...w, body: { type: 'gossip' } }, { ...w, body: { type: 'gossip', entry: { key: 'k', value: 'v', stamp: { counter: 2 ** 31 - 1 + 1, server: 0 } }, visited: [] } },
    { ...w, body: { type: 'install', epoch: 1, entries: 'not json' } }, { ...w, body: { type: 'install', epoch: 1, entries: '[[1,2,3]]' } },
    { ...w, body: { type: 'install', epoch: 1, entries: '{"a":1}' } }, { ...w, body: { type: 'explore', epoch: 1, visited: 'all' } },
    { ...w, body: { ...body, value: Buffer.from('not json') } }, { ...w, body: { ...body, value: Buffer.from('5') } },
    { ...w, body: { type: 'getReply', key: 'k', result: { kind: 'value', value: 'v' } } },
    // The same in the form kvcmd's own nodes send each other: one string of JSON.
    '', '{', toWireText(good).slice(0, -1), `${toWireText(good)}x`, '[]', '[{}]', 'null', '7', toWireText({ ...good, counter: -1 }), toWireText({ ...good, body: { type: 'put', key: 'k', value: 'a b' } }),
    JSON.stringify({ ...good, body: { type: 'install', epoch: 1, entries: [[1, 2, 3]] } }), JSON.stringify({ ...good, body: { type: 'install', epoch: 1, entries: '[]' } }),
    '['.repeat(100_000) + ']'.repeat(100_000), JSON.stringify({ ...good, body: { type: 'gossip', entry: { key: 'k', value: 'v', stamp: { counter: 1, server: 0, vector: { 0: 2 } } }, visited: [] } }),
  ];
}

test('every malformed envelope is refused with a WireError', () => {
  assert.deepEqual(fromWire(toWire(good)), good);
  assert.deepEqual(fromWire(toWireText(good)), good);
  // A counter near 2^31 would push the receiver's own counter past XML-RPC's int range (found by the fuzz).
  assert.throws(() => fromWire(toWire({ ...good, counter: 2 ** 31 - 1 })), /counter 2147483647 is above 1073741824/);
  assert.deepEqual(fromWire(toWire({ ...good, counter: 2 ** 30 })).counter, 2 ** 30);
  for (const [i, m] of malformed().entries()) assert.throws(() => fromWire(m), WireError, `case ${i}`);
});

/** A transport of our own with a known secret, and what it let through and refused. */
async function lone(): Promise<{ t: XmlRpcTransport; port: number; got: Envelope[]; refused: string[] }> {
  const got: Envelope[] = [];
  const refused: string[] = [];
  const t = new XmlRpcTransport((env) => {
    got.push(env);
    t.send({ from: env.to, to: env.from, id: 9, replyTo: env.id, counter: env.counter + 2, cause: env.cause, body: { type: 'putReply', key: 'k', stamp: { counter: 1, server: 0 } } });
  }, (why) => refused.push(why));
  t.setSecret('s3cret');
  return { t, port: await t.listen(), got, refused };
}

function call(port: number, params: unknown[]): Promise<{ err: unknown; value: unknown }> {
  const c = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/' });
  return new Promise((resolve) => c.methodCall('deliver', params, (err: unknown, value: unknown) => resolve({ err, value })));
}

function post(port: number, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'text/plain', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

test('a node refuses calls without the run\'s secret, malformed calls and oversized bodies, and keeps working', async () => {
  const { t, port, got, refused } = await lone();
  try {
    assert.ok((await call(port, [toWire(good)])).err, 'no secret');
    assert.ok((await call(port, [toWire(good), 'guess'])).err, 'wrong secret');
    // Through the package's own writer. Not case 6 (20,000 deep: too deep for the writer; sent as
    // raw XML below) nor 11 (the writer turns 1e300 into <int>1e+300</int>, read back as 1).
    for (const [i, m] of malformed().entries()) if (i !== 6 && i !== 11) assert.ok((await call(port, [m, 's3cret'])).err, `case ${i}`);
    const deepXml = '<value><array><data>'.repeat(20_000) + '<value><int>1</int></value>' + '</data></array></value>'.repeat(20_000);
    assert.ok(await post(port, `<?xml version="1.0"?><methodCall><methodName>deliver</methodName><params><param>${deepXml}</param><param><value><string>s3cret</string></value></param></params></methodCall>`) >= 200);
    assert.ok(await post(port, '<methodCall><methodName>deliver</methodName><params></params></methodCall>') >= 200);
    assert.ok(await post(port, 'garbage <<<') >= 200);
    // Announced too big: refused before a byte of it is read.
    const status = await post(port, 'x', { 'content-length': String(MAX_BODY_BYTES + 1) });
    assert.ok(status === 413 || status === -1, `status ${status}`);
    assert.equal(got.length, 0, 'nothing reached the node');
    assert.ok(refused.some((r) => /secret/.test(r)) && refused.some((r) => /malformed/.test(r)) && refused.some((r) => /size limit/.test(r)));
    // The real thing still works, in either form; the reply comes in the form the call came in.
    const ok = await call(port, [toWire(good), 's3cret']);
    assert.equal(ok.err, null);
    const reply = { from: 0, to: 5, id: 9, replyTo: 1, counter: 5, cause: good.cause, body: { type: 'putReply', key: 'k', stamp: { counter: 1, server: 0 } } };
    assert.equal(typeof ok.value, 'object');
    assert.deepEqual(fromWire(ok.value), reply);
    const text = await call(port, [toWireText({ ...good, id: 2 }), 's3cret']);
    assert.equal(text.err, null);
    assert.equal(typeof text.value, 'string');
    assert.deepEqual(fromWire(text.value), { ...reply, replyTo: 2 });
    assert.equal(got.length, 2);
  } finally {
    t.close();
  }
});

test('a forged call from another local process changes nothing in a real run', async () => {
  const events: ClusterEvent[] = [];
  const run = new ClusterRun({ seed: 1, gossip: 'settled', backend: 'processes' }, (e) => events.push(e));
  try {
    let line = 1;
    await run.execute({ name: 'joinServer', line: line++, server: 0 });
    await run.execute({ name: 'joinClient', line: line++, client: 5, server: 0 });
    await run.execute({ name: 'put', line: line++, client: 5, key: 'k', value: 'real' });
    const port = events.flatMap((e) => (e.type === 'nodeStarted' && e.id === 0 ? [e.port] : []))[0];
    // A stamp from the far future, and a value that would add a line to stdout.
    const forged: Envelope = { ...good, body: { type: 'gossip', entry: { key: 'k', value: 'forged', stamp: { counter: 2 ** 31 - 1, server: 9 } }, visited: [] } };
    assert.ok((await call(port, [toWire(forged)])).err);
    assert.ok((await call(port, [toWire(forged), 'x'.repeat(48)])).err);
    assert.ok(await post(port, 'put k forged') > 0);
    await run.execute({ name: 'get', line: line++, client: 5, key: 'k' });
    assert.deepEqual(events.filter((e) => e.type === 'stdout').map((e) => (e as { text: string }).text), ['k:real']);
  } finally {
    await run.end();
  }
});

test('a body with a character reference to no XML character is refused (the XML parser threw it out of a stream callback: the node died)', async () => {
  assert.equal(badCharacterReference('<a>&#65;&#x41;&#xD;&#x10FFFF; &amp; &lt;</a>'), undefined);
  for (const ref of ['&#x110000;', '&#1114112;', '&#-1;', '&#x-1;', '&#xFFFFFFFFFF;', '&#0;', '&#xFFFE;', '&#xD800;', '&#X41;', '&#;', '&#x;'])
    assert.ok(badCharacterReference(`<a>x${ref}y</a>`)?.startsWith(ref.slice(0, 4)), ref);
  const { t, port, got, refused } = await lone();
  try {
    // Without the secret, from any local process: each of these ended the node before.
    for (const ref of ['&#x110000;', '&#1114112;', '&#-1;', '&#x-1;']) {
      assert.equal(await post(port, `<?xml version="1.0"?><methodCall><methodName>deliver${ref}</methodName></methodCall>`), 400, ref);
      assert.equal(await post(port, `<methodCall a="${ref}"><methodName>deliver</methodName></methodCall>`), 400, ref);
    }
    assert.ok(refused.some((r) => /character reference/.test(r)), refused.join('\n'));
    assert.equal(got.length, 0);
    // A carriage return inside a value travels as &#xD; (the package writes it so): still read.
    const cr: Envelope = { ...good, body: { type: 'put', key: 'k', value: 'a\rb' } };
    assert.equal((await call(port, [toWire(cr), 's3cret'])).err, null);
    assert.deepEqual(got.map((e) => e.body), [cr.body]);
  } finally {
    t.close();
  }
});

test('a fault that quotes a character XML cannot carry is still written (the XML writer threw: the node died)', async () => {
  const { t, port, got } = await lone();
  try {
    const w = toWire(good) as Record<string, unknown>;
    for (const type of ['\uFFFE', 'a\uFFFFb']) {
      const r = await call(port, [{ ...w, body: { type: Buffer.from(JSON.stringify(type)) } }, 's3cret']);
      assert.match(String((r.err as Error | null)?.message), /is not a message kind/, type);
    }
    assert.equal((await call(port, [w, 's3cret'])).err, null);
    assert.equal(got.length, 1);
  } finally {
    t.close();
  }
});

test('a call numbered 0 (or -0) is refused: its reply went out as a new call and the call hung', async () => {
  const { t, port, got } = await lone();
  try {
    const w = toWire(good) as Record<string, unknown>;
    const zero = await withTimeout(call(port, [{ ...w, id: 0 }, 's3cret']), 10_000);
    assert.match(String((zero.err as Error | null)?.message), /numbered 0/);
    const xml = `<?xml version="1.0"?><methodCall><methodName>deliver</methodName><params><param><value><struct>${Object.entries({ ...w, id: '-0' })
      .map(([k, v]) => `<member><name>${k}</name>${k === 'id' ? '<value><double>-0</double></value>' : xmlValue(v)}</member>`).join('')}</struct></value></param><param><value><string>s3cret</string></value></param></params></methodCall>`;
    const minusZero = await withTimeout(postText(port, xml), 10_000);
    assert.match(minusZero, /numbered 0/);
    assert.equal(got.length, 0);
    assert.equal((await call(port, [w, 's3cret'])).err, null);
  } finally {
    t.close();
  }
});

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
}

/** The few XML-RPC values an envelope's wire form holds (ints, strings, structs, arrays). */
function xmlValue(v: unknown): string {
  if (typeof v === 'number') return `<value><int>${v}</int></value>`;
  if (typeof v === 'string') return `<value><string>${v}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(xmlValue).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member><name>${k}</name>${xmlValue(x)}</member>`).join('')}</struct></value>`;
}

function postText(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'text/xml' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}
