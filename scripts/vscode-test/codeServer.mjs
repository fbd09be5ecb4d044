// Starts and stops a private code-server (installed by ./setup.sh) bound to 127.0.0.1.
// Shared by run.mjs (extension tests) and ../playground.mjs (npm start).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const testDir = process.env.VSCODE_TEST_DIR || path.join(repoRoot, '.vscode-test');
export const node24 = path.join(testDir, 'node24/node_modules/node/bin/node');
export const codeServerEntry = path.join(testDir, 'code-server/node_modules/code-server/out/node/entry.js');

/** Runs setup.sh (idempotent, a fraction of a second when everything is present). */
export function ensureSetup() {
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts/vscode-test/setup.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/vscode-test/setup.sh failed (exit ${r.status})`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const defaultSettings = {
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false, 'security.workspace.trust.enabled': false, 'window.commandCenter': false,
  'chat.disableAIFeatures': true, 'workbench.tips.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
};

/** Private state for one code-server: user data, extensions, XDG dirs; removed by `stop()` unless kept. */
export function makeState(prefix = 'kvcmd-vscode-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, userData: path.join(dir, 'user-data'), extensions: path.join(dir, 'extensions'), xdg: path.join(dir, 'xdg') };
}

function env(state, extra) {
  return {
    ...process.env,
    PATH: `${path.dirname(node24)}:${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(state.xdg, 'config'), XDG_DATA_HOME: path.join(state.xdg, 'data'),
    XDG_CACHE_HOME: path.join(state.xdg, 'cache'),
    ...extra,
  };
}

function baseArgs(state) {
  return ['--user-data-dir', state.userData, '--extensions-dir', state.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'];
}

/** `code-server --install-extension <vsix>` into the private extensions dir. */
export function installExtension(state, vsix) {
  const r = spawnSync(node24, [codeServerEntry, ...baseArgs(state), '--install-extension', vsix],
    { env: env(state, {}), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--install-extension ${vsix} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Starts code-server in its own process group. Returns { port, origin, stop(), log() }.
 * options: state (from makeState), port, settings, env, args (extra CLI args), keepState.
 */
export async function startCodeServer({ state = makeState(), port, settings = {}, env: extraEnv = {}, args = [], keepState = false } = {}) {
  if (!existsSync(codeServerEntry) || !existsSync(node24)) throw new Error('code-server is not set up: run scripts/vscode-test/setup.sh');
  port = Number(port) || await freePort();
  mkdirSync(path.join(state.userData, 'User'), { recursive: true });
  writeFileSync(path.join(state.userData, 'User/settings.json'), JSON.stringify({ ...defaultSettings, ...settings }, null, 2));
  const config = path.join(state.dir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const child = spawn(node24, [codeServerEntry, '--config', config, ...baseArgs(state), ...args],
    { env: env(state, extraEnv), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (d) => { log += d; if (log.length > 2_000_000) log = log.slice(-1_000_000); };
  child.stdout.on('data', collect); child.stderr.on('data', collect);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let alive = true; exited.then(() => { alive = false; });

  const killGroup = (sig) => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } };
  const onExit = () => { killGroup('SIGKILL'); if (!keepState) rmSync(state.dir, { recursive: true, force: true }); };
  process.on('exit', onExit);   // last resort: never leave the group behind

  let stopping;
  const stop = () => stopping ??= (async () => {
    killGroup('SIGTERM');   // the whole group: code-server, its extension hosts, watchers, servers they forked
    const t = setTimeout(() => killGroup('SIGKILL'), 3000);
    await exited; clearTimeout(t);
    // Children that ignored SIGTERM may outlive the leader: give them a moment, then SIGKILL the group.
    await new Promise((r) => setTimeout(r, 300));
    killGroup('SIGKILL');
    process.off('exit', onExit);
    if (!keepState) rmSync(state.dir, { recursive: true, force: true });
  })();

  const origin = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (!alive) throw new Error(`code-server exited at startup:\n${log}`);
    try { if ((await fetch(`${origin}/healthz`)).ok) break; } catch { /* not listening yet */ }
    if (Date.now() - t0 > 30_000) { await stop(); throw new Error(`code-server did not answer within 30 s:\n${log}`); }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { port, origin, state, pid: child.pid, stop, exited, log: () => log };
}

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: chromiumArgs });
}
