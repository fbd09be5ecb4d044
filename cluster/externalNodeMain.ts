// Entry of kvcmd's own node run as a program (cluster/externalNode.ts): what a run with foreign
// nodes starts for every node it has no command for, so that mixed clusters hold kvcmd's nodes
// speaking the same documented protocol. Usage: externalNodeMain.js [PORT], the secret in
// KVCMD_SECRET (docs/nodes.md).
import { runExternalNode } from './externalNode';
import { SECRET_ENV } from './nodeProtocol';

const secret = process.env[SECRET_ENV];
const portArg = process.argv[2];
if (!secret) {
  process.stderr.write(`kvcmd node: no secret in ${SECRET_ENV}: a node is started by a kvcmd run (docs/nodes.md)\n`);
  process.exit(2);
}
if (portArg !== undefined && !/^[0-9]{1,5}$/.test(portArg)) {
  process.stderr.write(`kvcmd node: '${portArg}' is not a port\n`);
  process.exit(2);
}
// The run ends, even by SIGKILL of kvcmd: stdin (a pipe from kvcmd) reaches its end. The process
// group is killed too (cluster/commandHost.ts); this is the node doing its part.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
runExternalNode({
  port: portArg === undefined ? 0 : Number(portArg),
  secret,
  out: (line) => process.stdout.write(line),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
}).catch((err: unknown) => {
  process.stderr.write(`kvcmd node: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
