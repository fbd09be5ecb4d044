// The node protocol of docs/nodes.md, as XML-RPC values: the control methods the master calls on
// a node (`kvcmd.init` ... `kvcmd.shutdown`), their results, and the reports a node sends back
// (`kvcmd.report`). Both ends use this file: the master (cluster/commandHost.ts) to call any node,
// kvcmd's own or foreign, and kvcmd's own node run as a program (cluster/externalNode.ts) to
// answer; so kvcmd's nodes speak exactly what the document says. Peer messages between nodes are
// wire.ts's `deliver(envelope, secret)`, unchanged.
//
// Everything read here comes from another program and is checked field by field (envelopeCheck.ts's
// checks): a wrong answer is a WireError naming the field, which the master reports as the node
// breaking the protocol.
import { compareKeys } from '../protocol/store';
import {
  ControlBody, ControlResult, GOSSIP_MODES, GossipMode, InitBody, isProtocolName, NodeId, NodeNotice, NodeSnapshot,
  ProtocolName, Role, Stamp, StoreEntry, type ApplyVia, type BodySummary, type LossReason, type MessageFacts, type MessageKind,
} from '../protocol/messages';
import { bool, cause, checkEntry, checkStamp, ids, int, obj, result, stampOrNull, token, WireError } from './envelopeCheck';
import { escapeStrings, packEntries, unescapeStrings, unpackEntries } from './wire';

/** The line a node prints on stdout once it takes calls: `kvcmd-node port PORT`. */
export const HANDSHAKE = /^kvcmd-node port ([0-9]{1,5})\s*$/;
export function handshakeLine(port: number): string {
  return `kvcmd-node port ${port}`;
}
/** The environment variable that hands a node the run's secret. */
export const SECRET_ENV = 'KVCMD_SECRET';
/** The master's method for reports: `kvcmd.report(notices, secret)`. */
export const REPORT_METHOD = 'kvcmd.report';

/**
 * The control methods, by the ControlBody they carry. The network's faults (`faults`, `release`)
 * are not among them: kvcmd's own node processes apply those themselves, and a run with foreign
 * nodes refuses the fault commands (cluster/commandHost.ts).
 */
export type ControlType = Exclude<ControlBody['type'], 'faults' | 'release'>;
export const CONTROL_TYPES: readonly ControlType[] = ['init', 'link', 'unlink', 'put', 'get', 'stabilize', 'snapshot', 'shutdown'];

export function methodOf(type: ControlBody['type']): string {
  return `kvcmd.${type}`;
}

// ---------------------------------------------------------------------------------------------
// The master's side: a ControlBody as a call, and the node's answer as a ControlResult.

/** The one argument struct of a control call (the secret is the call's second argument). */
export function controlArgs(body: ControlBody, reportPort: number): unknown {
  switch (body.type) {
    case 'init': return {
      id: body.id, role: body.role, seed: body.seed, gossip: body.gossip, trace: body.trace,
      protocol: body.protocol ?? 'lamport', clock: body.clock ?? 0, reportPort,
    };
    case 'link': return { peer: body.peer, role: body.peerRole, port: body.port };
    case 'unlink': return { peer: body.peer };
    case 'put': return escapeStrings({ key: body.key, value: body.value, cause: body.cause });
    case 'get': return escapeStrings({ key: body.key, cause: body.cause });
    case 'stabilize': return { epoch: body.epoch, cause: body.cause };
    default: return {};
  }
}

/** What init's answer says about the node. */
export interface InitAnswer {
  /** It reports every step of a traced run (docs/nodes.md, "Reports"). */
  reports: boolean;
}

export function initAnswer(value: unknown): InitAnswer {
  const a = obj(value, 'the answer');
  return { reports: a.reports === undefined ? false : bool(a.reports, 'reports') };
}

