// Which program runs each node when the user brings their own (docs/nodes.md, "Running foreign
// nodes"): the `--server-cmd`/`--client-cmd` flags, a `kvcmd.json` beside the script, or the
// editor's settings. Only reading and checking the configuration is here; starting the programs
// is cluster/commandHost.ts.
import * as fs from 'fs';
import * as path from 'path';
import { isFaultCommand } from '../language/commands';
import type { NodeId, Role } from '../protocol/messages';

export const CONFIG_FILE = 'kvcmd.json';
/** What a node has to print its handshake line in, and to answer a call (ms). Generous: a busy 2-core machine can take seconds to start a Python process. */
export const DEFAULT_START_TIMEOUT = 30_000;
export const DEFAULT_CALL_TIMEOUT = 30_000;

/** One node command, its words still holding the placeholders `{id}`, `{role}` and `{port}`. */
export interface NodeCommand {
  /** The command line as written (without an `IDS=` prefix): errors quote it. */
  text: string;
  words: string[];
  /** `IDS=CMD`: only the nodes with these ids; undefined: every node of the role that no `IDS=` entry names. */
  ids?: NodeId[];
  /** Its working directory: relative paths in the command resolve from here. */
  cwd: string;
}

export interface NodeCommands {
  server: NodeCommand[];
  client: NodeCommand[];
  /** ms a node has, from its start, to print its handshake line. */
  startTimeout: number;
  /** ms a node has to answer a call; also how long a message may stay reported sent and not delivered. */
  callTimeout: number;
  /** `kvcmd test`: hold these nodes to the `.expected` files byte for byte (by default the checker decides). */
  exact: boolean;
  /** Where the commands came from, for messages (`--server-cmd`, `dir/kvcmd.json`, `settings`). */
  origin: string;
}

/** A mistake in a node command or in kvcmd.json: what the CLI reports as a usage error. */
export class NodeConfigError extends Error {}

/**
 * Splits a command line into words the way a POSIX shell would for a plain command, without
 * running a shell (so nothing in it is expanded or executed): blanks separate words, '...'
 * keeps everything literally, "..." keeps everything but \" and \\, a backslash outside quotes
 * keeps the next character.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < text.length) word += text[++i];
      continue;
    }
    if (c === "'" || c === '"') {
      const end = findClosing(text, i + 1, c);
      if (end === -1) throw new NodeConfigError(`the command '${text}' has an unclosed ${c}`);
      const inside = text.slice(i + 1, end);
      word += c === '"' ? inside.replace(/\\(["\\])/g, '$1') : inside;
      i = end;
      continue;
    }
    word += c;
  }
  if (inWord) words.push(word);
  return words;
}

function findClosing(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

const IDS_PREFIX = /^\s*([0-9]+(?:\s*,\s*[0-9]+)*)\s*=(.*)$/s;

/** `CMD` or `IDS=CMD` (IDS a comma list of node ids), checked. */
export function parseNodeCommand(spec: string, cwd: string, what: string): NodeCommand {
  const m = IDS_PREFIX.exec(spec);
  const text = (m ? m[2] : spec).trim();
  const ids = m ? m[1].split(',').map((s) => Number(s.trim())) : undefined;
  if (ids?.some((id) => id > 2 ** 31 - 1)) throw new NodeConfigError(`${what} '${spec}': a node id is at most ${2 ** 31 - 1}`);
  const words = splitCommandLine(text);
  if (words.length === 0) throw new NodeConfigError(`${what} '${spec}' has no command`);
  return { text, words, ...(ids ? { ids } : {}), cwd };
}

/** The command that runs node `id` of `role`: the entry naming it, else the one for every node; undefined for kvcmd's own node. */
export function commandFor(commands: NodeCommands, role: Role, id: NodeId): NodeCommand | undefined {
  const list = commands[role];
  return list.find((c) => c.ids?.includes(id)) ?? list.find((c) => c.ids === undefined);
}

/** Whether the command is given its port (`{port}`), rather than picking one and saying which. */
export function takesPort(command: NodeCommand): boolean {
  return command.words.some((w) => w.includes('{port}'));
}

/** The command's words with its placeholders filled in. */
export function expandCommand(command: NodeCommand, values: { id: NodeId; role: Role; port?: number }): string[] {
  return command.words.map((w) => w
    .replace(/\{id\}/g, String(values.id))
    .replace(/\{role\}/g, values.role)
    .replace(/\{port\}/g, values.port === undefined ? '{port}' : String(values.port)));
}

