import { NodeId } from './messages';

/** Ascending ids: every list of nodes that travels or is iterated is in this order, for replayability. */
export function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}

/** An ascending list with `id` in it: the list itself when it holds it already. */
export function withId(ascending: readonly NodeId[], id: NodeId): NodeId[] {
  if (ascending.includes(id)) return ascending as NodeId[];
  const at = ascending.findIndex((x) => x > id);
  return at === -1 ? [...ascending, id] : [...ascending.slice(0, at), id, ...ascending.slice(at)];
}
