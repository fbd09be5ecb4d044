import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ClusterEvent, ClusterSnapshot } from '../record/events';
import { runCommands, RunSettings } from '../cluster/runner';
import { analyze } from '../language/analyzer';
import { foreignMisfit } from '../cluster/nodeCommands';

/** The repository root, from out/test/ or test/. */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../..' : '..');
export const KVCMD = path.join(ROOT, 'bin', 'kvcmd.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `kvcmd` binary as a user would. */
export function runCli(args: string[], stdin?: string | Buffer, timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KVCMD, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kvcmd ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

export interface InProcessRun {
  stdout: string;
  snapshot: ClusterSnapshot;
  events: ClusterEvent[];
}

/** Runs a script file through the runner library (processes or model) and returns stdout and the final state. */
export function runFile(file: string, settings: Omit<RunSettings, 'signal'>): Promise<InProcessRun> {
  return runText(fs.readFileSync(file, 'utf8'), settings, file);
}

/** The same for a script's text (`name` says which in errors). */
export async function runText(text: string, settings: Omit<RunSettings, 'signal'>, name = 'the script'): Promise<InProcessRun> {
  const analysis = analyze(text);
  if (analysis.hasErrors) throw new Error(`${name} has errors`);
  const events: ClusterEvent[] = [];
  // What a node wrote on stderr (a crash report) goes into the failure's message.
  let nodeErrors = '';
  const process = { ...settings.process, onNodeError: (id: number | undefined, what: string) => (nodeErrors += `[node ${id ?? '?'}] ${what}`) };
  const result = await runCommands(analysis.commands, { ...settings, process }, (e) => events.push(e));
  if (!result.ok || !result.snapshot) throw new Error(`run of ${name} failed: ${result.error}${nodeErrors ? `\n${nodeErrors}` : ''}`);
  const stdout = events.filter((e) => e.type === 'stdout').map((e) => (e as { text: string }).text + '\n').join('');
  return { stdout, snapshot: result.snapshot, events };
}

export function samples(): string[] {
  const dir = path.join(ROOT, 'samples');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.kvcmd')).sort().map((f) => path.join(dir, f));
}

/** The samples a run with foreign nodes can run (docs/nodes.md): those without the network's fault commands. */
export function foreignSamples(): string[] {
  return samples().filter((f) => !analyze(fs.readFileSync(f, 'utf8')).commands.some((c) => foreignMisfit(c)));
}

export function clusterFixtures(): string[] {
  const dir = path.join(ROOT, 'test', 'fixtures', 'cluster');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.kvcmd')).sort().map((f) => path.join(dir, f));
}

/** Processes (other than the master itself) that inherited the environment tag KVCMD_TEST_TAG=tag. */
export function taggedProcesses(tag: string, except?: number): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === except || Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`KVCMD_TEST_TAG=${tag}`)) out.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** TCP ports in LISTEN state on 127.0.0.1 owned by the given pids' sockets, from /proc/net/tcp. */
export function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[3] === '0A') ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms for up to `ms`; says whether it came true (a bound, not a measure of speed). */
export async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}
