import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from '../../language/parser';
import { reparse } from '../../language/reparse';

const LINES = ['joinServer 0', 'joinClient 5 0', 'put 5 k v # note', '', '  get 5 k', '# comment', 'stabilize', 'printStore 0'];

test('reparse of an edited span gives exactly what a full parse gives', () => {
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let checked = 0;
  for (let round = 0; round < 2000; round++) {
    const oldLines = Array.from({ length: 3 + rand(10) }, () => LINES[rand(LINES.length)]);
    const start = rand(oldLines.length);
    const oldEnd = Math.min(oldLines.length - 1, start + rand(3));
    const inserted = Array.from({ length: 1 + rand(3) }, () => LINES[rand(LINES.length)]);
    const newLines = [...oldLines.slice(0, start), ...inserted, ...oldLines.slice(oldEnd + 1)];
    const old = parse(oldLines.join('\n'));
    const text = newLines.join('\n');
    const got = reparse(old, text, { start, oldEnd, newEnd: start + inserted.length - 1 });
    if (!got) continue;
    checked++;
    assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(parse(text))));
  }
  assert.ok(checked > 1500, `reparse declined too often: ${checked}`);
});
