import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { toWire } from '../../cluster/wire';
import { XmlRpcTransport } from '../../cluster/xmlrpcTransport';
import type { Envelope } from '../../protocol/messages';

// The differential test (differential.test.ts) found, on a loaded machine, messages between two
// live nodes lost as `unreachable`: the receiver closed an idle keep-alive connection after Node's
// default 5 s just as the sender reused it (ECONNRESET). A node now keeps idle connections open.
test('a node does not close an idle keep-alive connection (its peer may be reusing it)', { timeout: 30_000 }, async () => {
  const t = new XmlRpcTransport((env) => {
    t.send({ from: env.to, to: env.from, id: 1, replyTo: env.id, counter: env.counter + 1, cause: env.cause, body: { type: 'putReply', key: 'k', stamp: { counter: 1, server: 0 } } });
  });
  t.setSecret('s3cret');
  const port = await t.listen();
  const socket = net.connect(port, '127.0.0.1');
  try {
    const env: Envelope = { from: 5, to: 0, id: 1, replyTo: 0, counter: 1, cause: { line: 1, step: 1 }, body: { type: 'put', key: 'k', value: 'v' } };
    const xml = callXml(toWire(env) as Record<string, unknown>, 's3cret');
    let received = '';
    let closed = false;
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('close', () => (closed = true));
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`);
    await until(() => received.includes('</methodResponse>'));
    assert.match(received, /putReply/);
    // Idle for longer than Node's default keep-alive timeout (5 s): the node must not hang up.
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(closed, false, 'the node closed an idle connection');
    assert.doesNotMatch(received, /Keep-Alive: timeout=/i, 'and it announces no idle timeout');
  } finally {
    socket.destroy();
    t.close();
  }
});

/** deliver(envelope, secret) as XML-RPC, for the few value types an envelope holds. */
function callXml(env: Record<string, unknown>, secret: string): string {
  const value = (v: unknown): string => {
    if (typeof v === 'number') return `<value><int>${v}</int></value>`;
    if (typeof v === 'string') return `<value><string>${v}</string></value>`;
    if (v === null) return '<value><nil/></value>';
    if (Array.isArray(v)) return `<value><array><data>${v.map(value).join('')}</data></array></value>`;
    return `<value><struct>${Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member><name>${k}</name>${value(x)}</member>`).join('')}</struct></value>`;
  };
  return `<?xml version="1.0"?><methodCall><methodName>deliver</methodName><params><param>${value(env)}</param><param>${value(secret)}</param></params></methodCall>`;
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), 'no answer');
}
