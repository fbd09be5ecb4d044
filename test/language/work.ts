// A deterministic measure of work, for tests of linear-time claims (not a test file itself).
// Elapsed time depends on the machine and its load; this count does not. While `run` runs, the
// string and collection methods that the language library spends its time in are wrapped to
// count what they touch: characters read from strings (charCodeAt, indexOf, slice), and
// operations on Maps and Sets, one per lookup, insertion or element visited.
// `run` must be synchronous: nothing else may run while the prototypes are wrapped.

export interface Work { chars: number; collectionOps: number; total: number }

export function countWork<T>(run: () => T): { result: T; work: Work } {
  let chars = 0;
  let collectionOps = 0;
  const restore: (() => void)[] = [];
  const wrap = <P extends object>(proto: P, name: keyof P & string, count: (self: unknown, args: unknown[], out: unknown) => void): void => {
    const original = proto[name] as unknown as (...args: unknown[]) => unknown;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const out = original.apply(this, args);
      count(this, args, out);
      return out;
    };
    Object.defineProperty(proto, name, { value: wrapped, writable: true, configurable: true });
    restore.push(() => Object.defineProperty(proto, name, { value: original, writable: true, configurable: true }));
  };

  wrap(String.prototype, 'charCodeAt', () => { chars++; });
  wrap(String.prototype, 'slice', (_self, _args, out) => { chars += (out as string).length; });
  wrap(String.prototype, 'indexOf', (self, args, out) => {
    // The characters scanned: from the start position up to the end of the match, or to the end.
    const s = String(self);
    const from = Math.max(0, Number(args[1] ?? 0) || 0);
    const at = out as number;
    chars += (at === -1 ? s.length : at + String(args[0]).length) - Math.min(from, s.length);
  });
  const op = (): void => { collectionOps++; };
  for (const name of ['get', 'set', 'has', 'delete'] as const) wrap(Map.prototype, name, op);
  for (const name of ['add', 'has', 'delete'] as const) wrap(Set.prototype, name, op);
  // Every element a for-of or a spread visits (Map and Set iterators, entries, keys and values).
  wrap(Object.getPrototypeOf(new Map().values()) as { next(): unknown }, 'next', op);
  wrap(Object.getPrototypeOf(new Set().values()) as { next(): unknown }, 'next', op);

  try {
    const result = run();
    return { result, work: { chars, collectionOps, total: chars + collectionOps } };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
