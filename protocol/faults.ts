// The faults of the network (docs/protocol.md, "Faults"): what the script's delay, drop, duplicate
// and heal commands set, and what becomes of each message under them. Pure: a node's host (its
// process, or the model) asks about every message the node sends and does what it is told, so real
// runs and the model decide alike, message by message, from generators seeded with the run's seed
// and the link.
import type {
  Envelope, FaultRule, FaultTable, MessageFacts, MessageKind, NodeId, NodeNotice, NodePattern, RecordNotice,
} from './messages';
import { lostReply } from './messages';
import { SeededRandom } from './rng';

/** Nothing wrong with the network: the table a host starts with. */
export const NO_FAULTS: FaultTable = Object.freeze({ seed: 0, rules: [], paused: [] }) as FaultTable;

/** The faults on one link (one direction) once every rule is applied. */
export interface LinkFaults {
  /** Each message is held back a whole number of ms from `min` to `max`. */
  min: number;
  max: number;
  /** The chances that a message is lost, or arrives twice. */
  drop: number;
  duplicate: number;
}

const CLEAN: LinkFaults = Object.freeze({ min: 0, max: 0, drop: 0, duplicate: 0 });

/** What becomes of one message: held back `delay` ms, then lost, or arriving once or twice. */
export interface Fate {
  delay: number;
  dropped: boolean;
  copies: 1 | 2;
}

export const UNHARMED: Fate = Object.freeze({ delay: 0, dropped: false, copies: 1 }) as Fate;

const covers = (pattern: NodePattern, id: NodePattern): boolean => pattern === '*' || pattern === id;

/**
 * The rules with `rule` added last. A rule hides every earlier one of its kind whose ends it covers
 * (a heal hides every kind), so repeated commands do not pile up.
 */
export function addRule(rules: readonly FaultRule[], rule: FaultRule): FaultRule[] {
  const hidden = (r: FaultRule): boolean =>
    (rule.kind === 'heal' || r.kind === rule.kind) && covers(rule.from, r.from) && covers(rule.to, r.to);
  return [...rules.filter((r) => !hidden(r)), rule];
}

/** The faults on the link `from` → `to`: for each kind, the latest rule that names the link (a heal names every kind). */
export function linkFaults(rules: readonly FaultRule[], from: NodeId, to: NodeId): LinkFaults {
  let delay: FaultRule | undefined;
  let drop: FaultRule | undefined;
  let duplicate: FaultRule | undefined;
  for (let i = rules.length - 1; i >= 0 && !(delay && drop && duplicate); i--) {
    const r = rules[i];
    if (!covers(r.from, from) || !covers(r.to, to)) continue;
    if (r.kind === 'heal') {
      delay ??= r;
      drop ??= r;
      duplicate ??= r;
    } else if (r.kind === 'delay') delay ??= r;
    else if (r.kind === 'drop') drop ??= r;
    else duplicate ??= r;
  }
  const out: LinkFaults = { min: 0, max: 0, drop: 0, duplicate: 0 };
  if (delay?.kind === 'delay') {
    out.min = delay.min;
    out.max = delay.max;
  }
  if (drop?.kind === 'drop') out.drop = drop.p;
  if (duplicate?.kind === 'duplicate') out.duplicate = duplicate.p;
  return out.min === 0 && out.max === 0 && out.drop === 0 && out.duplicate === 0 ? CLEAN : out;
}

/**
 * Stabilize is the script's way to repair the stores: its messages are delayed like any other but
 * never lost or doubled, so that after it every group's stores are the same.
 */
export function canLose(kind: MessageKind): boolean {
  return kind !== 'explore' && kind !== 'exploreReply' && kind !== 'install' && kind !== 'installAck';
}

/**
 * One sending node's view of the network: the table in force, and one generator per link it sends
 * on, seeded from the run's seed and the link. The n-th message a node sends on a link always
 * meets the same fate under the same rules, whatever else happens in the run: that is what
 * makes a seed replay its faults. A node that joins again starts with fresh generators.
 */
export class SenderFaults {
  private table: FaultTable = NO_FAULTS;
  private readonly links = new Map<NodeId, LinkFaults>();
  private readonly dice = new Map<NodeId, SeededRandom>();
  private readonly paused = new Set<NodeId>();

