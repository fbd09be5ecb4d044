import { COMMANDS, CommandName } from './catalogue';

const MAX_DISTANCE = 2;

/**
 * The command the user most likely meant. A case slip (`JoinServer`) wins outright; otherwise
 * the closest name within two edits, where swapping two neighbouring letters counts as one.
 */
export function suggestCommand(word: string): CommandName | undefined {
  const lower = word.toLowerCase();
  for (const c of COMMANDS) if (c.name.toLowerCase() === lower) return c.name;
  let best: CommandName | undefined;
  let bestDistance = MAX_DISTANCE + 1;
  for (const c of COMMANDS) {
    const d = editDistance(lower, c.name.toLowerCase(), bestDistance - 1);
    if (d < bestDistance) {
      best = c.name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring). Returns limit+1 early when the lengths alone rule a match out, so a 1 MB
 * token costs nothing.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}
