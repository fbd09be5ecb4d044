import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import * as xmlrpc from 'xmlrpc';
import { XmlRpcServer } from '../../cluster/xmlrpcServer';

// A node's port (xmlrpcServer.ts): the package's reader and writer behind Node's HTTP server,
// answering as the package's own server did, to the package's own client.

function start(refused: string[] = []): { server: XmlRpcServer; port: Promise<number> } {
  const server = new XmlRpcServer({ port: 0, maxBodyBytes: 64 * 1024, bodyTimeoutMs: 10_000, onRefused: (why) => refused.push(why) });
  return { server, port: server.listening() };
}

function call(port: number, method: string, params: unknown[]): Promise<unknown> {
  const client = xmlrpc.createClient({ host: '127.0.0.1', port, path: '/' });
  return new Promise((res, rej) => client.methodCall(method, params, (err: unknown, v: unknown) => (err ? rej(err) : res(v))));
}

/** One raw request on a fresh connection; the whole response as text. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((res, rej) => {
    let text = '';
    const s = net.connect(port, '127.0.0.1', () => s.end(request));
    s.setEncoding('utf8').on('data', (d: string) => (text += d));
    s.on('end', () => res(text));
    s.on('error', rej);
  });
}

test('calls in a row are each read by a reader of their own, and answered in turn', { timeout: 20_000 }, async () => {
  const { server, port } = start();
  server.on('echo', (params, respond) => respond(null, params));
  try {
    const p = await port;
    for (let i = 0; i < 50; i++) assert.deepEqual(await call(p, 'echo', [`v${i}`, i]), [`v${i}`, i]);
    // Concurrent calls too.
    const all = await Promise.all([0, 1, 2, 3, 4].map((i) => call(p, 'echo', [i])));
    assert.deepEqual(all, [[0], [1], [2], [3], [4]]);
  } finally {
    server.close();
  }
});

test('answers carry a Content-Length; an unknown method or a body that is no call gets 404; a fault is a fault', { timeout: 20_000 }, async () => {
  const { server, port } = start();
  server.on('echo', (params, respond) => respond(null, params));
  server.on('fail', (_params, respond) => respond({ faultCode: 9, faultString: 'nope' }));
  try {
    const p = await port;
    const xml = '<?xml version="1.0"?><methodCall><methodName>echo</methodName><params><param><value><string>x</string></value></param></params></methodCall>';
    const ok = await raw(p, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
    assert.match(ok, /^HTTP\/1\.1 200/);
    assert.match(ok, /\r\nContent-Length: \d+\r\n/i);
    assert.doesNotMatch(ok, /Transfer-Encoding/i);
    assert.match(ok, /<string>x<\/string>/);
    await assert.rejects(call(p, 'nobody', []), /Not Found/);
    const junk = 'this is not XML-RPC';
    assert.match(await raw(p, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${junk.length}\r\n\r\n${junk}`), /^HTTP\/1\.1 404/);
    await assert.rejects(call(p, 'fail', []), (e: { faultCode?: number }) => e.faultCode === 9);
  } finally {
    server.close();
  }
});

test('an answer XML cannot carry becomes a fault, and the server goes on', { timeout: 20_000 }, async () => {
  const refused: string[] = [];
  const { server, port } = start(refused);
  server.on('bad', (_params, respond) => respond(null, 'a\u0000b'));
  server.on('echo', (params, respond) => respond(null, params));
  try {
    const p = await port;
    await assert.rejects(call(p, 'bad', []), (e: { faultCode?: number }) => e.faultCode === 500);
    assert.ok(refused.some((w) => /could not be written/.test(w)), refused.join('; '));
    assert.deepEqual(await call(p, 'echo', ['still here']), ['still here']);
  } finally {
    server.close();
  }
});

test('a body over the limit is refused with 413 before it is read', { timeout: 20_000 }, async () => {
  const refused: string[] = [];
  const { server, port } = start(refused);
  server.on('echo', (params, respond) => respond(null, params));
  try {
    const p = await port;
    const reply = await raw(p, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 413/);
    assert.ok(refused.some((w) => /over the size limit/.test(w)));
  } finally {
    server.close();
  }
});
