import { NodeId } from './messages';

/** Ascending ids: every list of nodes that travels or is iterated is in this order, for replayability. */
export function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}
