// replicaset: keeps the number of running pods of each ReplicaSet at spec.replicas, like
// Kubernetes' ReplicaSet controller. A pod belongs to the ReplicaSet named by its controller
// ownerReference (uid checked); orphans that match a selector are adopted. Pods are created in
// slow-start batches (1, 2, 4, …) so a broken template fails after one pod, not hundreds, while a
// healthy one reaches full parallelism quickly (the store commits each batch as one group).
import type { Pod, ReplicaSet } from '../../shared/api/core.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { rfc3339 } from '../../shared/clock.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { controllerOf, inform, nsKey, splitKey } from './informer.js';
import { WorkQueue } from './queue.js';
import {
  controllerRefTo,
  failureCondition,
  isPodActive,
  podFromTemplate,
  podsToDelete,
  replicaDiff,
  replicaSetStatus,
  shouldAdopt,
  shouldRelease,
  slowStartBatches,
} from './replicaset-logic.js';
import { stableStringify } from './pod-template-hash.js';

const PODS = findResource('', 'v1', 'pods')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;

/**
 * PodIndex groups the pods the informer has seen by controller uid (orphans by namespace), so a
 * sync reads the pods of one ReplicaSet without scanning the namespace. It is fed synchronously
 * by the store's watch, so it is never behind a write this controller has awaited.
 */
class PodIndex {
  private readonly buckets = new Map<string, Map<string, Pod>>();
  private readonly byKey = new Map<string, Pod>();

  put(p: Pod): Pod | undefined {
    const key = nsKey(p);
    const prev = this.remove(key);
    this.byKey.set(key, p);
    const b = bucketOf(p);
    const m = this.buckets.get(b) ?? new Map<string, Pod>();
    this.buckets.set(b, m);
    m.set(key, p);
    return prev;
  }

  remove(key: string): Pod | undefined {
    const prev = this.byKey.get(key);
    if (!prev) return undefined;
    this.byKey.delete(key);
    const b = bucketOf(prev);
    const m = this.buckets.get(b);
    m?.delete(key);
    if (m?.size === 0) this.buckets.delete(b);
    return prev;
  }

  owned(uid: string): Pod[] {
    return [...(this.buckets.get(uid)?.values() ?? [])];
  }

  orphans(namespace: string): Pod[] {
    return [...(this.buckets.get(`orphans/${namespace}`)?.values() ?? [])];
  }
}

function bucketOf(p: KubeObject): string {
  return controllerOf(p)?.uid ?? `orphans/${p.metadata.namespace ?? ''}`;
}

