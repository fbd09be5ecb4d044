import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeScript, firstInvalidByte } from '../../language/decode';
import { formatDiagnostic } from '../../language/diagnostics';
import { r } from './helpers';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('valid UTF-8 decodes without diagnostics, BOM dropped', () => {
  const d = decodeScript(bytes([0xef, 0xbb, 0xbf], 'put 1 ké 😀\n'));
  assert.equal(d.text, 'put 1 ké 😀\n');
  assert.deepEqual(d.diagnostics, []);
});

test('the first bad byte is located by line and UTF-16 column', () => {
  const d = decodeScript(bytes('joinServer 0\nput 1 é😀', [0xff], ' v\n', [0xc3]));
  assert.equal(d.diagnostics.length, 1);
  const diag = d.diagnostics[0];
  assert.equal(diag.code, 'bad-encoding');
  assert.equal(diag.severity, 'error');
  assert.equal(r(diag.range), '1:9-1:10');
  assert.equal(formatDiagnostic('f', diag), 'f:2:10: error: invalid UTF-8 (byte 0xFF); kvcmd scripts must be saved as UTF-8 text');
  assert.ok(d.text.includes('\uFFFD'), 'the text is still returned for further checking');
});

test('a BOM does not shift the reported column', () => {
  const d = decodeScript(bytes([0xef, 0xbb, 0xbf], 'ab', [0x80]));
  assert.equal(r(d.diagnostics[0].range), '0:2-0:3');
});

test('ill-formed sequences per the Unicode standard', () => {
  assert.equal(firstInvalidByte(bytes('ok')), -1);
  assert.equal(firstInvalidByte(bytes('a', [0xc0, 0x80])), 1, 'overlong');
  assert.equal(firstInvalidByte(bytes('ab', [0xed, 0xa0, 0x80])), 2, 'surrogate');
  assert.equal(firstInvalidByte(bytes([0xf4, 0x90, 0x80, 0x80])), 0, 'beyond U+10FFFF');
  assert.equal(firstInvalidByte(bytes('é', [0xe2, 0x82])), 2, 'truncated at end');
  assert.equal(firstInvalidByte(bytes([0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])), -1);
});

test('agrees with TextDecoder on random garbage', () => {
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let k = 0; k < 500; k++) {
    const b = Uint8Array.from({ length: 1 + (k % 12) }, rand);
    let valid = true;
    try { new TextDecoder('utf-8', { fatal: true }).decode(b); } catch { valid = false; }
    assert.equal(firstInvalidByte(b) === -1, valid, Buffer.from(b).toString('hex'));
  }
});
