// The run settings (package.json contributes.configuration), read fresh for every run so a change
// applies to the next run without a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NodeConfigError, readConfigFile, resolveNodeCommands, type NodeCommands } from '../cluster/nodeCommands';
import { DEFAULT_PROTOCOL, GOSSIP_MODES, isProtocolName, PROTOCOLS, type GossipMode, type ProtocolName } from '../protocol/messages';

export interface RunConfig {
  gossip: GossipMode;
  /** The protocol of a script without a `# kvcmd: protocol=` directive. */
  protocol: ProtocolName;
  /** undefined: pick a random seed for this run (it is then reported so the run can be repeated). */
  seed: number | undefined;
  /** undefined: the Node.js that runs the extension host. */
  nodePath: string | undefined;
  /** Set when a setting had to be ignored, so the run log can say why. */
  warnings: string[];
  /** Foreign nodes (docs/nodes.md): the kvcmd.json beside the script, else the serverCommand/clientCommand settings. */
  nodes?: NodeCommands;
  /** Why those could not be read: a run must not quietly fall back to kvcmd's own nodes. */
  nodesError?: string;
}

const MAX_SEED = 2 ** 31 - 1;

export function readRunConfig(scope?: vscode.Uri): RunConfig {
  const cfg = vscode.workspace.getConfiguration('kvcmd', scope);
  const warnings: string[] = [];

  const rawGossip = cfg.get<string>('gossip', 'settled');
  const gossip = (GOSSIP_MODES as readonly string[]).includes(rawGossip) ? (rawGossip as GossipMode) : 'settled';
  if (gossip !== rawGossip) warnings.push(`kvcmd.gossip '${rawGossip}' is not settled|async|off: using settled`);

  const rawProtocol = cfg.get<string>('protocol', DEFAULT_PROTOCOL);
  const protocol = isProtocolName(rawProtocol) ? rawProtocol : DEFAULT_PROTOCOL;
  if (protocol !== rawProtocol) warnings.push(`kvcmd.protocol '${rawProtocol}' is not ${PROTOCOLS.join('|')}: using ${DEFAULT_PROTOCOL}`);

  // The setting is a string so that "empty" can mean random in the Settings UI; a number written
  // by hand in settings.json is accepted too.
  const rawSeed = cfg.get<string | number | null>('seed', '');
  let seed: number | undefined;
  const seedText = rawSeed === null || rawSeed === undefined ? '' : String(rawSeed).trim();
  if (seedText !== '') {
    if (/^[0-9]+$/.test(seedText) && Number(seedText) <= MAX_SEED) seed = Number(seedText);
    else warnings.push(`kvcmd.seed '${seedText}' is not an integer from 0 to ${MAX_SEED}: using a random seed`);
  }

  const nodePath = cfg.get<string>('nodePath', '').trim() || undefined;
  return { gossip, protocol, seed, nodePath, warnings, ...nodesOf(cfg, scope) };
}

/** The script's kvcmd.json wins over the settings, which run in the workspace folder. */
function nodesOf(cfg: vscode.WorkspaceConfiguration, scope: vscode.Uri | undefined): Pick<RunConfig, 'nodes' | 'nodesError'> {
  const dir = scope?.scheme === 'file' ? path.dirname(scope.fsPath) : undefined;
  const cwd = (scope && vscode.workspace.getWorkspaceFolder(scope)?.uri.fsPath) ?? dir ?? process.cwd();
  try {
    const nodes = resolveNodeCommands([
      dir === undefined ? undefined : readConfigFile(dir),
      { server: cfg.get<string>('serverCommand', ''), client: cfg.get<string>('clientCommand', ''), cwd, origin: 'settings kvcmd.serverCommand/clientCommand' },
    ]);
    return nodes ? { nodes } : {};
  } catch (err) {
    if (err instanceof NodeConfigError) return { nodesError: err.message };
    throw err;
  }
}