/** A node's answer to a control call, checked, as the master's ControlResult. Throws WireError. */
export function resultFromWire(body: ControlBody, value: unknown, node: { id: NodeId; role: Role }): ControlResult {
  switch (body.type) {
    case 'init':
    case 'link':
    case 'unlink':
    case 'shutdown':
      return { type: 'ok' };
    case 'put': {
      const a = obj(unescapeStrings(value), 'the answer');
      const counter = int(a.counter, 'counter');
      if (bool(a.ok, 'ok')) return { type: 'putDone', ok: true, key: body.key, value: body.value, server: int(a.server, 'server'), stamp: checkStamp(a.stamp, 'stamp'), counter };
      return { type: 'putDone', ok: false, key: body.key, reason: reason(a.reason), counter };
    }
    case 'get': {
      const a = obj(unescapeStrings(value), 'the answer');
      const counter = int(a.counter, 'counter');
      if (!bool(a.ok, 'ok')) return { type: 'getDone', ok: false, key: body.key, reason: reason(a.reason), counter };
      const r = result(a.result, 'result');
      return {
        type: 'getDone', ok: true, key: body.key, server: int(a.server, 'server'), result: r.kind === 'ERR_DEP' ? { ...r, held: r.held ?? null } : r,
        depBefore: stampOrNull(a.depBefore, 'depBefore'), depAfter: stampOrNull(a.depAfter, 'depAfter'), counter,
      };
    }
    case 'stabilize': {
      const a = obj(value, 'the answer');
      return { type: 'stabilizeDone', epoch: body.epoch, root: bool(a.root, 'root'), members: ascending(ids(a.members, 'members')) };
    }
    case 'snapshot':
      return { type: 'snapshot', snapshot: snapshotFromWire(value, node) };
  }
  throw new WireError(`no control method for ${(body as { type: string }).type}`);
}

function reason(v: unknown): string {
  if (typeof v !== 'string' || v.length > 10_000) throw new WireError('reason is not a string (of at most 10000 characters)');
  // It is printed on one line of stderr.
  return v.replace(/[\r\n]+/g, ' ');
}

function ascending(list: NodeId[]): NodeId[] {
  return [...new Set(list)].sort((a, b) => a - b);
}

function snapshotFromWire(value: unknown, node: { id: NodeId; role: Role }): NodeSnapshot {
  const a = obj(unescapeStrings(value), 'the answer');
  const rawStore = a.store === undefined || a.store === '' ? [] : typeof a.store === 'string' ? unpackEntries(a.store) : a.store;
  if (!Array.isArray(rawStore)) throw new WireError('store is not a string of JSON entries');
  const store = rawStore.map((e, i) => checkEntry(e, `store[${i}]`)).sort((x, y) => compareKeys(x.key, y.key));
  for (let i = 1; i < store.length; i++) if (store[i].key === store[i - 1].key) throw new WireError(`store holds the key ${JSON.stringify(store[i].key)} twice`);
  const rawDeps = a.deps ?? [];
  if (!Array.isArray(rawDeps)) throw new WireError('deps is not a list');
  const deps = rawDeps.map((d, i) => {
    const o = obj(d, `deps[${i}]`);
    return { key: token(o.key, `deps[${i}].key`, true), stamp: checkStamp(o.stamp, `deps[${i}].stamp`) };
  }).sort((x, y) => compareKeys(x.key, y.key));
  return { id: node.id, role: node.role, counter: int(a.counter, 'counter'), links: ascending(ids(a.links ?? [], 'links')), store, deps };
}

// ---------------------------------------------------------------------------------------------
// The node's side: a call as a ControlBody, and a ControlResult as the answer.

