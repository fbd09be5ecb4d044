import { Stamp, StoreEntry } from './messages';
import { Scheme, schemeOf } from './schemes';

/** The one order of keys, the order printStore uses: plain string (UTF-16 code unit) order. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place by key. */
export function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareKeys(a.key, b.key));
}

/** A last-writer-wins map from key to the entry its scheme keeps (usually the greatest stamp seen). */
export class Store {
  private readonly entries = new Map<string, StoreEntry>();

  constructor(readonly scheme: Scheme = schemeOf(undefined)) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): StoreEntry | undefined {
    return this.entries.get(key);
  }

  stampOf(key: string): Stamp | null {
    return this.entries.get(key)?.stamp ?? null;
  }

  /** What the store now holds for the entry's key if the entry changed it (newer, or merged by the scheme), else null. */
  offer(entry: StoreEntry): StoreEntry | null {
    const kept = this.scheme.resolve(this.entries.get(entry.key), entry);
    if (kept) this.entries.set(entry.key, kept);
    return kept;
  }

  /** Offers every entry; returns what changed, as now held. */
  merge(entries: Iterable<StoreEntry>): StoreEntry[] {
    const kept: StoreEntry[] = [];
    for (const e of entries) {
      const k = this.offer(e);
      if (k) kept.push(k);
    }
    return kept;
  }

  /** Entries of this store that would change `other`: it lacks them or holds them older. */
  newerThan(other: Store): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const e of this.entries.values()) if (this.scheme.resolve(other.get(e.key), e) !== null) out.push(e);
    return out;
  }

  copy(): Store {
    const s = new Store(this.scheme);
    for (const e of this.entries.values()) s.entries.set(e.key, e);
    return s;
  }

  static of(entries: Iterable<StoreEntry>, scheme?: Scheme): Store {
    const s = new Store(scheme);
    s.merge(entries);
    return s;
  }

  /** Sorted by key (compareKeys). */
  sorted(): StoreEntry[] {
    return sortByKey([...this.entries.values()]);
  }
}
