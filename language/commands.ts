// The typed command the runtime executes. `line` is 1-based because the runtime only
// uses it to name script lines in messages to the user.
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
  | { name: 'sleep'; line: number; ms: number };