/** `kvcmd.init`'s argument, checked: the InitBody and where the master takes reports. */
export function initFromWire(value: unknown): { body: InitBody; reportPort: number } {
  const a = obj(value, 'init');
  const role = a.role;
  if (role !== 'server' && role !== 'client') throw new WireError('role is not server or client');
  if (typeof a.gossip !== 'string' || !(GOSSIP_MODES as readonly string[]).includes(a.gossip)) throw new WireError('gossip is not settled, async or off');
  const protocol = a.protocol === undefined ? 'lamport' : a.protocol;
  if (!isProtocolName(protocol)) throw new WireError('protocol is not lamport, lamport-low or vector');
  const clock = a.clock === undefined ? 0 : int(a.clock, 'clock');
  const body: InitBody = {
    type: 'init', id: int(a.id, 'id'), role: role as Role, seed: int(a.seed, 'seed'), gossip: a.gossip as GossipMode, trace: bool(a.trace, 'trace'),
    ...(clock ? { clock } : {}), ...(protocol !== 'lamport' ? { protocol: protocol as ProtocolName } : {}),
  };
  return { body, reportPort: int(a.reportPort, 'reportPort') };
}

/** Any other control call's argument, checked, as the ControlBody it carries. */
export function controlFromWire(type: Exclude<ControlType, 'init'>, value: unknown): ControlBody {
  const a = obj(unescapeStrings(value ?? {}), 'the argument');
  switch (type) {
    case 'link': {
      if (a.role !== 'server' && a.role !== 'client') throw new WireError('role is not server or client');
      return { type, peer: int(a.peer, 'peer'), peerRole: a.role as Role, port: int(a.port, 'port') };
    }
    case 'unlink': return { type, peer: int(a.peer, 'peer') };
    case 'put': return { type, key: token(a.key, 'key', true), value: token(a.value, 'value'), cause: cause(a.cause) };
    case 'get': return { type, key: token(a.key, 'key', true), cause: cause(a.cause) };
    case 'stabilize': return { type, epoch: int(a.epoch, 'epoch'), cause: cause(a.cause) };
    case 'snapshot': return { type };
    case 'shutdown': return { type };
  }
}

/** A ControlResult as the answer of its call; an `error` result throws (the call then answers a fault). */
export function resultToWire(r: ControlResult): unknown {
  switch (r.type) {
    case 'ok':
    case 'ready': return true;
    case 'putDone': return escapeStrings(r.ok ? { ok: true, server: r.server, stamp: r.stamp, counter: r.counter } : { ok: false, reason: r.reason, counter: r.counter });
    case 'getDone': {
      if (!r.ok) return escapeStrings({ ok: false, reason: r.reason, counter: r.counter });
      return escapeStrings(withoutNulls({ ok: true, server: r.server, result: r.result, depBefore: r.depBefore, depAfter: r.depAfter, counter: r.counter }));
    }
    case 'stabilizeDone': return { root: r.root, members: r.members };
    case 'snapshot': {
      const s = r.snapshot;
      return escapeStrings({ counter: s.counter, links: s.links, store: packEntries(s.store), deps: s.deps });
    }
    case 'error': throw new Error(r.message);
  }
}