export function replicaSetController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'replicaset' });
  const pods = new PodIndex();
  const queue = new WorkQueue(sync, { concurrency: 8, onError: (key, err) => log.warn({ err, key }, 'replicaset sync failed') });
  let watches: { close(): void }[] = [];

  // enqueueFor queues the ReplicaSet a pod belongs to, or every one that could adopt it.
  function enqueueFor(p: Pod): void {
    const ns = p.metadata.namespace ?? '';
    const ref = controllerOf(p);
    if (ref) {
      if (ref.kind === 'ReplicaSet') queue.add(`${ns}/${ref.name}`);
      return;
    }
    if (!isPodActive(p)) return;
    for (const rs of ctx.objects.list(REPLICASETS, { namespace: ns }).items) {
      if (shouldAdopt(rs as ReplicaSet, p)) queue.add(nsKey(rs));
    }
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const rs = ctx.objects.find(REPLICASETS, ns, name) as ReplicaSet | undefined;
    if (!rs) return;
    await claim(rs);
    let failure: Condition | undefined;
    if (!rs.metadata.deletionTimestamp) failure = await manage(rs);
    const active = pods.owned(rs.metadata.uid!).filter(isPodActive);
    const { status, recheckInMs } = replicaSetStatus(rs, active, ctx.clock.now(), failure);
    await ctx.objects.mutate(REPLICASETS, ns, name, (o) => {
      if (o.metadata.uid !== rs.metadata.uid || stableStringify(o.status ?? {}) === stableStringify(status)) return undefined;
      o.status = status;
      return o;
    }, { subresource: 'status' });
    if (recheckInMs !== undefined) queue.addAfter(key, recheckInMs);
    if (failure) throw new Error(failure.message);
  }

  // claim adopts matching orphans and releases owned pods that no longer match, as ClaimPods.
  async function claim(rs: ReplicaSet): Promise<void> {
    const uid = rs.metadata.uid!;
    const ns = rs.metadata.namespace ?? '';
    const adopt = pods.orphans(ns).filter((p) => shouldAdopt(rs, p));
    const release = pods.owned(uid).filter((p) => isPodActive(p) && shouldRelease(rs, p));
    await Promise.all([
      ...adopt.map((p) =>
        ctx.objects.mutate(PODS, ns, p.metadata.name!, (o) => {
          if (o.metadata.uid !== p.metadata.uid || controllerOf(o)) return undefined;
          o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), controllerRefTo(rs)];
          return o;
        }),
      ),
      ...release.map((p) =>
        ctx.objects.mutate(PODS, ns, p.metadata.name!, (o) => {
          if (o.metadata.uid !== p.metadata.uid) return undefined;
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          return o;
        }),
      ),
    ]);
  }

  // manage creates or deletes pods; it returns a ReplicaFailure condition when a write failed.
  async function manage(rs: ReplicaSet): Promise<Condition | undefined> {
    const active = pods.owned(rs.metadata.uid!).filter(isPodActive);
    const diff = replicaDiff(rs, active.length);
    if (diff > 0) return createPods(rs, diff);
    if (diff < 0) return deletePods(rs, podsToDelete(active, -diff));
    return undefined;
  }

  async function createPods(rs: ReplicaSet, n: number): Promise<Condition | undefined> {
    const ns = rs.metadata.namespace ?? '';
    for (const size of slowStartBatches(n)) {
      const results = await Promise.allSettled(
        Array.from({ length: size }, async () => {
          const pod = await ctx.objects.create(PODS, ns, podFromTemplate(rs));
          ctx.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        const msg = errorMessage((failed as PromiseRejectedResult).reason);
        ctx.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${msg}`);
        return failureCondition('FailedCreate', msg, rfc3339(ctx.clock.now()));
      }
    }
    return undefined;
  }

  async function deletePods(rs: ReplicaSet, victims: Pod[]): Promise<Condition | undefined> {
    const ns = rs.metadata.namespace ?? '';
    let failure: Condition | undefined;
    await Promise.all(
      victims.map(async (p) => {
        try {
          await ctx.objects.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          ctx.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          if (e instanceof ApiError && e.code === 404) return;
          const msg = errorMessage(e);
          ctx.events.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${msg}`);
          failure = failureCondition('FailedDelete', msg, rfc3339(ctx.clock.now()));
        }
      }),
    );
    return failure;
  }

  return {
    name: 'replicaset',
    start() {
      watches = [
        inform(ctx.objects, REPLICASETS, { added: (o) => queue.add(nsKey(o)), modified: (o) => queue.add(nsKey(o)) }),
        inform(ctx.objects, PODS, {
          added: (p) => {
            pods.put(p as Pod);
            enqueueFor(p as Pod);
          },
          modified: (p) => {
            const prev = pods.put(p as Pod);
            if (prev && controllerOf(prev)?.uid !== controllerOf(p)?.uid) enqueueFor(prev);
            enqueueFor(p as Pod);
          },
          deleted: (p) => {
            pods.remove(nsKey(p));
            if (controllerOf(p)) enqueueFor(p as Pod);
          },
        }),
      ];
    },
    stop() {
      for (const w of watches) w.close();
      watches = [];
      queue.stop();
    },
    idle: () => queue.idle(),
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
