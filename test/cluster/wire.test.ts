import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { fromWire, toWire, toWireText } from '../../cluster/wire';
import { Envelope } from '../../protocol/messages';
import { runCli } from '../helpers';

// The package's own XML writer, which refuses characters XML 1.0 cannot carry.
const xmlrpcSerializer = require('xmlrpc/lib/serializer') as { serializeMethodCall(method: string, params: unknown[]): string };

const awkward = ['a\u0001b', 'x\u007f\u0080y', '\uffff', '\ufffe', 'lone\ud800', '😀', 'plain', 'a<b>&"c\''];

test('strings XML cannot carry survive the wire exactly, and the XML is valid', () => {
  for (const s of awkward) {
    const env: Envelope = { from: 1, to: 2, id: 3, replyTo: 0, counter: 4, cause: { line: 7, step: 2 }, body: { type: 'put', key: s, value: s } };
    // Both forms: the struct of docs/nodes.md, and the JSON text kvcmd's own nodes send each other.
    for (const encode of [toWire, (e: Envelope) => toWireText(e)]) {
      const wire = encode(env);
      assert.doesNotThrow(() => xmlrpcSerializer.serializeMethodCall('deliver', [wire]));
      assert.deepEqual(fromWire(wire), env);
      const install: Envelope = { ...env, body: { type: 'install', epoch: 1, entries: [{ key: s, value: s, stamp: { counter: 9, server: 2 } }, { key: 'v', value: s, stamp: { counter: 9, server: 2, vector: { 2: 9 } } }] } };
      assert.deepEqual(fromWire(encode(install)), install);
    }
    // The text needs nothing of XML: no character the package would escape or put in CDATA.
    assert.doesNotMatch(toWireText(env), /[<>&\uFFFE\uFFFF]/);
  }
});

test('a script with control characters and emoji in keys and values runs through real processes', async () => {
  const file = path.join(os.tmpdir(), `kvcmd-wire-${process.pid}.kvcmd`);
  fs.writeFileSync(file, 'joinServer 0\njoinServer 1\njoinClient 5 0\njoinClient 6 1\nput 5 k a\u0001b\uffff\nget 6 k\nput 5 \u0002😀 v\u0003\nstabilize\nprintStore 1\n');
  const real = await runCli(['run', file, '--seed', '1']);
  const model = await runCli(['run', file, '--seed', '1', '--model']);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(real.stdout, 'k:a\u0001b\uffff\n\u0002😀:v\u0003\nk:a\u0001b\uffff\n');
  assert.equal(model.stdout, real.stdout);
});
