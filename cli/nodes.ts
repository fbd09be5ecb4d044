// The command line's side of foreign nodes (docs/nodes.md): --server-cmd and --client-cmd with
// the kvcmd.json beside the script, resolved into the run's NodeCommands; and `kvcmd node`,
// kvcmd's own node run as a program.
import { configDirOf, NodeCommands, NodeConfigError, readConfigFile, resolveNodeCommands } from '../cluster/nodeCommands';
import { UsageError } from './args';

/**
 * The node commands of a run: the flags, else the kvcmd.json beside the script (a script on
 * stdin: in the working directory), role by role; undefined when neither names one. A mistake
 * in either is a usage error, reported before anything runs.
 */
export function nodeCommandsOf(flags: { serverCmd: readonly string[]; clientCmd: readonly string[] }, script: string | undefined): NodeCommands | undefined {
  try {
    const given = flags.serverCmd.length + flags.clientCmd.length > 0
      ? { server: flags.serverCmd, client: flags.clientCmd, cwd: process.cwd(), origin: '--server-cmd/--client-cmd' }
      : undefined;
    return resolveNodeCommands([given, readConfigFile(configDirOf(script))]);
  } catch (err) {
    if (err instanceof NodeConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** One stderr line saying which nodes a run starts, so that a run's output says what produced it. */
export function describeNodes(nodes: NodeCommands): string {
  const role = (r: 'server' | 'client'): string => {
    const list = nodes[r];
    if (list.length === 0) return `${r}s: kvcmd's own`;
    const parts = list.map((c) => (c.ids ? `${c.ids.join(',')}=${c.text}` : c.text));
    return `${r}s: ${parts.join('; ')}${list.every((c) => c.ids) ? "; others kvcmd's own" : ''}`;
  };
  return `kvcmd: nodes from ${nodes.origin}: ${role('server')}; ${role('client')}\n`;
}

/** `kvcmd node [PORT]`: kvcmd's own node as a program speaking docs/nodes.md; runs until shut down. */
export async function runNodeCommand(argv: readonly string[]): Promise<number> {
  const rest = argv.slice(argv.indexOf('node') + 1);
  if (rest.length > 1 || (rest.length === 1 && !/^[0-9]{1,5}$/.test(rest[0]))) throw new UsageError('usage: kvcmd node [PORT] (the secret in KVCMD_SECRET; docs/nodes.md)');
  const { SECRET_ENV } = await import('../cluster/nodeProtocol.js');
  const secret = process.env[SECRET_ENV];
  if (!secret) throw new UsageError(`kvcmd node: no secret in ${SECRET_ENV}: a node is started by a kvcmd run (docs/nodes.md)`);
  const { runExternalNode } = await import('../cluster/externalNode.js');
  return new Promise((resolve) => {
    // Ends with the run: at the end of stdin (kvcmd's pipe), at shutdown, or when killed.
    process.stdin.on('end', () => resolve(0));
    process.stdin.resume();
    runExternalNode({
      port: rest.length === 1 ? Number(rest[0]) : 0,
      secret,
      out: (line) => process.stdout.write(line),
      err: (text) => process.stderr.write(text),
      exit: (code) => resolve(code),
    }).catch((err: unknown) => {
      process.stderr.write(`kvcmd node: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
      resolve(1);
    });
  });
}
