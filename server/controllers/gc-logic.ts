// gc-logic: the garbage collector's pure part — the owner graph and the decisions made on it.
//
// The graph holds one entry per live object (uid → where it lives, its owners, whether it is
// being deleted with a GC finalizer) and, per owner uid, the set of its dependents' uids. The
// owner uid need not exist: dangling references are indexed too, so an owner that shows up late
// (or never) is found in O(1). Updates are incremental: one object in, one object out.
//
// An owner reference is, from a dependent's point of view:
//   live     the owner exists (and is not waiting for its dependents' deletion)
//   waiting  the owner is being deleted in the foreground (its GC deletes the dependents)
//   removed  the owner was seen and is gone now (a tombstone, kept while dependents point at it)
//   unknown  never seen: not yet created, in another namespace, or gone before this process
//            started — trusted to be absent only after a grace period
import type { KubeObject } from '../../shared/api/meta.js';
import type { ResourceInfo } from '../../shared/api/resources.js';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export interface GraphNode {
  uid: string;
  info: ResourceInfo;
  namespace: string;
  name: string;
  owners: string[];
  /** deleting: metadata.deletionTimestamp is set. */
  deleting: boolean;
  /** finalizers: the GC finalizers the object carries (foregroundDeletion, orphan). */
  finalizers: string[];
}

export type OwnerStatus = 'live' | 'waiting' | 'removed' | 'unknown';

export function nodeOf(info: ResourceInfo, o: KubeObject): GraphNode {
  const m = o.metadata;
  const owners = [...new Set((m.ownerReferences ?? []).map((r) => r.uid).filter((u): u is string => typeof u === 'string' && u !== ''))];
  return {
    uid: m.uid!,
    info,
    namespace: m.namespace ?? '',
    name: m.name!,
    owners,
    deleting: !!m.deletionTimestamp,
    finalizers: (m.finalizers ?? []).filter((f) => f === FOREGROUND || f === ORPHAN),
  };
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly tombstones = new Set<string>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** upsert stores an object's node; it reports whether its owner set changed. */
  upsert(n: GraphNode): { ownersChanged: boolean } {
    const old = this.nodes.get(n.uid);
    this.nodes.set(n.uid, n);
    this.tombstones.delete(n.uid);
    const before = old?.owners ?? [];
    const changed = before.length !== n.owners.length || before.some((u, i) => u !== n.owners[i]);
    if (changed) {
      for (const u of before) if (!n.owners.includes(u)) this.unlink(u, n.uid);
      for (const u of n.owners) this.link(u, n.uid);
    }
    return { ownersChanged: changed || !old };
  }

  /** remove drops an object; it returns the node it had (its dependents are then orphaned). */
  remove(uid: string): GraphNode | undefined {
    const n = this.nodes.get(uid);
    if (!n) return undefined;
    this.nodes.delete(uid);
    for (const u of n.owners) this.unlink(u, uid);
    if (this.dependents.has(uid)) this.tombstones.add(uid);
    return n;
  }

  dependentsOf(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  hasDependents(uid: string): boolean {
    return (this.dependents.get(uid)?.size ?? 0) > 0;
  }

  /** ownerStatus classifies one owner reference of dep. */
  ownerStatus(dep: GraphNode, ownerUid: string): OwnerStatus {
    const o = this.nodes.get(ownerUid);
    if (!o) return this.tombstones.has(ownerUid) ? 'removed' : 'unknown';
    // A namespaced object can only be owned from its own namespace or by a cluster-scoped object.
    if (o.namespace !== '' && o.namespace !== dep.namespace) return 'unknown';
    return o.deleting && o.finalizers.includes(FOREGROUND) ? 'waiting' : 'live';
  }

  /** all lists every node (once, at start-up). */
  all(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  private link(owner: string, dep: string): void {
    const s = this.dependents.get(owner);
    if (s) s.add(dep);
    else this.dependents.set(owner, new Set([dep]));
  }

  private unlink(owner: string, dep: string): void {
    const s = this.dependents.get(owner);
    if (!s) return;
    s.delete(dep);
    if (s.size === 0) {
      this.dependents.delete(owner);
      this.tombstones.delete(owner);
    }
  }
}

export type DependentAction =
  | { type: 'keep' } // a live owner holds it
  | { type: 'drop-refs'; uids: string[] } // another owner lives: forget the gone and the departing ones
  | { type: 'delete'; foreground: boolean } // no owner lives (foreground: one waits for it to go)
  | { type: 'recheck'; afterMs: number }; // an owner was never seen: look again after the grace

/**
 * decideDependent: what to do with an object given the status of each of its owners.
 * unknownSince is when the caller first saw an unknown owner on it (undefined: now).
 */
export function decideDependent(
  owners: { uid: string; status: OwnerStatus }[],
  now: number,
  unknownSince: number | undefined,
  graceMs: number,
): DependentAction {
  if (owners.length === 0) return { type: 'keep' };
  const waited = now - (unknownSince ?? now);
  if (owners.some((o) => o.status === 'unknown') && waited < graceMs) return { type: 'recheck', afterMs: graceMs - waited };
  const others = owners.filter((o) => o.status !== 'live').map((o) => o.uid);
  if (others.length < owners.length) return others.length ? { type: 'drop-refs', uids: others } : { type: 'keep' };
  return { type: 'delete', foreground: owners.some((o) => o.status === 'waiting') };
}

/** withoutOwners returns a copy of o's ownerReferences without the given uids (undefined if none match). */
export function withoutOwners(o: KubeObject, uids: string[]): KubeObject | undefined {
  const refs = o.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => !uids.includes(r.uid));
  if (kept.length === refs.length) return undefined;
  if (kept.length) o.metadata.ownerReferences = kept;
  else delete o.metadata.ownerReferences;
  return o;
}

/** withoutFinalizer removes one finalizer from an object being deleted (undefined if absent). */
export function withoutFinalizer(o: KubeObject, uid: string, finalizer: string): KubeObject | undefined {
  const m = o.metadata;
  if (m.uid !== uid || !m.deletionTimestamp || !m.finalizers?.includes(finalizer)) return undefined;
  m.finalizers = m.finalizers.filter((f) => f !== finalizer);
  return o;
}
