import { Stamp, StoreEntry } from './messages';
import { compareStamps } from './stamp';

/** The one order of keys, the order printStore uses: plain string (UTF-16 code unit) order. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place by key. */
export function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareKeys(a.key, b.key));
}

/** A last-writer-wins map from key to the entry with the greatest stamp seen. */
export class Store {
  private readonly entries = new Map<string, StoreEntry>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): StoreEntry | undefined {
    return this.entries.get(key);
  }

  stampOf(key: string): Stamp | null {
    return this.entries.get(key)?.stamp ?? null;
  }

  /** Keeps the entry only if it is newer than what is held; says whether it was kept. */
  offer(entry: StoreEntry): boolean {
    const held = this.entries.get(entry.key);
    if (held && compareStamps(held.stamp, entry.stamp) >= 0) return false;
    this.entries.set(entry.key, entry);
    return true;
  }

  /** Offers every entry; returns those that were kept. */
  merge(entries: Iterable<StoreEntry>): StoreEntry[] {
    const kept: StoreEntry[] = [];
    for (const e of entries) if (this.offer(e)) kept.push(e);
    return kept;
  }

  /** Entries of this store that `other` lacks or holds with an older stamp. */
  newerThan(other: Store): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const e of this.entries.values()) {
      const theirs = other.stampOf(e.key);
      if (theirs === null || compareStamps(theirs, e.stamp) < 0) out.push(e);
    }
    return out;
  }

  copy(): Store {
    const s = new Store();
    for (const e of this.entries.values()) s.entries.set(e.key, e);
    return s;
  }

  static of(entries: Iterable<StoreEntry>): Store {
    const s = new Store();
    s.merge(entries);
    return s;
  }

  /** Sorted by key (compareKeys). */
  sorted(): StoreEntry[] {
    return sortByKey([...this.entries.values()]);
  }
}