/** Leaves out members that are null (none): a Python client without allow_none cannot write them. */
function withoutNulls(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    out[k] = x !== null && typeof x === 'object' && !Array.isArray(x) ? withoutNulls(x as Record<string, unknown>) : x;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reports: node -> master.

/** Notices as a report call's first argument. */
export function noticesToWire(notices: readonly NodeNotice[]): unknown {
  return escapeStrings(notices.map((n) => withoutNulls(n as unknown as Record<string, unknown>)));
}

const KINDS: readonly MessageKind[] = ['put', 'putReply', 'get', 'getReply', 'gossip', 'spread', 'gossipAck', 'explore', 'exploreReply', 'install', 'installAck'];
const REASONS: readonly LossReason[] = ['link cut', 'unreachable'];
const VIAS: readonly ApplyVia[] = ['put', 'gossip', 'stabilize'];
/** More than this in one report is not one step's worth. */
const MAX_NOTICES = 100_000;

/** A report call's notices, checked and rebuilt from known fields only (the master's side). Throws WireError. */
export function noticesFromWire(value: unknown): NodeNotice[] {
  const list = unescapeStrings(value);
  if (!Array.isArray(list) || list.length > MAX_NOTICES) throw new WireError('the notices are not a list');
  return list.map((n, i) => notice(n, `notice ${i + 1}`));
}

function notice(v: unknown, what: string): NodeNotice {
  const n = obj(v, what);
  const field = (name: string): string => `${what} (${String(n.type)}): ${name}`;
  switch (n.type) {
    case 'gossipSettled':
      return { type: 'gossipSettled', server: int(n.server, field('server')), key: token(n.key, field('key'), true), stamp: checkStamp(n.stamp, field('stamp')) };
    case 'sent':
      return { type: 'sent', node: int(n.node, field('node')), counter: int(n.counter, field('counter')), msg: facts(n.msg, field('msg')), body: summary(n.body, facts(n.msg, field('msg')).kind, field('body')) };
    case 'delivered':
      return { type: 'delivered', node: int(n.node, field('node')), counter: int(n.counter, field('counter')), msg: facts(n.msg, field('msg')) };
    case 'lost': {
      if (!(REASONS as readonly unknown[]).includes(n.reason)) throw new WireError(`${field('reason')} is not 'link cut' or 'unreachable'`);
      return { type: 'lost', node: int(n.node, field('node')), counter: int(n.counter, field('counter')), msg: facts(n.msg, field('msg')), reason: n.reason as LossReason };
    }
    case 'applied': {
      if (!(VIAS as readonly unknown[]).includes(n.via)) throw new WireError(`${field('via')} is not put, gossip or stabilize`);
      return {
        type: 'applied', node: int(n.node, field('node')), counter: int(n.counter, field('counter')), cause: cause(n.cause, field('cause')),
        key: token(n.key, field('key'), true), value: token(n.value, field('value')), stamp: checkStamp(n.stamp, field('stamp')), via: n.via as ApplyVia, from: int(n.from, field('from')),
      };
    }
    default:
      throw new WireError(`${what}: type ${JSON.stringify(n.type)} is not sent, delivered, lost, applied or gossipSettled`);
  }
}

function facts(v: unknown, what: string): MessageFacts {
  const m = obj(v, what);
  if (!(KINDS as readonly unknown[]).includes(m.kind)) throw new WireError(`${what}.kind is not a message kind (${KINDS.join(', ')})`);
  return {
    from: int(m.from, `${what}.from`), to: int(m.to, `${what}.to`), id: int(m.id, `${what}.id`), replyTo: int(m.replyTo, `${what}.replyTo`),
    kind: m.kind as MessageKind, cause: cause(m.cause, `${what}.cause`),
  };
}

/**
 * A sent message's summary, rebuilt in the order and form kvcmd's own nodes give it
 * (protocol/messages.ts summarizeBody), so that the record of a foreign run reads like any other.
 */
function summary(v: unknown, kind: MessageKind, what: string): BodySummary {
  const b = v === undefined ? {} : obj(v, what);
  const key = (): string => token(b.key, `${what}.key`, true);
  const stamp = (): Stamp => checkStamp(b.stamp, `${what}.stamp`);
  const epoch = (): number => int(b.epoch, `${what}.epoch`);
  switch (kind) {
    case 'put': return { key: key(), value: token(b.value, `${what}.value`) };
    case 'putReply': return { key: key(), stamp: stamp() };
    case 'get': return { key: key(), dep: stampOrNull(b.dep, `${what}.dep`) };
    case 'getReply': {
      const r = result(b.result, `${what}.result`);
      return { key: key(), result: r.kind === 'ERR_DEP' ? { ...r, held: r.held ?? null } : r };
    }
    case 'gossip':
    case 'spread': return { key: key(), value: token(b.value, `${what}.value`), stamp: stamp() };
    case 'explore': return { epoch: epoch() };
    case 'exploreReply': return { epoch: epoch(), joined: bool(b.joined, `${what}.joined`), entries: int(b.entries, `${what}.entries`) };
    case 'install': return { epoch: epoch(), entries: int(b.entries, `${what}.entries`) };
    case 'installAck': return { epoch: epoch() };
    case 'gossipAck': return {};
  }
}

