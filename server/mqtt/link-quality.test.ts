import { describe, expect, it } from 'vitest';
import { LinkQuality } from './link-quality.js';

// rng: a small seeded generator (mulberry32), so the lossy-link runs are the same every time.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = 3_000;
const MAX = 20_000;

// run feeds n heartbeats sent every 2 s, each delivered after delay(i) ms; the agent clock is
// skewMs ahead of the server's. Returns the grace after each heartbeat and the worst gap.
function run(q: LinkQuality, n: number, delay: (i: number) => number, skewMs = 0, start = 1_000_000) {
  const graces: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let worstMargin = Number.POSITIVE_INFINITY; // grace at the previous heartbeat − the gap that followed
  let prevGrace = BASE;
  for (let i = 0; i < n; i++) {
    const sent = start + i * 2_000;
    const recv = Math.max(last, sent + delay(i)); // TCP delivers in order
    if (i > 0) worstMargin = Math.min(worstMargin, prevGrace - (recv - last));
    q.sample(recv, sent + skewMs);
    prevGrace = q.graceMs(recv);
    graces.push(prevGrace);
    last = recv;
  }
  return { graces, worstMargin, last };
}

// tcpDelay models one heartbeat over TCP with packet loss p: each loss costs a retransmission
// timeout that doubles (RTO starting at rto ms), plus jitter.
function tcpDelay(r: () => number, p: number, rto: number, jitter: number) {
  return () => {
    let d = 1 + r() * jitter;
    let t = rto;
    while (r() < p) {
      d += t;
      t *= 2;
    }
    return d;
  };
}

describe('LinkQuality', () => {
  it('keeps the base grace on a steady link, whatever the clock offset', () => {
    const r = rng(1);
    for (const skew of [0, 3_600_000, -90_000]) {
      const { graces } = run(new LinkQuality({ baseMs: BASE, maxMs: MAX }), 200, () => 1 + r() * 5, skew);
      expect(Math.max(...graces)).toBe(BASE);
    }
  });

  it('stretches the grace on a lossy, jittery link and never lets a late heartbeat exceed it', () => {
    const r = rng(42);
    // 20 % loss (RTO 200 ms doubling) and 0–100 ms jitter, 30 minutes of heartbeats
    const { graces, worstMargin } = run(new LinkQuality({ baseMs: BASE, maxMs: MAX }), 900, tcpDelay(r, 0.2, 200, 100));
    expect(graces.at(-1)!).toBeGreaterThan(6_000);
    expect(Math.max(...graces)).toBeLessThanOrEqual(MAX);
    expect(worstMargin).toBeGreaterThan(0); // no gap ever longer than the grace in force: no flap
  });

  it('widens within a few heartbeats of the link turning bad', () => {
    const r = rng(7);
    const q = new LinkQuality({ baseMs: BASE, maxMs: MAX });
    const bad = tcpDelay(r, 0.2, 200, 100);
    const { graces } = run(q, 10, (i) => (i < 5 ? 2 : bad()));
    expect(graces[4]).toBe(BASE);
    expect(graces[9]).toBeGreaterThan(BASE);
  });

  it('shrinks back slowly once the link is steady again', () => {
    const r = rng(3);
    const q = new LinkQuality({ baseMs: BASE, maxMs: MAX });
    const bad = tcpDelay(r, 0.3, 300, 150);
    const first = run(q, 100, () => bad());
    const stretched = q.graceMs(first.last);
    expect(stretched).toBeGreaterThan(8_000);
    // two more minutes, steady (the minimum offset stays what the bad link showed)
    const calm = run(q, 60, () => 2, 0, first.last + 2_000);
    const after = q.graceMs(calm.last);
    expect(after).toBeLessThan(stretched);
    expect(after).toBeGreaterThan(BASE + (stretched - BASE) / 4); // about a half-life, not a cliff
  });

  it('does not count heartbeats held back by an outage as jitter', () => {
    const q = new LinkQuality({ baseMs: BASE, maxMs: MAX });
    const first = run(q, 60, () => 2); // a minute, steady
    // the cable is cut for 20 s: the next heartbeats arrive together when it is back
    const back = first.last + 22_000;
    for (let i = 1; i <= 10; i++) q.sample(back + i, first.last - 2 + i * 2_000);
    expect(q.graceMs(back + 20)).toBe(BASE);
  });

  it('learns from a stall longer than the grace on a link already known to be lossy', () => {
    const r = rng(5);
    const q = new LinkQuality({ baseMs: BASE, maxMs: MAX });
    const first = run(q, 30, tcpDelay(r, 0.2, 200, 100));
    const before = q.graceMs(first.last);
    expect(before).toBeGreaterThan(BASE);
    const late = first.last + 2_000 + before + 2_000; // a heartbeat 2 s later than even that grace
    q.sample(late, first.last + 2_000);
    expect(q.graceMs(late)).toBeGreaterThan(before);
  });

  it('forgives a few tens of milliseconds of variation (a busy server, Wi-Fi)', () => {
    const r = rng(11);
    const { graces } = run(new LinkQuality({ baseMs: BASE, maxMs: MAX }), 300, () => 1 + r() * 25);
    expect(Math.max(...graces)).toBe(BASE);
  });

  it('ignores a heartbeat without a send time', () => {
    const q = new LinkQuality({ baseMs: BASE, maxMs: MAX });
    q.sample(1_000, Number.NaN);
    expect(q.graceMs(1_000)).toBe(BASE);
  });
});
