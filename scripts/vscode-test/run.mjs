#!/usr/bin/env node
// Runs the extension-host test suite inside a real VS Code with no internet: code-server (VS Code's
// workbench and Node extension host, set up by ./setup.sh) opened by Debian's headless Chromium
// through playwright-core. Exits with the suite's exit code.
//
// usage: node scripts/vscode-test/run.mjs [--extensionDevelopmentPath DIR] [--extensionTestsPath FILE]
//          [--workspace DIR] [--screenshot-dir DIR] [--grep RE] [--timeout SECONDS] [--skip-setup] [--verbose]
//          [--vsix FILE]
// --vsix installs FILE with `code-server --install-extension` and runs the suite against that installed
// copy (a stub extension takes the development-path slot), which checks what users actually get.
// Defaults: the repo, dist/test/extension/suite/index.js (built by `node esbuild.mjs`), test/fixtures/extension.
//
// Screenshots while tests run: with --screenshot-dir DIR the extension host sees KVCMD_SCREENSHOT_DIR=DIR;
// a test writes DIR/requests/NAME.json (see test/extension/suite/host.ts `screenshot()`), this runner
// notices it, shoots the workbench with Playwright and writes DIR/NAME.png (atomically).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { ensureSetup, installExtension, launchChromium, makeState, repoRoot, startCodeServer } from './codeServer.mjs';

const { values: o } = parseArgs({ options: {
  extensionDevelopmentPath: { type: 'string', default: repoRoot },
  extensionTestsPath: { type: 'string', default: path.join(repoRoot, 'dist/test/extension/suite/index.js') },
  workspace: { type: 'string', default: path.join(repoRoot, 'test/fixtures/extension') },
  'screenshot-dir': { type: 'string' }, grep: { type: 'string' }, vsix: { type: 'string' },
  timeout: { type: 'string', default: '300' }, 'skip-setup': { type: 'boolean' }, verbose: { type: 'boolean' },
} });
const say = (...a) => console.log('[vscode-test]', ...a);
let ext = path.resolve(o.extensionDevelopmentPath), tests = path.resolve(o.extensionTestsPath), ws = path.resolve(o.workspace);
for (const [what, p] of [['extension', path.join(ext, 'package.json')], ['test suite', tests], ['workspace', ws]])
  if (!existsSync(p)) { console.error(`[vscode-test] ${what} not found: ${p}${what === 'test suite' ? ' (run `node esbuild.mjs` first)' : ''}`); process.exit(2); }
const shots = o['screenshot-dir'] ? path.resolve(o['screenshot-dir']) : undefined;
if (shots) mkdirSync(path.join(shots, 'requests'), { recursive: true });

if (!o['skip-setup']) ensureSetup();
const t0 = Date.now();
let server, browser, code = 1, poller;
const cleanup = async () => {
  clearInterval(poller);
  await browser?.close().catch(() => {});
  await server?.stop();
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, async () => { say(`${sig}: stopping`); await cleanup(); process.exit(130); });

try {
  const state = makeState();
  if (o.vsix) {
    say(installExtension(state, path.resolve(o.vsix)).split('\n').pop());
    ext = path.join(state.dir, 'stub-extension');
    mkdirSync(ext);
    writeFileSync(path.join(ext, 'package.json'), JSON.stringify({ name: 'kvcmd-test-stub', publisher: 'kvcmd',
      version: '0.0.0', engines: { vscode: '*' } }));
  }
  server = await startCodeServer({
    state,
    args: ['--vscode-option', 'enable-smoke-test-driver'],   // without it the payload is ignored
    env: { KVCMD_SCREENSHOT_DIR: shots ?? '', KVCMD_TEST_GREP: o.grep ?? process.env.KVCMD_TEST_GREP ?? '' },
  });
  const host = `127.0.0.1:${server.port}`;
  say(`code-server ${server.origin} up in ${Date.now() - t0} ms`);
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${ext}`],
    ['extensionTestsPath', `vscode-remote://${host}${tests}`],
    ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']]);

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let finish; const finished = new Promise((r) => (finish = r));
  // The workbench's console arrives here too: mocha's output, plus offline chatter hidden unless --verbose.
  const chatter = /ENOTFOUND|^Resolv(ing|ed) connection token|^Creating a socket|reconnection-grace-time|builtin extensions cache|^\[(Service Worker|AgentHost|AccountPolicyGate)/;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (!o.verbose && chatter.test(String(args?.[0] ?? ''))) return;
    (console[type] ?? console.log)(...args);
  });
  await page.exposeFunction('codeAutomationExit', (c) => finish(c));
  if (o.verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.error('[browser pageerror]', e.message));
  const timer = setTimeout(() => finish('timeout'), Number(o.timeout) * 1000);

  if (shots) {
    let busy = false;
    poller = setInterval(async () => {
      if (busy) return; busy = true;
      try {
        for (const req of readdirSync(path.join(shots, 'requests')).filter((f) => f.endsWith('.json'))) {
          const name = req.slice(0, -5), tmp = path.join(shots, `.${name}.tmp.png`);
          await page.screenshot({ path: tmp });
          renameSync(tmp, path.join(shots, `${name}.png`));
          rmSync(path.join(shots, 'requests', req), { force: true });
          say(`screenshot ${path.join(shots, `${name}.png`)}`);
        }
      } catch (e) { say('screenshot failed:', e.message); } finally { busy = false; }
    }, 150);
  }

  await page.goto(`${server.origin}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  const result = await finished; clearTimeout(timer);
  code = result === 0 ? 0 : 1;
  say(`extension tests exit=${result} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0 || o.verbose) console.log(`[vscode-test] code-server log (tail):\n${server.log().split('\n').slice(-40).join('\n')}`);
} catch (e) {
  console.error('[vscode-test]', e);
} finally {
  await cleanup();
}
process.exit(code);
