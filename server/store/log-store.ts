// log-store: the Store on a libSQL change log, with the current objects cached in memory and
// writes grouped into shared commits.
//
// Write path (group commit):
//   create/update/delete ─▶ check against cache+pending ─▶ assign rev ─▶ queue
//   queue ─(next tick, or after the commit in flight)─▶ one transaction ─▶ fsync
//        ─▶ apply to cache ─▶ append to history (watchers) ─▶ acknowledge
// A write is acknowledged only after its transaction committed, so kill -9 never loses an
// acknowledged write; readers only ever see committed state.
import type { KubeObject } from '../../shared/api/meta.js';
import { ObjectCache } from './cache.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import { History } from './history.js';
import { type LogRow, SqlLog } from './sql-log.js';
import {
  type EventType,
  type ListResult,
  type ObjectKey,
  keyString,
  parseKeyString,
  type Store,
  type StoreEvent,
  type Watch,
  type WatchOptions,
} from './types.js';

export interface LogStoreOptions {
  /** url: a file path or libSQL URL. */
  url: string;
  authToken?: string;
  /** historyRevisions: how many revisions watches can resume from (older → 410). */
  historyRevisions?: number;
  /** compactIntervalMs: how often compaction runs; 0 disables the timer (tests call compact()). */
  compactIntervalMs?: number;
  /** maxBatch: the most writes one commit carries. */
  maxBatch?: number;
}

interface PendingWrite {
  row: LogRow;
  event: StoreEvent;
  resolve: (o: KubeObject) => void;
  reject: (e: unknown) => void;
}

export class LogStore implements Store {
  private readonly cache = new ObjectCache();
  private history!: History;
  private committedRev = 0;
  private nextRev = 1;
  // pending holds the newest queued value of each key (null = queued delete) so writes queued
  // behind one another are checked against each other, not just against committed state.
  private readonly pending = new Map<string, KubeObject | null>();
  private queue: PendingWrite[] = [];
  private flushing = false;
  private flushScheduled = false;
  private compactTimer?: NodeJS.Timeout;
  private closed = false;
  /** commits counts transactions (group commits), for benchmarks and metrics. */
  commits = 0;
  committedWrites = 0;

  private constructor(
    private readonly log: SqlLog,
    private readonly opts: Required<Omit<LogStoreOptions, 'authToken'>>,
  ) {}

  static async open(options: LogStoreOptions): Promise<LogStore> {
    const opts = { historyRevisions: 10_000, compactIntervalMs: 60_000, maxBatch: 1000, ...options };
    const log = await SqlLog.open(options.url, options.authToken);
    const store = new LogStore(log, opts);
    await store.load();
    if (opts.compactIntervalMs > 0) {
      // Compact at start too: a server restarted often (power cuts) might never reach the timer.
      await store.compact();
      store.compactTimer = setInterval(() => void store.compact().catch(() => {}), opts.compactIntervalMs);
      store.compactTimer.unref();
    }
    return store;
  }

  get revision(): number {
    return this.committedRev;
  }

  get compactedRevision(): number {
    return this.history.compactedRev;
  }

  // load fills the cache from the newest row of every key and the history from the rows above
  // the compact revision, so a restarted server serves the same resourceVersions and resumes
  // watches it had before.
  private async load(): Promise<void> {
    const compacted = await this.log.compactedRev();
    for (const row of await this.log.current()) {
      this.cache.set(parseKeyString(row.key), withRev(JSON.parse(row.value), row.rev));
    }
    this.history = new History(compacted);
    const rows = await this.log.after(compacted);
    const known = new Map<number, KubeObject>();
    for (const r of rows) known.set(r.rev, withRev(JSON.parse(r.value), r.rev));
    const missing = rows.filter((r) => r.prevRev && !known.has(r.prevRev)).map((r) => r.prevRev);
    for (const [rev, v] of await this.log.valuesAt(missing)) known.set(rev, withRev(JSON.parse(v), rev));
    for (const r of rows) {
      const type: EventType = r.deleted ? 'DELETED' : r.created ? 'ADDED' : 'MODIFIED';
      this.history.append({ type, rev: r.rev, key: parseKeyString(r.key), object: known.get(r.rev)!, prev: known.get(r.prevRev) });
    }
    this.committedRev = Math.max(await this.log.maxRev(), compacted);
    this.nextRev = this.committedRev + 1;
  }

  get(key: ObjectKey): KubeObject | undefined {
    return this.cache.get(key);
  }

