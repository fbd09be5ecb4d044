// The single description of the language. Parser, analyzer, CLI help, completion and hover
// all read this table, so a command documented here is a command that is checked here.

export type CommandName =
  | 'joinServer' | 'killServer' | 'joinClient' | 'breakConnection' | 'createConnection'
  | 'stabilize' | 'printStore' | 'put' | 'get' | 'sleep';

/**
 * What an argument stands for. The id roles tell the analyzer which kind of node the
 * id must (or must not yet) be: `newServer`/`newClient` are being joined, `peer` may be either.
 */
export type ArgRole = 'newServer' | 'server' | 'newClient' | 'client' | 'peer' | 'key' | 'value' | 'ms';

export interface ArgSpec { name: string; role: ArgRole; doc: string }

export interface CommandSpec {
  name: CommandName;
  args: ArgSpec[];
  /**
   * Whether the command can change the cluster's topology (who is alive, who is linked to whom),
   * and with it what every later line of the script is checked against.
   */
  changesTopology: boolean;
  summary: string;
  doc: string;
  /**
   * The command with numbered placeholders whose default texts are well-formed (ids, a key, a
   * value, a duration), never a word like `server` that would be an error once inserted. Editors
   * that know the script offer ids valid at the line instead (lsp/completion.ts `snippetAt`).
   */
  snippet: string;
  example: string;
}

const serverArg = (doc: string): ArgSpec => ({ name: 'server', role: 'server', doc });
const clientArg = (doc: string): ArgSpec => ({ name: 'client', role: 'client', doc });
const peerArg = (name: string): ArgSpec => ({
  name, role: 'peer', doc: 'A server id or a client id (at most one of the two may be a client).',
});
const keyArg: ArgSpec = { name: 'key', role: 'key', doc: 'Any word without spaces and without `:`; case-sensitive.' };

export const COMMANDS: readonly CommandSpec[] = Object.freeze([
  {
    name: 'joinServer',
    changesTopology: true,
    args: [{ name: 'server', role: 'newServer', doc: 'A new id (a non-negative whole number) not used by any live server or any client.' }],
    summary: 'Start a new server and connect it to every live server.',
    doc: 'Starts a new server process with an empty store and links it to every server that is alive at this point. ' +
      'The id must not belong to a client, nor to a server that is still alive. A server that was killed may be joined ' +
      'again: it comes back as a brand-new, empty server.',
    snippet: 'joinServer ${1:0}',
    example: 'joinServer 0',
  },
  {
    name: 'killServer',
    changesTopology: true,
    args: [serverArg('The id of a server joined earlier.')],
    summary: 'Kill a server at once; its data is lost.',
    doc: 'Kills the server process immediately (like pulling the plug) and waits until it is gone. Everything it stored ' +
      'is lost, and all its links, to servers and to clients, disappear. Clients that were only linked to it can no ' +
      'longer `put` or `get` until you `createConnection` them to another server.',
    snippet: 'killServer ${1:0}',
    example: 'killServer 1',
  },
  {
    name: 'joinClient',
    changesTopology: true,
    args: [
      { name: 'client', role: 'newClient', doc: 'A new id not used by any server or client.' },
      serverArg('The server this client is linked to at first.'),
    ],
    summary: 'Start a new client linked to one server.',
    doc: 'Starts a new client process linked to the given server. The client id must be new: servers and clients share ' +
      'one id space, and clients never leave. If the server is dead the client starts with no link at all.',
    snippet: 'joinClient ${1:5} ${2:0}',
    example: 'joinClient 5 0',
  },
  {
    name: 'breakConnection',
    changesTopology: true,
    args: [peerArg('id1'), peerArg('id2')],
    summary: 'Cut the link between a client and a server, or between two servers.',
    doc: 'Cuts the link between the two nodes (in either order): from now on messages between them are lost, not ' +
      'queued. Two clients are never linked, so at least one id must be a server.',
    snippet: 'breakConnection ${1:0} ${2:1}',
    example: 'breakConnection 0 1',
  },
  {
    name: 'createConnection',
    changesTopology: true,
    args: [peerArg('id1'), peerArg('id2')],
    summary: 'Create or restore a link between a client and a server, or between two servers.',
    doc: 'Links the two nodes (in either order) so that messages flow between them again. At least one id must be a ' +
      'server; linking to a dead server does nothing.',
    snippet: 'createConnection ${1:0} ${2:1}',
    example: 'createConnection 0 1',
  },
  {
    name: 'stabilize',
    changesTopology: false,
    args: [],
    summary: 'Wait until every connected group of servers holds identical stores.',
    doc: 'Blocks until, in every group of live servers that can reach each other, all servers hold the same store. ' +
      'Servers in different groups (after a `breakConnection`) may still disagree.',
    snippet: 'stabilize',
    example: 'stabilize',
  },
  {
    name: 'printStore',
    changesTopology: false,
    args: [serverArg('The server whose store is printed.')],
    summary: "Print a server's whole store.",
    doc: 'Prints every entry of the server\'s store as `key:value`, one per line, sorted by key. An empty store prints ' +
      'nothing.',
    snippet: 'printStore ${1:0}',
    example: 'printStore 0',
  },
  {
    name: 'put',
    changesTopology: false,
    args: [clientArg('The client that writes.'), keyArg,
      { name: 'value', role: 'value', doc: 'Any word without spaces (`:` is allowed); case-sensitive.' }],
    summary: 'A client writes a value under a key.',
    doc: 'The client sends the write to one of its servers and waits until that server has applied it. The write then ' +
      'spreads to the other servers by gossip or by `stabilize`.',
    snippet: 'put ${1:5} ${2:key} ${3:value}',
    example: 'put 5 x 42',
  },
  {
    name: 'get',
    changesTopology: false,
    args: [clientArg('The client that reads.'), keyArg],
    summary: 'A client reads a key; the result is printed.',
    doc: 'The client asks one of its servers for the key and prints `key:value`, `key:ERR_KEY` when nobody has written ' +
      'it, or `key:ERR_DEP` when that server is behind what this client has already seen.',
    snippet: 'get ${1:5} ${2:key}',
    example: 'get 5 x',
  },
  {
    name: 'sleep',
    changesTopology: false,
    args: [{ name: 'ms', role: 'ms', doc: 'Milliseconds to wait, from 0 to 600000 (ten minutes).' }],
    summary: 'Pause the script for a while.',
    doc: 'The script pauses for the given number of milliseconds. It only makes a difference when gossip is ' +
      'asynchronous, where it gives messages time to travel.',
    snippet: 'sleep ${1:100}',
    example: 'sleep 100',
  },
] as CommandSpec[]);

// Built once: the analyzer looks a command up on every line.
const byName = new Map<string, CommandSpec>(COMMANDS.map((c) => [c.name, c]));

/** Exact, case-sensitive lookup (command names are case-sensitive in the language). */
export function findCommand(name: string): CommandSpec | undefined {
  return byName.get(name);
}

/** `put <client> <key> <value>`: the form used in messages and help. */
export function usage(spec: CommandSpec): string {
  return [spec.name, ...spec.args.map((a) => `<${a.name}>`)].join(' ');
}
