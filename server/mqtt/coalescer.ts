// coalescer: one task at a time per key (a node), with everything that arrives meanwhile merged
// into one pending value. A node that reports faster than the database writes costs one write
// per round, not one per message, and its writes never race each other.
export class Coalescer<T> {
  private readonly pending = new Map<string, T>();
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly run: (key: string, value: T) => Promise<void>,
    private readonly merge: (pending: T, next: T) => T = (_pending, next) => next,
    private readonly onError: (err: unknown, key: string) => void = () => {},
  ) {}

  submit(key: string, value: T): void {
    if (this.busy.has(key)) {
      const p = this.pending.get(key);
      this.pending.set(key, p === undefined ? value : this.merge(p, value));
      return;
    }
    this.busy.add(key);
    this.inFlight++;
    void this.loop(key, value);
  }

  /** idle resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private async loop(key: string, first: T): Promise<void> {
    let value: T | undefined = first;
    while (value !== undefined) {
      try {
        await this.run(key, value);
      } catch (err) {
        this.onError(err, key);
      }
      value = this.pending.get(key);
      this.pending.delete(key);
    }
    this.busy.delete(key);
    if (--this.inFlight === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const r of w) r();
    }
  }
}
