import { GetResult, StoreEntry } from '../protocol/messages';

/** The only text a run writes on stdout (docs/output.md). */
export function formatGet(key: string, result: GetResult): string {
  return `${key}:${result.kind === 'value' ? result.value : result.kind}`;
}

export function formatStore(entries: readonly StoreEntry[]): string[] {
  return entries.map((e) => `${e.key}:${e.value}`);
}
