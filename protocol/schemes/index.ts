import { lamport, lamportLow } from './lamport';
import { DEFAULT_PROTOCOL, ProtocolName, Scheme } from './scheme';
import { vector } from './vector';

export * from './scheme';

const SCHEMES: Record<ProtocolName, Scheme> = { lamport, 'lamport-low': lamportLow, vector };

/** The scheme of a protocol name (the default for none). */
export function schemeOf(name: ProtocolName | undefined): Scheme {
  return SCHEMES[name ?? DEFAULT_PROTOCOL];
}
