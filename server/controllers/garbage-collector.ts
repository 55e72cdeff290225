// garbage-collector: ownerReferences semantics as Kubernetes' GC, in process. One informer per
// kind keeps the owner graph (gc-logic.ts) up to date, one object at a time; the queue's keys are
// uids. What happens to an owner O and its dependents D:
//
//   O deleted (Background)      ─▶ O gone ─▶ each D whose owners are all gone is deleted
//                                             (its own dependents follow the same way)
//   O deleted (Foreground)      ─▶ O: deletionTimestamp + finalizer foregroundDeletion
//                                  ─▶ each D is looked at: deleted (Foreground if D owns things,
//                                     so the tree goes depth first) ─▶ no D left
//                                  ─▶ finalizer removed ─▶ O gone
//   O deleted (Orphan)          ─▶ O: deletionTimestamp + finalizer orphan
//                                  ─▶ references to O removed from every D ─▶ finalizer removed
//   D references a uid never seen ─▶ looked at again after graceMs (owner and dependent may be
//                                    created in either order) ─▶ still absent: as if deleted
//
// A dependent with several owners stays while one of them lives; references to the gone (and
// foreground-departing) ones are removed from it. Every step is O(1) or O(dependents of one
// owner): nothing rescans the whole graph after start-up.
import type { KubeObject } from '../../shared/api/meta.js';
import { RESOURCES, type ResourceInfo } from '../../shared/api/resources.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { decideDependent, FOREGROUND, type GraphNode, nodeOf, ORPHAN, OwnerGraph, withoutFinalizer, withoutOwners } from './gc-logic.js';
import { inform } from './informer.js';
import { type Delay, WorkQueue } from './queue.js';

export interface GarbageCollectorOptions {
  delay?: Delay;
  /** graceMs: how long a reference to a never-seen owner is given before it counts as gone. */
  graceMs?: number;
}

const BATCH = 256;

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly graph = new OwnerGraph();
  private readonly unknownSince = new Map<string, number>();
  private readonly queue: WorkQueue;
  private watches: { close(): void }[] = [];
  private starting = false;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.queue = new WorkQueue((uid) => this.sync(uid), {
      concurrency: 4,
      delay: opts.delay,
      onError: (uid, err) => ctx.logger.warn({ err, uid }, 'garbage collection failed'),
    });
  }

  start(): void {
    // The first lists arrive kind by kind; judge nobody before every kind is in the graph.
    this.starting = true;
    for (const info of RESOURCES) {
      this.watches.push(
        inform(this.ctx.objects, info, {
          added: (o) => this.observe(info, o),
          modified: (o) => this.observe(info, o),
          deleted: (o) => this.forget(o),
        }),
      );
    }
    this.starting = false;
    for (const n of this.graph.all()) if (n.owners.length || hasWork(n)) this.queue.add(n.uid);
  }

  stop(): void {
    for (const w of this.watches) w.close();
    this.watches = [];
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private observe(info: ResourceInfo, o: KubeObject): void {
    if (!o.metadata.uid) return;
    const n = nodeOf(info, o);
    const { ownersChanged } = this.graph.upsert(n);
    if (this.starting) return;
    if ((ownersChanged && n.owners.length) || hasWork(n)) this.queue.add(n.uid);
  }

  private forget(o: KubeObject): void {
    const uid = o.metadata.uid;
    if (!uid) return;
    this.unknownSince.delete(uid);
    const n = this.graph.remove(uid);
    if (!n) return;
    for (const d of this.graph.dependentsOf(uid)) this.queue.add(d.uid);
    // An owner deleted in the foreground may have waited for this one only.
    for (const u of n.owners) if (this.graph.get(u)?.deleting && !this.graph.hasDependents(u)) this.queue.add(u);
  }

  private async sync(uid: string): Promise<void> {
    const n = this.graph.get(uid);
    if (!n) return;
    if (n.deleting) return this.finalize(n);
    const owners = n.owners.map((u) => ({ uid: u, status: this.graph.ownerStatus(n, u) }));
    const now = this.ctx.clock.now();
    if (!owners.some((o) => o.status === 'unknown')) this.unknownSince.delete(uid);
    else if (!this.unknownSince.has(uid)) this.unknownSince.set(uid, now);
    const action = decideDependent(owners, now, this.unknownSince.get(uid), this.opts.graceMs ?? 5_000);
    switch (action.type) {
      case 'keep':
        return;
      case 'recheck':
        this.queue.addAfter(uid, action.afterMs);
        return;
      case 'drop-refs':
        this.unknownSince.delete(uid);
        return this.mutate(n, (o) => withoutOwners(o, action.uids));
      case 'delete':
        this.unknownSince.delete(uid);
        this.ctx.logger.debug({ kind: n.info.kind, namespace: n.namespace, name: n.name }, 'deleting object whose owners are gone');
        return this.remove(n, action.foreground && this.graph.hasDependents(uid) ? 'Foreground' : 'Background');
    }
  }

  // finalize carries out the GC finalizers of an object being deleted.
  private async finalize(n: GraphNode): Promise<void> {
    if (n.finalizers.includes(ORPHAN)) {
      await inBatches(this.graph.dependentsOf(n.uid), (d) => this.mutate(d, (o) => withoutOwners(o, [n.uid])));
      return this.mutate(n, (o) => withoutFinalizer(o, n.uid, ORPHAN));
    }
    if (n.finalizers.includes(FOREGROUND)) {
      if (!this.graph.hasDependents(n.uid)) return this.mutate(n, (o) => withoutFinalizer(o, n.uid, FOREGROUND));
      // Each dependent decides for itself (deleted, or released if another owner lives); the
      // last one to go queues this owner again (see forget).
      for (const d of this.graph.dependentsOf(n.uid)) this.queue.add(d.uid);
    }
  }

  private async mutate(n: GraphNode, fn: (o: KubeObject) => KubeObject | undefined): Promise<void> {
    await this.ctx.objects.mutate(n.info, n.namespace, n.name, (o) => (o.metadata.uid === n.uid ? fn(o) : undefined));
  }

  private async remove(n: GraphNode, policy: 'Foreground' | 'Background'): Promise<void> {
    try {
      await this.ctx.objects.delete(n.info, n.namespace, n.name, { propagationPolicy: policy, preconditions: { uid: n.uid } });
    } catch (e) {
      // Already gone, or replaced by a namesake with another uid: nothing left to collect.
      if (e instanceof ApiError && (e.reason === 'NotFound' || e.message.startsWith('Precondition failed: UID'))) return;
      throw e;
    }
  }
}

// hasWork: an object being deleted with a GC finalizer needs the collector.
function hasWork(n: GraphNode): boolean {
  return n.deleting && n.finalizers.length > 0;
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}
