// queue: a work queue of keys, as client-go's. A key is queued at most once; a key being
// processed and queued again is processed again afterwards (never concurrently); failures are
// retried with capped exponential back-off. The delay function is injectable for tests.
export type Delay = (ms: number, fn: () => void) => { cancel(): void };

export const realDelay: Delay = (ms, fn) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

export interface QueueOptions {
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  delay?: Delay;
  onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { cancel(): void }>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly opts: QueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.pump();
  }

  /** addAfter queues the key after ms (the earliest pending request wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const delay = this.opts.delay ?? realDelay;
    this.timers.set(
      key,
      delay(ms, () => {
        this.timers.delete(key);
        this.add(key);
      }),
    );
  }

  get length(): number {
    return this.order.length - this.head;
  }

  /** idle resolves when nothing is queued or being processed (for tests and benchmarks). */
  idle(): Promise<void> {
    if (this.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private pump(): void {
    const max = this.opts.concurrency ?? 1;
    while (!this.stopped && this.running < max && this.length > 0) {
      const key = this.order[this.head++];
      if (this.head > 1024 && this.head * 2 > this.order.length) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key);
    }
    if (this.length === 0 && this.running === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.process(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.opts.onError?.(key, err);
      const base = this.opts.baseDelayMs ?? 50;
      this.addAfter(key, Math.min(base * 2 ** (n - 1), this.opts.maxDelayMs ?? 30_000));
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
