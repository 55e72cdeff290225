// retained-index: the embedded broker's retained messages, kept in a tree of topic levels.
//
// Why: aedes' memory persistence keeps retained messages in one flat map and, for every
// subscription, tests every retained topic against the pattern. Bramble retains a few messages per
// node (state, status, desired) and one per Service, so with 5,000 nodes each agent's connect (four
// patterns) tested ~60,000 topics, and a reconnect storm of all of them 300 million, on the one
// thread that also serves every MQTT session. In a tree a pattern walks only the branches it can
// match: an agent's own topics are a few lookups, `bramble/v1/cluster/#` visits just the cluster
// subtree.
//
// Matching follows MQTT 3.1.1 §4.7: `+` is one level (possibly empty), `#` is the rest including
// the parent level itself ("a/#" matches "a"), and wildcards in the first level do not match
// topics starting with `$`.
import { Readable } from 'node:stream';
import type { AedesPersistence, Packet } from 'aedes-persistence';

/** RetainedPacket: what aedes stores; only topic and payload matter here. */
export interface RetainedPacket {
  topic: string;
  payload: Buffer | Uint8Array | string;
}

interface Level<P> {
  children: Map<string, Level<P>>;
  packet?: P;
}

const level = <P>(): Level<P> => ({ children: new Map() });

export class RetainedIndex<P extends RetainedPacket = RetainedPacket> {
  private readonly root: Level<P> = level();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** store keeps the packet for its topic; an empty payload deletes the topic's message. */
  store(packet: P): void {
    const parts = packet.topic.split('/');
    if (packet.payload.length === 0) {
      this.delete(parts);
      return;
    }
    let at = this.root;
    for (const p of parts) {
      let next = at.children.get(p);
      if (!next) {
        next = level();
        at.children.set(p, next);
      }
      at = next;
    }
    if (!at.packet) this.count++;
    at.packet = packet;
  }

  /** get returns the message retained on exactly this topic. */
  get(topic: string): P | undefined {
    let at: Level<P> | undefined = this.root;
    for (const p of topic.split('/')) {
      at = at.children.get(p);
      if (!at) return undefined;
    }
    return at.packet;
  }

  /** *match yields each retained message whose topic matches the pattern, once. */
  *match(pattern: string): Generator<P> {
    yield* this.walk(this.root, pattern.split('/'), 0);
  }

  /** *matchAll yields the messages matching any of the patterns, each once (a topic matched by two patterns is sent once). */
  *matchAll(patterns: string[]): Generator<P> {
    if (patterns.length === 1) return yield* this.match(patterns[0]);
    const sent = new Set<P>();
    for (const pattern of patterns) {
      for (const p of this.match(pattern)) {
        if (sent.has(p)) continue;
        sent.add(p);
        yield p;
      }
    }
  }

  private *walk(at: Level<P>, parts: string[], i: number): Generator<P> {
    if (i === parts.length) {
      if (at.packet) yield at.packet;
      return;
    }
    const part = parts[i];
    if (part === '#') {
      // "#" also matches the parent level: "a/#" matches "a" (not at the root: "#" has no parent).
      if (i > 0 && at.packet) yield at.packet;
      yield* this.subtree(at, i === 0);
      return;
    }
    if (part === '+') {
      for (const [name, child] of at.children) {
        if (i === 0 && name.startsWith('$')) continue;
        yield* this.walk(child, parts, i + 1);
      }
      return;
    }
    const child = at.children.get(part);
    if (child) yield* this.walk(child, parts, i + 1);
  }

  /** *subtree yields every message below `at` (not `at`'s own). */
  private *subtree(at: Level<P>, skipSys: boolean): Generator<P> {
    for (const [name, child] of at.children) {
      if (skipSys && name.startsWith('$')) continue;
      if (child.packet) yield child.packet;
      yield* this.subtree(child, false);
    }
  }

  private delete(parts: string[]): void {
    const path: Level<P>[] = [this.root];
    for (const p of parts) {
      const next = path[path.length - 1].children.get(p);
      if (!next) return;
      path.push(next);
    }
    const leaf = path[path.length - 1];
    if (!leaf.packet) return;
    leaf.packet = undefined;
    this.count--;
    // Prune empty levels so deleted nodes' and services' branches do not pile up.
    for (let i = parts.length; i > 0; i--) {
      const node = path[i];
      if (node.packet || node.children.size) break;
      path[i - 1].children.delete(parts[i - 1]);
    }
  }
}

/** indexRetained makes an aedes persistence keep its retained messages in a RetainedIndex instead of its flat map. */
export function indexRetained<T extends AedesPersistence>(persistence: T): T {
  const index = new RetainedIndex<Packet & RetainedPacket>();
  // Called with a callback, or without one expecting a promise (aedes does both).
  (persistence as { storeRetained: unknown }).storeRetained = (packet: Packet, cb?: (err: null) => void) => {
    // Only PUBLISH packets are retained. Copied: aedes reuses packet objects (aedes-persistence copies too).
    index.store({ ...packet } as Packet & RetainedPacket);
    if (!cb) return Promise.resolve();
    process.nextTick(cb, null);
  };
  persistence.createRetainedStream = (pattern) => Readable.from(index.match(pattern));
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(index.matchAll(patterns));
  return persistence;
}
