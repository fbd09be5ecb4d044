import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS } from '../../language/catalogue';
import { DIAGNOSTIC_CODES } from '../../language/diagnostics';
import { helpText } from '../../cli/help';
import { ROOT } from '../helpers';

const doc = (name: string): string => fs.readFileSync(path.join(ROOT, 'docs', name), 'utf8');

test('docs/README.md lists every reference file', () => {
  const index = doc('README.md');
  for (const f of ['language.md', 'output.md', 'protocol.md', 'cli.md', 'events.md']) assert.ok(index.includes(`(${f})`), f);
});

test('docs/language.md documents every command of the catalogue', () => {
  const language = doc('language.md');
  for (const c of COMMANDS) assert.ok(language.includes(`\`${c.name}`), c.name);
});

test('docs/language.md documents every diagnostic code, once in the table', () => {
  const language = doc('language.md');
  assert.ok(DIAGNOSTIC_CODES.length > 0 && Object.isFrozen(DIAGNOSTIC_CODES));
  for (const code of DIAGNOSTIC_CODES) {
    const rows = language.split('\n').filter((l) => l.startsWith(`| \`${code}\` |`));
    assert.equal(rows.length, 1, code);
    assert.match(rows[0], /^\| `[a-z-]+` \| (error|warning) \|/, code);
  }
});

test('docs/cli.md documents every option the help prints', () => {
  const cli = doc('cli.md');
  const flags = new Set(helpText().match(/--[a-z][a-z-]*/g) ?? []);
  assert.ok(flags.size >= 6, [...flags].join(' '));
  for (const flag of flags) assert.ok(cli.includes(`\`${flag}`), flag);
});

// The reference is the project's own: nothing points outside the repository to the contract it
// was built from. The patterns are assembled so that this file does not match itself.
const CONTRACT = 'SP' + 'EC';
const FORBIDDEN = [new RegExp(`${CONTRACT}\\.md`), new RegExp(`\\.\\./${'shar' + 'ed'}`), new RegExp(`\\b${CONTRACT} (section |§)?\\d`)];
const SOURCE_DIRS = ['language', 'protocol', 'cluster', 'record', 'cli', 'lsp', 'extension', 'bench', 'scripts', 'test', 'docs'];
const SKIP = new Set(['node_modules', 'out', 'dist', '.vscode-test', 'fixtures']);

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(ts|mts|js|mjs|md)$/.test(entry.name)) out.push(full);
  }
}

test('no file cites the external contract or its folder', () => {
  const files = fs.readdirSync(ROOT).filter((f) => f.endsWith('.md')).map((f) => path.join(ROOT, f));
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d), files);
  assert.ok(files.length > 50, `${files.length} files`);
  const hits: string[] = [];
  for (const file of files) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (FORBIDDEN.some((re) => re.test(line))) hits.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(hits, []);
});
