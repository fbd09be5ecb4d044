#!/usr/bin/env node
// `npm start`: the kvcmd extension in VS Code in your browser. Packages the extension
// (`npm run package` -> kvcmd.vsix), sets up code-server (scripts/vscode-test/setup.sh), installs
// the .vsix into a private extensions dir and serves a scratch copy of samples/ on 127.0.0.1 with
// no auth. Ctrl-C stops code-server and everything it started (the whole process group).
// The workspace is .vscode-test/playground-workspace, not samples/ itself: what you try there is
// saved there, and samples/*.kvcmd keep matching their .expected files. A sample missing from the
// copy is copied again at each start; one already there is left as you edited it (delete the
// folder, or pass --fresh, to start over). Each setup step says what it does and how long it took.
//
// usage: node scripts/playground.mjs [--port N] [--workspace DIR] [--fresh] [--no-package]
//          [--screenshot PNG [--open FILE]]   (headless check: shoot the workbench, then stop)
// env: PORT (default: a free port)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSetup, installExtension, launchChromium, makeState, repoRoot, startCodeServer, testDir } from './vscode-test/codeServer.mjs';

const { values: o } = parseArgs({ options: {
  port: { type: 'string', default: process.env.PORT }, workspace: { type: 'string' },
  'no-package': { type: 'boolean' }, screenshot: { type: 'string' }, open: { type: 'string' }, fresh: { type: 'boolean' },
} });
const say = (...a) => console.log('[playground]', ...a);
/** Runs one setup step, saying what it does before and how long it took after. */
const step = async (what, fn) => {
  say(`${what}…`);
  const t0 = Date.now();
  const out = await fn();
  const s = (Date.now() - t0) / 1000;
  say(`  done in ${s < 10 ? s.toFixed(1) : Math.round(s)} s`);
  return out;
};
const hasScripts = (d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.kvcmd'));

/** A scratch copy of samples/ (or of the test fixtures, in a checkout without samples): missing files are copied, edited ones kept. */
function scratchWorkspace() {
  const from = hasScripts(path.join(repoRoot, 'samples')) ? path.join(repoRoot, 'samples') : path.join(repoRoot, 'test/fixtures/extension');
  const to = path.join(testDir, 'playground-workspace');
  if (o.fresh) rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  let copied = 0;
  for (const f of readdirSync(from)) {
    if (!/\.(kvcmd|expected)$/.test(f) || existsSync(path.join(to, f))) continue;
    copyFileSync(path.join(from, f), path.join(to, f));
    copied++;
  }
  return { ws: to, note: `${copied} file(s) copied from ${path.relative(repoRoot, from)}/, the others kept as edited` };
}

const ws = o.workspace ? path.resolve(o.workspace) : await step('preparing the workspace (a scratch copy of samples/)', () => {
  const { ws: dir, note } = scratchWorkspace();
  say(`  ${path.relative(repoRoot, dir)}: ${note}`);
  return dir;
});
const vsix = path.join(repoRoot, 'kvcmd.vsix');

if (!o['no-package']) {
  await step('packaging the extension (npm run package -> kvcmd.vsix)', () => {
    const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) { console.error('[playground] `npm run package` failed'); process.exit(1); }
  });
}
if (!existsSync(vsix)) { console.error(`[playground] ${vsix} missing: run \`npm run package\``); process.exit(1); }
const cold = !existsSync(path.join(testDir, 'code-server'));
await step(cold
  ? 'setting up code-server, Chromium and Node 24 in .vscode-test/ (first time: about 2 minutes and 800 MB; later starts skip this)'
  : 'checking the code-server setup in .vscode-test/', () => ensureSetup());

const state = makeState('kvcmd-playground-');
await step('installing kvcmd.vsix into a private code-server profile', () => say(`  ${installExtension(state, vsix).split('\n').pop()}`));
const server = await step('starting code-server', () => startCodeServer({ state, port: o.port }));
const url = `${server.origin}/?folder=${encodeURIComponent(ws)}`;
let stopping = false;
const stop = async (why) => {
  if (stopping) return; stopping = true;
  say(`${why}: stopping code-server`);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
server.exited.then(({ code, signal }) => { if (!stopping) { console.error(`[playground] code-server exited (${code ?? signal}):\n${server.log().slice(-3000)}`); process.exit(1); } });

say(`workspace ${ws}`);
say(`open ${url}`);

if (o.screenshot) {
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
    const file = o.open ?? readdirSync(ws).filter((f) => f.endsWith('.kvcmd')).sort()[0];
    if (file) {  // open the sample from the Explorer, as a user would
      const row = page.getByRole('treeitem', { name: file, exact: true });
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 20_000 });
    }
    await page.waitForTimeout(3000);   // activation, highlighting, diagnostics
    mkdirSync(path.dirname(path.resolve(o.screenshot)), { recursive: true });
    await page.screenshot({ path: o.screenshot });
    say(`screenshot ${path.resolve(o.screenshot)}`);
  } catch (e) {
    console.error('[playground] screenshot failed:', e);
    await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: path.resolve(o.screenshot) }).catch(() => {});
    process.exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
    stopping = true; await server.stop();
  }
  process.exit(process.exitCode ?? 0);
}
say('Ctrl-C to stop');
