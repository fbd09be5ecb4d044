// The single description of the language. Parser, analyzer, CLI help, completion and hover
// all read this table, so a command documented here is a command that is checked here.

export type CommandName =
  | 'joinServer' | 'killServer' | 'joinClient' | 'breakConnection' | 'createConnection'
  | 'stabilize' | 'printStore' | 'put' | 'get' | 'sleep'
  | 'delay' | 'drop' | 'duplicate' | 'heal' | 'pauseServer' | 'resumeServer';

/**
 * What an argument stands for. The id roles tell the analyzer which kind of node the
 * id must (or must not yet) be: `newServer`/`newClient` are being joined, `peer` may be either,
 * `node` is any node that has joined or `*` for every node (the faults of the network).
 * `ms` is a duration, `probability` a number from 0 to 1.
 */
export type ArgRole = 'newServer' | 'server' | 'newClient' | 'client' | 'peer' | 'node' | 'key' | 'value' | 'ms' | 'probability';

/**
 * `optional`: the argument may be left out (only trailing arguments are). A `#` token is never an
 * optional argument: once the required ones are there, it starts a comment (parser.ts).
 */
export interface ArgSpec { name: string; role: ArgRole; doc: string; optional?: boolean }

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
// The two ends of a fault: messages go from the first to the second (one direction only).
const fromArg: ArgSpec = { name: 'from', role: 'node', doc: 'The sending node: a server or client id joined earlier, or `*` for any node.' };
const toArg: ArgSpec = { name: 'to', role: 'node', doc: 'The receiving node: a server or client id joined earlier, or `*` for any node.' };
const probabilityArg = (doc: string): ArgSpec => ({ name: 'p', role: 'probability', doc: `${doc} A number from 0 to 1, like \`0.25\`; 0 turns it off.` });
const FAULT_NOTE = ' Faults act on the sending side of the link, with a generator seeded from the run\'s seed and the link, ' +
  'so the same seed replays the same faults. They touch messages between nodes only (put, get, gossip and their ' +
  'replies; stabilize\'s messages are delayed but never lost or doubled), never the script\'s own commands.';

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
  {
    name: 'delay',
    changesTopology: false,
    args: [fromArg, toArg,
      { name: 'ms', role: 'ms', doc: 'Milliseconds every message takes, from 0 to 600000; 0 ends the delay.' },
      { name: 'maxms', role: 'ms', optional: true, doc: 'If given, each message takes a random time from `<ms>` to `<maxms>` instead (at least `<ms>`).' }],
    summary: 'Slow down the messages one node sends another.',
    doc: 'From now on every message `<from>` sends to `<to>` arrives `<ms>` milliseconds late, or a random time between ' +
      '`<ms>` and `<maxms>`, so messages on the link may overtake each other. In `--gossip async` a `get` may then read ' +
      'an older value while the gossip is on its way; in `settled` the script still waits for it. The model counts ' +
      'the same milliseconds on a clock of its own.' + FAULT_NOTE,
    snippet: 'delay ${1:0} ${2:1} ${3:100}',
    example: 'delay 0 1 200',
  },
  {
    name: 'drop',
    changesTopology: false,
    args: [fromArg, toArg, probabilityArg('The chance that each message is lost.')],
    summary: 'Lose some of the messages one node sends another.',
    doc: 'From now on each message `<from>` sends to `<to>` is lost with probability `<p>`. A lost request is not ' +
      'processed; a lost reply was. Either way the node waiting for the reply learns after the link\'s delay that ' +
      'it will not come, as over a cut link: a client tries another of its servers, a gossip flood counts that ' +
      'server as not reached (it stays behind until a later write or `stabilize`).' + FAULT_NOTE,
    snippet: 'drop ${1:0} ${2:1} ${3:1}',
    example: 'drop 0 1 0.5',
  },
  {
    name: 'duplicate',
    changesTopology: false,
    args: [fromArg, toArg, probabilityArg('The chance that each message arrives twice.')],
    summary: 'Deliver some of the messages one node sends another twice.',
    doc: 'From now on each message `<from>` sends to `<to>` arrives twice with probability `<p>`, the copy right ' +
      'after the original. The receiver handles a message once: it recognises the copy by its sender and number ' +
      'and discards it, so a duplicate changes nothing but the record and the diagram, where it is drawn twice.' + FAULT_NOTE,
    snippet: 'duplicate ${1:0} ${2:1} ${3:1}',
    example: 'duplicate * * 0.1',
  },
  {
    name: 'heal',
    changesTopology: false,
    args: [fromArg, toArg],
    summary: 'End every fault on the messages one node sends another.',
    doc: 'Messages `<from>` sends to `<to>` travel normally again: no delay, no loss, no copies. The latest command ' +
      'that names a pair wins, so `heal * *` ends every fault and `heal 0 1` after `drop * * 1` spares that one ' +
      'direction. Messages already on their way keep their fate.',
    snippet: 'heal ${1:*} ${2:*}',
    example: 'heal * *',
  },
  {
    name: 'pauseServer',
    changesTopology: false,
    args: [serverArg('A live server.')],
    summary: 'Freeze a server: it handles nothing until resumed.',
    doc: 'Stops the server process (SIGSTOP; the model does the same). Its store and links stay, and whatever is sent ' +
      'to it waits until `resumeServer`. The script never waits for a paused server: a `put` or `get` whose request ' +
      'waits for one finishes when it is resumed (its result comes then), and so does a flood that waits for it. ' +
      '`printStore` of a paused server prints nothing, and `stabilize` is refused while any server is paused. ' +
      'A server still paused when the script ends is resumed first.',
    snippet: 'pauseServer ${1:0}',
    example: 'pauseServer 1',
  },
  {
    name: 'resumeServer',
    changesTopology: false,
    args: [serverArg('A paused server.')],
    summary: 'Let a paused server run again.',
    doc: 'Continues the server (SIGCONT). It handles what waited for it, and the script waits, one command at a time ' +
      'in script order, for each `put`, `get` or gossip flood that was waiting for this server, so their results ' +
      'come here, in the same order every run.',
    snippet: 'resumeServer ${1:0}',
    example: 'resumeServer 1',
  },
] as CommandSpec[]);

// Built once: the analyzer looks a command up on every line.
const byName = new Map<string, CommandSpec>(COMMANDS.map((c) => [c.name, c]));

/** Exact, case-sensitive lookup (command names are case-sensitive in the language). */
export function findCommand(name: string): CommandSpec | undefined {
  return byName.get(name);
}

/** `put <client> <key> <value>`, `delay <from> <to> <ms> [<maxms>]`: the form used in messages and help. */
export function usage(spec: CommandSpec): string {
  return [spec.name, ...spec.args.map((a) => (a.optional ? `[<${a.name}>]` : `<${a.name}>`))].join(' ');
}

/** How many arguments a command needs at least (its optional ones left out). */
export function requiredArgs(spec: CommandSpec): number {
  let n = 0;
  while (n < spec.args.length && !spec.args[n].optional) n++;
  return n;
}
