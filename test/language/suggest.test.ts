import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, suggestCommand } from '../../language/suggest';

test('case slips win outright', () => {
  assert.equal(suggestCommand('JoinServer'), 'joinServer');
  assert.equal(suggestCommand('PRINTSTORE'), 'printStore');
  assert.equal(suggestCommand('Get'), 'get');
});

test('typos within two edits, a transposition counting as one', () => {
  assert.equal(suggestCommand('stablize'), 'stabilize');
  assert.equal(suggestCommand('putt'), 'put');
  assert.equal(suggestCommand('kilServer'), 'killServer');
  assert.equal(suggestCommand('jionClient'), 'joinClient');
  assert.equal(suggestCommand('breakConection'), 'breakConnection');
  assert.equal(suggestCommand('slep'), 'sleep');
});

test('nothing close enough gives no suggestion', () => {
  assert.equal(suggestCommand('frobnicate'), undefined);
  assert.equal(suggestCommand('x'.repeat(1 << 20)), undefined);
  assert.equal(suggestCommand('xyzzy'), undefined);
});

test('editDistance is optimal string alignment', () => {
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'put'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('a', 'abcdef', 2), 3, 'gives up early past the limit');
});