  getLatest(key: ObjectKey): KubeObject | undefined {
    return this.latest(key);
  }

  list(resource: string, namespace?: string): ListResult {
    return { items: this.cache.list(resource, namespace), revision: this.committedRev };
  }

  create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    if (this.latest(key)) return Promise.reject(new AlreadyExistsError(key.resource, key.name));
    return this.enqueue(key, 'ADDED', obj, undefined);
  }

  update(key: ObjectKey, obj: KubeObject, expectedRev?: number): Promise<KubeObject> {
    const cur = this.latest(key);
    if (!cur) return Promise.reject(new NotFoundError(key.resource, key.name));
    if (expectedRev !== undefined && revOf(cur) !== expectedRev) {
      return Promise.reject(new ConflictError(key.resource, key.name));
    }
    return this.enqueue(key, 'MODIFIED', obj, cur);
  }

  delete(key: ObjectKey, expectedRev?: number): Promise<KubeObject> {
    const cur = this.latest(key);
    if (!cur) return Promise.reject(new NotFoundError(key.resource, key.name));
    if (expectedRev !== undefined && revOf(cur) !== expectedRev) {
      return Promise.reject(new ConflictError(key.resource, key.name));
    }
    return this.enqueue(key, 'DELETED', cur, cur);
  }

  watch(opts: WatchOptions, onEvent: (e: StoreEvent) => void): Watch {
    return this.history.watch(opts, onEvent);
  }

  /** compact keeps the newest historyRevisions revisions of history, on disk and in memory. */
  async compact(): Promise<number> {
    const target = this.committedRev - this.opts.historyRevisions;
    if (target <= this.history.compactedRev) return 0;
    const n = await this.log.compact(target);
    this.history.compact(target);
    return n;
  }

  /** stats reports counters for metrics and benchmarks. */
  stats() {
    return {
      revision: this.committedRev,
      objects: this.cache.count(),
      history: this.history.size(),
      watchers: this.history.watcherCount(),
      commits: this.commits,
      writes: this.committedWrites,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    this.log.close();
  }

  private latest(key: ObjectKey): KubeObject | undefined {
    const p = this.pending.get(keyString(key));
    if (p !== undefined) return p ?? undefined;
    return this.cache.get(key);
  }

  private enqueue(key: ObjectKey, type: EventType, obj: KubeObject, prev: KubeObject | undefined): Promise<KubeObject> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const rev = this.nextRev++;
    const stored = withRev(obj, rev);
    const ks = keyString(key);
    this.pending.set(ks, type === 'DELETED' ? null : stored);
    const row: LogRow = {
      rev,
      key: ks,
      created: type === 'ADDED',
      deleted: type === 'DELETED',
      prevRev: prev ? revOf(prev) : 0,
      value: JSON.stringify(stored),
    };
    return new Promise((resolve, reject) => {
      this.queue.push({ row, event: { type, rev, key, object: stored, prev }, resolve, reject });
      this.scheduleFlush();
    });
  }

  // scheduleFlush waits one tick so that writes issued together share a commit; while a commit
  // is in flight, new writes simply gather for the next one.
  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    try {
      await this.log.append(batch.map((w) => w.row));
    } catch (err) {
      this.failAll(batch, err);
      return;
    }
    this.commits++;
    this.committedWrites += batch.length;
    for (const w of batch) {
      const { event } = w;
      if (event.type === 'DELETED') this.cache.delete(event.key);
      else this.cache.set(event.key, event.object);
      this.committedRev = event.rev;
      const ks = w.row.key;
      // Only clear pending if no later queued write for the same key replaced it.
      const p = this.pending.get(ks);
      if (p === (event.type === 'DELETED' ? null : event.object)) this.pending.delete(ks);
      this.history.append(event);
    }
    this.flushing = false;
    for (const w of batch) w.resolve(w.event.object);
    if (this.queue.length) this.scheduleFlush();
  }

  // failAll rejects the failed group and everything queued behind it: those writes were checked
  // against values that never committed, so none of them may land.
  private failAll(batch: PendingWrite[], err: unknown): void {
    const rest = this.queue.splice(0);
    this.pending.clear();
    this.nextRev = this.committedRev + 1;
    this.flushing = false;
    for (const w of [...batch, ...rest]) w.reject(err);
  }
}

function revOf(o: KubeObject): number {
  return Number(o.metadata.resourceVersion);
}

function withRev(obj: KubeObject, rev: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
}