  constructor(readonly node: NodeId) {}

  set(table: FaultTable): void {
    this.table = table;
    this.links.clear();
    this.paused.clear();
    for (const id of table.paused) this.paused.add(id);
  }

  /** Whether anything can happen to a message: a host skips all of this on a clean network. */
  get active(): boolean {
    return this.table.rules.length > 0 || this.paused.size > 0;
  }

  isPaused(id: NodeId): boolean {
    return this.paused.has(id);
  }

  /** The fate of a message this node sends. What is not a message (a refused or unreachable, id 0) goes unharmed. */
  fate(env: Envelope): Fate {
    if (env.id === 0 || this.table.rules.length === 0) return UNHARMED;
    let link = this.links.get(env.to);
    if (!link) this.links.set(env.to, (link = linkFaults(this.table.rules, this.node, env.to)));
    if (link === CLEAN) return UNHARMED;
    // The draws, in a fixed order and only for the faults in force: drop, then copies, then delay.
    const rng = this.rng(env.to);
    const losable = canLose(env.body.type as MessageKind);
    const dropped = losable && link.drop > 0 && rng.next() < link.drop;
    const copies = losable && !dropped && link.duplicate > 0 && rng.next() < link.duplicate ? 2 : 1;
    const delay = link.max > link.min ? link.min + Math.floor(rng.next() * (link.max - link.min + 1)) : link.min;
    return dropped || copies > 1 || delay > 0 ? { delay, dropped, copies } : UNHARMED;
  }

  private rng(to: NodeId): SeededRandom {
    let r = this.dice.get(to);
    if (!r) {
      // Its own family of streams, apart from the clients' choice of server (protocol/rng.ts).
      r = new SeededRandom((this.table.seed ^ 0x5bd1e995) >>> 0, (Math.imul(this.node + 1, 0x27d4eb2f) ^ (to + 1)) >>> 0);
      this.dice.set(to, r);
    }
    return r;
  }
}

/** Who waits for the reply: the sender of a request, the receiver of a reply. */
export function requesterOf(env: Envelope): NodeId {
  return env.replyTo === 0 ? env.from : env.to;
}

/**
 * What the requester is handed when a message of its exchange was dropped: the reply "not
 * processed" that a cut link gives (`refused`), so every protocol step already knows what to do
 * with it (a client tries another server, a flood counts that server as not reached).
 */
export function droppedReply(env: Envelope): Envelope {
  const request = env.replyTo === 0 ? env : { ...env, from: env.to, to: env.from, id: env.replyTo, replyTo: 0 };
  return lostReply(request, 'refused');
}

export function messageFacts(env: Envelope): MessageFacts {
  return { from: env.from, to: env.to, id: env.id, replyTo: env.replyTo, kind: env.body.type as MessageKind, cause: env.cause };
}

/** Notes on the record's `sent` notice of `env` how long the network held it back. */
export function noteDelay(notices: NodeNotice[], env: Envelope, delay: number): void {
  for (let i = notices.length - 1; i >= 0; i--) {
    const n = notices[i];
    if (n.type === 'sent' && n.msg.id === env.id && n.msg.from === env.from) {
      n.delay = delay;
      return;
    }
  }
}

/**
 * A receiver's note of the messages that arrived twice. The node handles the first copy; the
 * second is discarded (a message is handled once), and the record shows it as a second end of the
 * same message, right after the first one's and like it. The first copy's end may come in a later
 * step (a reply to a wave is counted when the whole wave is in), so the note waits for it.
 */
export class Copies {
  private readonly pending = new Set<string>();

  get size(): number {
    return this.pending.size;
  }

  expect(env: Envelope): void {
    this.pending.add(`${env.from}.${env.id}`);
  }

  /** The notices of one step, with a duplicate end after each first end of a message that came twice. */
  mark(notices: NodeNotice[]): NodeNotice[] {
    if (this.pending.size === 0) return notices;
    const out: NodeNotice[] = [];
    for (const n of notices) {
      out.push(n);
      if (n.type !== 'delivered' && n.type !== 'lost') continue;
      if (n.duplicate || !this.pending.delete(`${n.msg.from}.${n.msg.id}`)) continue;
      out.push({ ...n, duplicate: true });
    }
    return out;
  }
}