/**
 * Why a script's command cannot run with foreign nodes, if it cannot: the network's faults
 * (protocol/faults.ts) are applied by kvcmd's own node processes as they send.
 */
export function foreignMisfit(command: { name: string }): string | undefined {
  return isFaultCommand(command)
    ? `${command.name} changes the network inside kvcmd's own node processes: it cannot run with nodes you bring (docs/nodes.md)`
    : undefined;
}

/** What one source (flags, a file, settings) says; every field optional. */
export interface NodeConfigSource {
  server?: string | readonly string[];
  client?: string | readonly string[];
  startTimeout?: number;
  callTimeout?: number;
  exact?: boolean;
  /** Where the commands run. */
  cwd: string;
  origin: string;
}

const FILE_KEYS = new Set(['serverCommand', 'clientCommand', 'startTimeout', 'callTimeout', 'exact']);

/** The kvcmd.json of a folder, checked; undefined when the folder has none. */
export function readConfigFile(dir: string): NodeConfigSource | undefined {
  const file = path.join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NodeConfigError(`cannot read '${file}': ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NodeConfigError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new NodeConfigError(`${file}: expected an object such as {"serverCommand": "python3 server.py {id} {port}"}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FILE_KEYS.has(k)) throw new NodeConfigError(`${file}: unknown key '${k}' (known: ${[...FILE_KEYS].join(', ')})`);
  const commands = (k: string): string | string[] | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) return v as string | string[];
    throw new NodeConfigError(`${file}: ${k} must be a command line or a list of them ("IDS=COMMAND" for some ids only)`);
  };
  const ms = (k: string): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3_600_000) throw new NodeConfigError(`${file}: ${k} must be a number of milliseconds from 1 to 3600000`);
    return v;
  };
  if (o.exact !== undefined && typeof o.exact !== 'boolean') throw new NodeConfigError(`${file}: exact must be true or false`);
  return {
    server: commands('serverCommand'), client: commands('clientCommand'), startTimeout: ms('startTimeout'), callTimeout: ms('callTimeout'),
    exact: o.exact as boolean | undefined, cwd: dir, origin: file,
  };
}

/**
 * The node commands of a run from its sources, most specific first (the command line, then the
 * script's kvcmd.json, then the editor's settings): per role, the first source that names a
 * command for it wins, and so does each setting. Undefined when no source names a command: the
 * run uses kvcmd's own nodes, forked as usual.
 */
export function resolveNodeCommands(sources: readonly (NodeConfigSource | undefined)[]): NodeCommands | undefined {
  const given = sources.filter((s): s is NodeConfigSource => s !== undefined);
  const listOf = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
  const role = (r: Role): NodeCommand[] => {
    const from = given.find((s) => listOf(s[r]).some((x) => x.trim() !== ''));
    if (!from) return [];
    const list = listOf(from[r]).filter((x) => x.trim() !== '').map((spec) => parseNodeCommand(spec, from.cwd, `${from.origin}: the ${r} command`));
    if (list.filter((c) => c.ids === undefined).length > 1) throw new NodeConfigError(`${from.origin}: more than one ${r} command for every ${r} (give the others as IDS=COMMAND)`);
    return list;
  };
  const server = role('server');
  const client = role('client');
  if (server.length === 0 && client.length === 0) return undefined;
  const first = <K extends 'startTimeout' | 'callTimeout' | 'exact'>(k: K): NodeConfigSource[K] => given.find((s) => s[k] !== undefined)?.[k];
  const origins = [...new Set(given.filter((s) => s.server !== undefined || s.client !== undefined).map((s) => s.origin))];
  return {
    server, client,
    startTimeout: first('startTimeout') ?? DEFAULT_START_TIMEOUT,
    callTimeout: first('callTimeout') ?? DEFAULT_CALL_TIMEOUT,
    exact: first('exact') ?? false,
    origin: origins.join(', '),
  };
}

/** Where kvcmd.json is looked for: the script's own folder (a script on stdin: the working directory). */
export function configDirOf(script: string | undefined): string {
  return script === undefined || script === '-' ? process.cwd() : path.dirname(path.resolve(script));
}

/**
 * A run with foreign nodes that cannot go on: a node did not start, did not answer, timed out or
 * broke the protocol. `line` is the script line whose command was running, when the host knew it
 * (the runner adds it otherwise: cluster/runner.ts).
 */
export class NodeRunError extends Error {
  constructor(readonly why: string, readonly line?: number) {
    super(line === undefined ? why : `line ${line}: ${why}`);
  }
}
