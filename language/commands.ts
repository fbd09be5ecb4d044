// The typed command the runtime executes. `line` is 1-based because the runtime only
// uses it to name script lines in messages to the user.

/** One end of a fault: a node id, or `*` for every node. */
export type NodePattern = number | '*';

export type Command =
  | { name: 'joinServer'; line: number; server: number }
  | { name: 'killServer'; line: number; server: number }
  | { name: 'joinClient'; line: number; client: number; server: number }
  | { name: 'breakConnection'; line: number; a: number; b: number }
  | { name: 'createConnection'; line: number; a: number; b: number }
  | { name: 'stabilize'; line: number }
  | { name: 'printStore'; line: number; server: number }
  | { name: 'put'; line: number; client: number; key: string; value: string }
  | { name: 'get'; line: number; client: number; key: string }
  | { name: 'sleep'; line: number; ms: number }
  // Faults of the network (docs/language.md): messages from `from` to `to`.
  | { name: 'delay'; line: number; from: NodePattern; to: NodePattern; ms: number; maxMs: number }
  | { name: 'drop'; line: number; from: NodePattern; to: NodePattern; p: number }
  | { name: 'duplicate'; line: number; from: NodePattern; to: NodePattern; p: number }
  | { name: 'heal'; line: number; from: NodePattern; to: NodePattern }
  | { name: 'pauseServer'; line: number; server: number }
  | { name: 'resumeServer'; line: number; server: number };

/** The commands that make the network misbehave (docs/language.md, "Faults of the network"). */
export const FAULT_COMMANDS: readonly Command['name'][] = ['delay', 'drop', 'duplicate', 'heal', 'pauseServer', 'resumeServer'];

export function isFaultCommand(c: { name: string }): boolean {
  return (FAULT_COMMANDS as readonly string[]).includes(c.name);
}

/** A command as the script spells it, e.g. `put 5 k v` (progress messages, pickers, the debugger's frames). */
export function commandText(c: Command): string {
  switch (c.name) {
    case 'joinServer': case 'killServer': case 'printStore': case 'pauseServer': case 'resumeServer': return `${c.name} ${c.server}`;
    case 'joinClient': return `${c.name} ${c.client} ${c.server}`;
    case 'breakConnection': case 'createConnection': return `${c.name} ${c.a} ${c.b}`;
    case 'stabilize': return c.name;
    case 'put': return `${c.name} ${c.client} ${c.key} ${c.value}`;
    case 'get': return `${c.name} ${c.client} ${c.key}`;
    case 'sleep': return `${c.name} ${c.ms}`;
    case 'delay': return `${c.name} ${c.from} ${c.to} ${c.ms}${c.maxMs === c.ms ? '' : ` ${c.maxMs}`}`;
    case 'drop': case 'duplicate': return `${c.name} ${c.from} ${c.to} ${c.p}`;
    case 'heal': return `${c.name} ${c.from} ${c.to}`;
  }
}
