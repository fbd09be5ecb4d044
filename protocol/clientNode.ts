import { ControlBody, Envelope, NodeId, NodeSnapshot, PeerBody, Stamp } from './messages';
import { NodeConfig, ProtocolNode } from './node';
import { SeededRandom } from './rng';
import { sortedIds } from './ids';
import { sortByKey } from './store';

/**
 * A client: forwards the master's put/get to one of its linked servers (seeded random choice when
 * there are several) and keeps, per key, the greatest stamp it has written or read: its dependency.
 */
export class ClientNode extends ProtocolNode {
  private readonly deps = new Map<string, Stamp>();
  private readonly rng: SeededRandom;

  constructor(config: NodeConfig) {
    super(config, 'client');
    this.rng = new SeededRandom(config.seed, config.id);
  }

  protected onControl(seq: number, body: ControlBody): void {
    switch (body.type) {
      case 'put': {
        const { key, value } = body;
        this.viaServer({ type: 'put', key, value }, (server, reply) => {
          if (reply.type !== 'putReply') return this.answer(seq, { type: 'putDone', ok: false, key, reason: `unexpected ${reply.type}`, counter: this.clock.value });
          this.deps.set(key, this.scheme.depend(this.deps.get(key) ?? null, reply.stamp));
          this.answer(seq, { type: 'putDone', ok: true, key, value, server, stamp: reply.stamp, counter: this.clock.value });
        }, (reason) => this.answer(seq, { type: 'putDone', ok: false, key, reason, counter: this.clock.value }));
        return;
      }
      case 'get': {
        const { key } = body;
        const depBefore = this.deps.get(key) ?? null;
        this.viaServer({ type: 'get', key, dep: depBefore }, (server, reply) => {
          if (reply.type !== 'getReply') return this.answer(seq, { type: 'getDone', ok: false, key, reason: `unexpected ${reply.type}`, counter: this.clock.value });
          if (reply.result.kind === 'value') this.deps.set(key, this.scheme.depend(depBefore, reply.result.stamp));
          const depAfter = this.deps.get(key) ?? null;
          this.answer(seq, { type: 'getDone', ok: true, key, server, result: reply.result, depBefore, depAfter, counter: this.clock.value });
        }, (reason) => this.answer(seq, { type: 'getDone', ok: false, key, reason, counter: this.clock.value }));
        return;
      }
      default:
        this.answer(seq, { type: 'error', message: `a client cannot ${body.type}` });
    }
  }

  /** Tries linked servers in seeded random order until one answers. */
  private viaServer(body: PeerBody, done: (server: NodeId, reply: PeerBody) => void, fail: (reason: string) => void, tried: NodeId[] = []): void {
    const candidates = this.linked('server').filter((s) => !tried.includes(s));
    if (candidates.length === 0) {
      fail(tried.length === 0
        ? `client ${this.id} has no link to a server`
        : `no linked server answered (tried ${tried.join(', ')})`);
      return;
    }
    const server = candidates.length === 1 ? candidates[0] : this.rng.pick(candidates);
    this.request(server, body, (reply: Envelope) => {
      if (reply.body.type === 'refused' || reply.body.type === 'unreachable') this.viaServer(body, done, fail, [...tried, server]);
      else done(server, reply.body);
    });
  }

  protected onRequest(env: Envelope): void {
    // Nobody sends requests to clients; refuse rather than leave the sender waiting.
    this.reply(env, { type: 'refused' });
  }

  snapshot(): NodeSnapshot {
    const deps = sortByKey([...this.deps.entries()].map(([key, stamp]) => ({ key, stamp })));
    return { id: this.id, role: 'client', counter: this.clock.value, links: sortedIds(this.links.keys()), store: [], deps };
  }
}
