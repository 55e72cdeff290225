// fake-clock: time for the fake runtime. Real timers by default; ManualClock lets a test move
// time forward so sleeps, stop grace periods and exec timeouts happen without waiting.
import type { Clock } from '../../shared/clock.js';

export interface TimerClock extends Clock {
  /** setTimeout calls fn after ms; the returned function cancels it. Timers never keep a process alive. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const realTimers: TimerClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

const before = (a: Pending, b: Pending) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** ManualClock: time stands still until advance(); due timers fire in time order. */
export class ManualClock implements TimerClock {
  private heap: Pending[] = []; // a binary min-heap on (at, seq); cancelled entries are skipped
  private seq = 0;
  private live = 0;

  constructor(private time = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const entry: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(entry);
    this.live++;
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.live--;
    };
  }

  /** advance moves time forward by ms, firing due timers (and letting their promise chains run). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
      const due = this.heap[0];
      if (!due || due.at > end) break;
      this.pop();
      due.cancelled = true;
      this.live--;
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
    await flushMicrotasks();
  }

  /** timers: how many timers are waiting (for tests that check nothing leaks). */
  get timers(): number {
    return this.live;
  }

  private push(e: Pending): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Pending;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

/** flushMicrotasks lets queued promise continuations run (a macrotask turn). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
