import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import * as xmlrpc from 'xmlrpc';
import { PeerCalls, readResponse } from '../../cluster/peerCalls';
import { XmlRpcServer } from '../../cluster/xmlrpcServer';

// Calls between kvcmd's own nodes are written directly on kept-open connections (peerCalls.ts):
// the same XML-RPC as the package's client, read the same way, with the package's server on the
// other side.

const head = (extra: string): string => `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n${extra}\r\n`;

test('a response framed by Content-Length is read once all of it has arrived, and not before', () => {
  const whole = Buffer.from(`${head('Content-Length: 5\r\n')}hello`);
  for (let cut = 0; cut < whole.length; cut++) assert.equal(readResponse(whole.subarray(0, cut), 1000), undefined, `cut at ${cut}`);
  const r = readResponse(whole, 1000)!;
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'hello');
  assert.equal(r.end, whole.length);
  assert.equal(r.keepOpen, true);
});

test('a chunked response is put together from its chunks, and read only once its last chunk has come', () => {
  const whole = Buffer.from(`${head('Transfer-Encoding: chunked\r\nConnection: close\r\n')}3\r\nabc\r\n4;x=1\r\ndefg\r\n0\r\n\r\n`);
  for (let cut = 0; cut < whole.length; cut++) assert.equal(readResponse(whole.subarray(0, cut), 1000), undefined, `cut at ${cut}`);
  const r = readResponse(whole, 1000)!;
  assert.equal(r.body.toString(), 'abcdefg');
  assert.equal(r.keepOpen, false, 'Connection: close is honoured');
});

test('responses that are not HTTP, have no length, or exceed the limit are refused', () => {
  assert.throws(() => readResponse(Buffer.from('SSH-2.0-x\r\n\r\n'), 1000), /not an HTTP response/);
  assert.throws(() => readResponse(Buffer.from(head('')), 1000), /without a length/);
  assert.throws(() => readResponse(Buffer.from(head('Content-Length: -1\r\n')), 1000), /bad Content-Length/);
  assert.throws(() => readResponse(Buffer.from(head('Content-Length: 2000\r\n')), 1000), /over the size limit/);
  assert.throws(() => readResponse(Buffer.from(`${head('Transfer-Encoding: chunked\r\n')}zz\r\n`), 1000), /bad chunk size/);
  assert.throws(() => readResponse(Buffer.from(`${head('Transfer-Encoding: chunked\r\n')}7d0\r\n`), 1000), /over the size limit/);
  assert.throws(() => readResponse(Buffer.alloc(20_000, 'a'), 1000), /head over the size limit/);
});

test('calls to the package\'s server: values round-trip, faults come back as errors, one connection serves calls in turn', { timeout: 20_000 }, async () => {
  const server = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
  const connections: net.Socket[] = [];
  server.httpServer.on('connection', (s: net.Socket) => connections.push(s));
  server.on('echo', (_e: unknown, params: unknown[], respond: (err: unknown, v?: unknown) => void) => respond(null, params));
  server.on('fail', (_e: unknown, _p: unknown, respond: (err: unknown, v?: unknown) => void) => respond({ faultCode: 7, faultString: 'no' }));
  const port = await new Promise<number>((r) => server.httpServer.once('listening', () => r((server.httpServer.address() as net.AddressInfo).port)));
  const calls = new PeerCalls(port, 1024 * 1024);
  const call = (method: string, params: unknown[]): Promise<unknown> => new Promise((res, rej) => calls.call(method, params, (err, v) => (err ? rej(err) : res(v))));
  try {
    const text = 'a <b> & "c" é 🙂'.repeat(50);
    for (let i = 0; i < 20; i++) assert.deepEqual(await call('echo', [text, i, { k: [1, 'x'] }]), [text, i, { k: [1, 'x'] }]);
    await assert.rejects(call('fail', []), (e: { faultCode?: number }) => e.faultCode === 7);
    assert.equal(connections.length, 1, 'sequential calls reuse one connection');
    // Calls in parallel each get a connection of their own, and their own answers.
    const many = await Promise.all([1, 2, 3].map((i) => call('echo', [i])));
    assert.deepEqual(many, [[1], [2], [3]]);
  } finally {
    calls.close();
    server.httpServer.close();
  }
});

test('a call whose node is gone, or goes away while it waits, fails instead of hanging', { timeout: 20_000 }, async () => {
  // A port with nobody listening.
  const probe = net.createServer();
  const deadPort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)));
  await new Promise((r) => probe.close(r));
  const refused = new PeerCalls(deadPort, 1024);
  await assert.rejects(new Promise((res, rej) => refused.call('m', [], (err, v) => (err ? rej(err) : res(v)))));
  refused.close();

  // A node that takes the call and dies before answering.
  const taker = net.createServer((s) => s.once('data', () => s.destroy()));
  const port = await new Promise<number>((r) => taker.listen(0, '127.0.0.1', () => r((taker.address() as net.AddressInfo).port)));
  const calls = new PeerCalls(port, 1024);
  try {
    await assert.rejects(new Promise((res, rej) => calls.call('m', [], (err, v) => (err ? rej(err) : res(v)))), /closed|reset/i);
    // And the next call opens a new connection rather than reusing the dead one.
    await assert.rejects(new Promise((res, rej) => calls.call('m', [], (err, v) => (err ? rej(err) : res(v)))), /closed|reset/i);
  } finally {
    calls.close();
    taker.close();
  }
});

test('a large answer, in many pieces, is read whole; at most 8 connections open to one peer, the other calls wait their turn', { timeout: 30_000 }, async () => {
  const server = new XmlRpcServer({ port: 0, maxBodyBytes: 16 * 1024 * 1024, bodyTimeoutMs: 10_000, onRefused: () => undefined });
  const sockets = new Set<net.Socket>();
  server.http.on('connection', (s: net.Socket) => sockets.add(s));
  // Answers wait a little, so that calls made at once overlap.
  server.on('slow', (params, respond) => setTimeout(() => respond(null, params), 20));
  server.on('big', (params, respond) => respond(null, 'x'.repeat((params as number[])[0])));
  const calls = new PeerCalls(await server.listening(), 16 * 1024 * 1024);
  const call = (method: string, params: unknown[]): Promise<unknown> => new Promise((res, rej) => calls.call(method, params, (err, v) => (err ? rej(err) : res(v))));
  try {
    const big = (await call('big', [3_000_000])) as string;
    assert.equal(big.length, 3_000_000);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call('slow', [i])));
    assert.deepEqual(answers, Array.from({ length: 20 }, (_, i) => [i]));
    assert.ok(sockets.size <= 8, `${sockets.size} connections were opened`);
    assert.ok(calls.connections <= 8);
  } finally {
    calls.close();
    server.close();
  }
});
