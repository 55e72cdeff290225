import { describe, expect, it } from 'vitest';
import aedesPersistence from 'aedes-persistence';
import { indexRetained, RetainedIndex, type RetainedPacket } from './retained-index.js';

const pkt = (topic: string, payload = 'x'): RetainedPacket => ({ topic, payload: Buffer.from(payload) });

/** matches: MQTT 3.1.1 §4.7 topic matching, level by level — the reference the tree must agree with. */
function matches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  if ((p[0] === '+' || p[0] === '#') && topic.startsWith('$')) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

const topics = (it: Iterable<RetainedPacket>) => [...it].map((p) => p.topic).sort();

describe('RetainedIndex', () => {
  it('matches exact topics, + and # as MQTT does, including "a/#" matching "a" and $-topics', () => {
    const idx = new RetainedIndex();
    const all = ['a', 'a/b', 'a/b/c', 'a//c', '/a', 'a/x/c', 'b/b', '$SYS/x', 'bramble/v1/nodes/n1/desired', 'bramble/v1/cluster/services/ns/s'];
    for (const t of all) idx.store(pkt(t));
    const patterns = ['a', 'a/#', '#', '+', '+/+', 'a/+/c', 'a/+', '+/b', '/+', '$SYS/#', '+/x', 'bramble/v1/cluster/#', 'bramble/v1/nodes/n1/desired', 'bramble/v1/nodes/+/desired', 'nope/#', 'a/b/c/#'];
    for (const p of patterns) expect(topics(idx.match(p)), p).toEqual(all.filter((t) => matches(p, t)).sort());
  });

  it('agrees with the reference on random topics and patterns', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const words = ['a', 'b', '', 'c', '$s'];
    const make = (wild: boolean) => {
      const n = 1 + rnd(4);
      return Array.from({ length: n }, (_, i) => {
        if (wild && i === n - 1 && rnd(4) === 0) return '#';
        if (wild && rnd(4) === 0) return '+';
        return words[rnd(words.length)];
      }).join('/');
    };
    const idx = new RetainedIndex();
    const stored = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const t = make(false);
      stored.add(t);
      idx.store(pkt(t));
    }
    for (let i = 0; i < 300; i++) {
      const p = make(true);
      expect(topics(idx.match(p)), p).toEqual([...stored].filter((t) => matches(p, t)).sort());
    }
  });

  it('replaces a topic message, deletes on an empty payload and prunes empty branches', () => {
    const idx = new RetainedIndex();
    idx.store(pkt('a/b/c', 'one'));
    idx.store(pkt('a/b/c', 'two'));
    idx.store(pkt('a/b'));
    expect(idx.size).toBe(2);
    expect(idx.get('a/b/c')?.payload.toString()).toBe('two');
    idx.store(pkt('a/b/c', ''));
    expect(idx.get('a/b/c')).toBeUndefined();
    expect(topics(idx.match('#'))).toEqual(['a/b']);
    idx.store(pkt('a/b', ''));
    idx.store(pkt('never/stored', ''));
    expect(idx.size).toBe(0);
    expect((idx as unknown as { root: { children: Map<string, unknown> } }).root.children.size).toBe(0);
  });

  it('sends a message matched by two patterns once', () => {
    const idx = new RetainedIndex();
    idx.store(pkt('bramble/v1/cluster/services/ns/s'));
    idx.store(pkt('bramble/v1/nodes/n1/desired'));
    expect(topics(idx.matchAll(['bramble/v1/cluster/#', 'bramble/v1/cluster/services/+/+', 'bramble/v1/nodes/n1/desired']))).toEqual([
      'bramble/v1/cluster/services/ns/s',
      'bramble/v1/nodes/n1/desired',
    ]);
  });
});

describe('indexRetained', () => {
  it('serves aedes both ways it stores (promise and callback) and streams matches', async () => {
    const p = indexRetained((aedesPersistence as unknown as typeof aedesPersistence.default)());
    const packet = (topic: string, payload: string) => ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false, brokerId: 'b', brokerCounter: 1 }) as never;
    await (p.storeRetained as unknown as (x: unknown) => Promise<void>)(packet('a/b', '1'));
    await new Promise<void>((r) => p.storeRetained(packet('a/c', '2'), () => r()));
    const got: string[] = [];
    for await (const m of p.createRetainedStreamCombi(['a/+', 'a/b'])) got.push(`${m.topic}=${m.payload}`);
    expect(got.sort()).toEqual(['a/b=1', 'a/c=2']);
  });
});
