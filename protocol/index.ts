import { ClientNode } from './clientNode';
import { InitBody } from './messages';
import { ProtocolNode } from './node';
import { ServerNode } from './serverNode';

export * from './messages';
export { Effects, ProtocolNode } from './node';
export { ServerNode } from './serverNode';
export { ClientNode } from './clientNode';
export { formatStamp, sameStamp } from './stamp';
export { Scheme, schemeOf } from './schemes';

/** Builds the state machine an `init` control message asks for. */
export function createNode(init: InitBody): ProtocolNode {
  const config = { id: init.id, seed: init.seed, gossip: init.gossip, trace: init.trace, clock: init.clock ?? 0, protocol: init.protocol };
  return init.role === 'server' ? new ServerNode(config) : new ClientNode(config);
}
