// `npm test`: every suite in turn (unit and processes, grammar, real VS Code, the packaged vsix), their output passed
// through, then one closing line that counts them all: "tests: N passed, M failed".
import { spawn } from 'node:child_process';

const stages = [
  // First, what the other stages need from outside the repo: Debian's headless Chromium (the
  // diagram's browser tests among the unit tests use it) and code-server. Idempotent, seconds when ready.
  { name: 'setup', cmd: ['bash', 'scripts/vscode-test/setup.sh'], count: () => ({ passed: 0, failed: 0 }) },
  { name: 'node:test', cmd: ['npm', 'run', '--silent', 'test:unit'], count: (out) => ({ passed: last(out, /^# pass (\d+)/gm), failed: last(out, /^# fail (\d+)/gm) }) },
  { name: 'grammar', cmd: ['npm', 'run', '--silent', 'test:grammar'], count: (out) => ({ passed: all(out, /run successfuly/g), failed: all(out, /^\s*✖|failed/gm) }) },
  { name: 'vscode', cmd: ['npm', 'run', '--silent', 'test:vscode'], count: mocha },
  // The same suite against the packaged extension as a user installs it.
  { name: 'vscode (installed kvcmd.vsix)', cmd: ['npm', 'run', '--silent', 'test:vsix'], count: mocha },
];

function mocha(out) {
  return { passed: last(out, /(\d+) passing/g), failed: last(out, /(\d+) failing/g) };
}

function last(text, re) {
  let n = 0;
  for (const m of text.matchAll(re)) n = Number(m[1]);
  return n;
}

function all(text, re) {
  return [...text.matchAll(re)].length;
}

function run(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (stream, to) => stream.on('data', (d) => { out += d; to.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, out: out.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

let passed = 0, failed = 0, broken = [];
for (const stage of stages) {
  const { code, out } = await run(stage.cmd);
  const c = stage.count(out);
  passed += c.passed;
  failed += c.failed;
  if (code !== 0) broken.push(`${stage.name} (exit ${code})`);
  console.log(`[test] ${stage.name}: ${c.passed} passed, ${c.failed} failed${code !== 0 ? `, exit ${code}` : ''}`);
}
if (broken.length > 0 && failed === 0) failed = broken.length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(broken.length > 0 ? 1 : 0);
