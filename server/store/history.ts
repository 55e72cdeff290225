// history: the recent change log in memory, and the watchers fed from it.
//
// A watch from revision R replays the retained events with rev > R, then receives live events.
// The window starts just above compactedRev: a watch from below it gets ExpiredError (HTTP 410),
// like etcd's "required revision has been compacted".
import { ExpiredError } from './errors.js';
import type { StoreEvent, Watch, WatchOptions } from './types.js';

interface Watcher {
  opts: WatchOptions;
  onEvent: (e: StoreEvent) => void;
}

export class History {
  private events: StoreEvent[] = [];
  private start = 0; // index of the first retained event (trimmed lazily to avoid O(n) shifts)
  private readonly watchers = new Map<string, Set<Watcher>>();

  constructor(public compactedRev: number) {}

  append(e: StoreEvent): void {
    this.events.push(e);
    const ws = this.watchers.get(e.key.resource);
    if (!ws) return;
    for (const w of ws) {
      if (w.opts.namespace !== undefined && w.opts.namespace !== e.key.namespace) continue;
      deliver(w, e);
    }
  }

  /** compact drops events with rev ≤ rev; later watches from below it are Expired. */
  compact(rev: number): void {
    if (rev <= this.compactedRev) return;
    this.compactedRev = rev;
    while (this.start < this.events.length && this.events[this.start].rev <= rev) this.start++;
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  size(): number {
    return this.events.length - this.start;
  }

  watch(opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watch {
    if (opts.fromRev !== undefined && opts.fromRev < this.compactedRev) {
      throw new ExpiredError(opts.fromRev, this.compactedRev);
    }
    const w: Watcher = { opts, onEvent };
    if (opts.fromRev !== undefined) {
      for (let i = this.firstAfter(opts.fromRev); i < this.events.length; i++) {
        const e = this.events[i];
        if (e.key.resource !== opts.resource) continue;
        if (opts.namespace !== undefined && opts.namespace !== e.key.namespace) continue;
        deliver(w, e);
      }
    }
    let ws = this.watchers.get(opts.resource);
    if (!ws) {
      ws = new Set();
      this.watchers.set(opts.resource, ws);
    }
    ws.add(w);
    return {
      close: () => {
        ws.delete(w);
      },
    };
  }

  watcherCount(): number {
    let n = 0;
    for (const ws of this.watchers.values()) n += ws.size;
    return n;
  }

  // firstAfter finds the index of the first retained event with rev > rev (binary search: revs ascend).
  private firstAfter(rev: number): number {
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// deliver isolates watchers from each other: one failing consumer must not stop the fan-out.
function deliver(w: Watcher, e: StoreEvent): void {
  try {
    w.onEvent(e);
  } catch {
    // A watcher's own error is its business; the store keeps serving the others.
  }
}
