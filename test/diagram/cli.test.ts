import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, UsageError } from '../../cli/args';
import { SHIVIZ_REGEX } from '../../diagram/shiviz';
import { ClusterEvent } from '../../record/events';
import { ROOT, runCli, taggedProcesses } from '../helpers';
import { closeBrowser, dataset, drawnWhileScrolling, open, TMP } from './browser';

after(closeBrowser);

const SAMPLE = path.join(ROOT, 'samples', '03-partition.kvcmd');
const readRecord = (file: string): ClusterEvent[] =>
  fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ClusterEvent | { type: 'snapshot' }).filter((e): e is ClusterEvent => e.type !== 'snapshot');

test('kvcmd run --diagram --shiviz with real processes: both files; the page draws every message of the run', async () => {
  const html = path.join(TMP, 'real.html'), log = path.join(TMP, 'real.log'), events = path.join(TMP, 'model.jsonl');
  const r = await runCli(['run', 'samples/03-partition.kvcmd', '--seed', '7', '--diagram', html, '--shiviz', log], '', 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, fs.readFileSync(path.join(ROOT, 'samples', '03-partition.expected'), 'utf8'), 'stdout is the script\'s output, untouched');
  assert.match(r.stderr, /diagram of \d+ messages written to .*real\.html/);
  assert.match(r.stderr, /ShiViz log written to .*real\.log/);
  assert.equal(fs.readFileSync(log, 'utf8').split('\n')[0], SHIVIZ_REGEX);

  const m = await runCli(['run', SAMPLE, '--seed', '7', '--model', '--events', events], '', 30_000);
  assert.equal(m.code, 0, m.stderr);
  const sends = readRecord(events).filter((e) => e.type === 'send');
  assert.ok(sends.length > 20);

  const { page, problems } = await open(html);
  try {
    assert.equal(Number((await dataset(page)).arrows), sends.length);
    const drawn = await drawnWhileScrolling(page);
    assert.equal(drawn.size, sends.length, 'every arrow is drawn at some scroll position');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('--diagram and --shiviz work with --model and in interactive mode (stdin line by line)', async () => {
  const html = path.join(TMP, 'model.html'), log = path.join(TMP, 'interactive.log'), html2 = path.join(TMP, 'interactive.html');
  const r = await runCli(['run', SAMPLE, '--seed', '7', '--model', `--diagram=${html}`], '', 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.readFileSync(html, 'utf8').startsWith('<!DOCTYPE html>'));

  const script = 'joinServer 0\njoinServer 1\njoinClient 5 0\nput 5 k v\nget 5 k\n';
  const i = await runCli(['run', '--interactive', '--model', '--seed', '3', '--shiviz', log, '--diagram', html2], script, 30_000);
  assert.equal(i.code, 0, i.stderr);
  assert.equal(i.stdout, 'k:v\n');
  const text = fs.readFileSync(log, 'utf8');
  assert.ok(text.includes('\nclient5 {') && text.includes('send put 5.1 to server0'), text.slice(0, 400));
  const page = fs.readFileSync(html2, 'utf8');
  assert.ok(page.includes('"scriptLines":["joinServer 0","joinServer 1","joinClient 5 0","put 5 k v","get 5 k"]'));
});

test("'-' is refused for --diagram and --shiviz: a usage error naming the flag, exit 2, nothing started", async () => {
  for (const args of [['--diagram', '-'], ['--shiviz=-'], ['--diagram=']]) {
    const tag = `diagram-dash-${process.pid}-${args.join('')}`;
    const r = await runCli(['run', SAMPLE, ...args], '', 10_000, { KVCMD_TEST_TAG: tag });
    assert.equal(r.code, 2, r.stderr);
    const flag = args[0].split('=')[0];
    assert.match(r.stderr, new RegExp(`^kvcmd: ${flag} needs a file name`), r.stderr);
    assert.match(r.stderr, /Try 'kvcmd --help'/);
    assert.equal(r.stdout, '');
    assert.deepEqual(taggedProcesses(tag), []);
  }
  assert.throws(() => parseArgs(['run', 'x', '--shiviz']), (e) => e instanceof UsageError && /--shiviz needs a value/.test(e.message));
  assert.deepEqual(parseArgs(['run', 'x', '--diagram', 'a.html', '--shiviz=b.log']).diagram, 'a.html');
});
