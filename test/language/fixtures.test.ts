import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../language/analyzer';
import { decodeScript } from '../../language/decode';

// Compiled tests run from out/test/language, the fixtures stay in the source tree.
const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'language');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.kvcmd')).sort();

test('there are fixtures to check', () => {
  assert.ok(scripts.length >= 3, `found ${scripts.join(', ')}`);
});

for (const file of scripts) {
  test(`fixture ${file} gives the diagnostics in its .diagnostics file`, () => {
    const { text, diagnostics: encoding } = decodeScript(readFileSync(join(dir, file)));
    const a = analyze(text);
    const got = [...encoding, ...a.diagnostics].map((d) =>
      `${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}`);
    const expected = readFileSync(join(dir, file.replace(/\.kvcmd$/, '.diagnostics')), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l !== '');
    assert.deepEqual(got, expected);
  });
}
