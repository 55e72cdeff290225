// deployment: rolls Deployments out through ReplicaSets, like Kubernetes' deployment controller.
// The decisions live in deployment-logic.ts; this file gathers the snapshot (the Deployment, the
// ReplicaSets it controls, their pods for Recreate), applies the plan in order and records the
// ScalingReplicaSet events. A write that loses a race (404/409) ends the sync: the change that
// beat it queues the Deployment again, and a short requeue covers the rest.
import type { Deployment, Pod, ReplicaSet } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { type Action, claimReplicaSets, planDeployment, podsByReplicaSet, REVISION } from './deployment-logic.js';
import { controllerOf, inform, nsKey, splitKey } from './informer.js';
import { WorkQueue } from './queue.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
const PODS = findResource('', 'v1', 'pods')!;
const RETRY_MS = 250;

export function deploymentController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'deployment' });
  const queue = new WorkQueue(sync, { concurrency: 4, onError: (key, err) => log.warn({ err, key }, 'deployment sync failed') });
  let watches: { close(): void }[] = [];

  // enqueueOwner queues the Deployment controlling a ReplicaSet, or those that could adopt it.
  function enqueueOwner(rs: KubeObject): void {
    const ns = rs.metadata.namespace ?? '';
    const ref = controllerOf(rs);
    if (ref) {
      if (ref.kind === 'Deployment') queue.add(`${ns}/${ref.name}`);
      return;
    }
    for (const d of ctx.objects.list(DEPLOYMENTS, { namespace: ns }).items) {
      if (claimReplicaSets(d as Deployment, [rs as ReplicaSet]).adopt.length) queue.add(nsKey(d));
    }
  }

  // enqueueRecreate: a Recreate rollout waits for the old pods to be gone, which no ReplicaSet
  // status shows (terminating pods no longer count as replicas), so pod events wake it.
  function enqueueRecreate(p: KubeObject): void {
    const ns = p.metadata.namespace ?? '';
    const ref = controllerOf(p);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = ctx.objects.find(REPLICASETS, ns, ref.name);
    const dref = rs && controllerOf(rs);
    if (dref?.kind !== 'Deployment') return;
    const d = ctx.objects.find(DEPLOYMENTS, ns, dref.name);
    if (d?.spec?.strategy?.type === 'Recreate') queue.add(`${ns}/${dref.name}`);
  }

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const d = ctx.objects.find(DEPLOYMENTS, ns, name) as Deployment | undefined;
    if (!d) return;
    const owned = await claim(d);
    const recreate = d.spec?.strategy?.type === 'Recreate';
    const plan = planDeployment({
      deployment: d,
      replicaSets: owned,
      podsByReplicaSet: recreate ? podsByReplicaSet(owned, ctx.objects.list(PODS, { namespace: ns }).items as Pod[]) : undefined,
      now: ctx.clock.now(),
      nameTaken: (n) => !!ctx.objects.find(REPLICASETS, ns, n),
    });
    for (const a of plan.actions) {
      if (!(await apply(d, a))) {
        queue.addAfter(key, RETRY_MS);
        return;
      }
    }
    if (plan.status) {
      const status = plan.status;
      await ctx.objects.mutate(
        DEPLOYMENTS,
        ns,
        name,
        (o) => {
          // A newer spec makes this status stale; its own sync writes the right one.
          if (o.metadata.uid !== d.metadata.uid || o.metadata.generation !== d.metadata.generation) return undefined;
          o.status = status;
          return o;
        },
        { subresource: 'status' },
      );
    }
    if (plan.requeueAfterMs !== undefined) queue.addAfter(key, plan.requeueAfterMs);
  }

  // claim adopts matching orphan ReplicaSets and releases owned ones that stopped matching.
  async function claim(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    const all = ctx.objects.list(REPLICASETS, { namespace: ns }).items as ReplicaSet[];
    const { owned, adopt, release } = claimReplicaSets(d, all);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const adopted = await Promise.all(
      adopt.map((rs) =>
        ctx.objects.mutate(REPLICASETS, ns, rs.metadata.name!, (o) => {
          if (o.metadata.uid !== rs.metadata.uid || controllerOf(o)) return undefined;
          o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), ref];
          return o;
        }),
      ),
    );
    await Promise.all(
      release.map((rs) =>
        ctx.objects.mutate(REPLICASETS, ns, rs.metadata.name!, (o) => {
          if (o.metadata.uid !== rs.metadata.uid) return undefined;
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
          return o;
        }),
      ),
    );
    for (const rs of adopted) if (rs && controllerOf(rs)?.uid === d.metadata.uid) owned.push(rs as ReplicaSet);
    return owned;
  }

  // apply performs one action; false means it lost a race and the sync should start over.
  async function apply(d: Deployment, a: Action): Promise<boolean> {
    const ns = d.metadata.namespace ?? '';
    try {
      switch (a.kind) {
        case 'createReplicaSet':
          await ctx.objects.create(REPLICASETS, ns, a.rs);
          break;
        case 'updateReplicaSet': {
          let current = false;
          const written = await ctx.objects.mutate(REPLICASETS, ns, a.rs.metadata.name!, (o) => {
            // Only on top of the spec the plan was made from; status may have moved on.
            current = o.metadata.uid === a.rs.metadata.uid && o.metadata.generation === a.rs.metadata.generation;
            if (!current) return undefined;
            o.spec.replicas = a.rs.spec.replicas;
            o.spec.minReadySeconds = a.rs.spec.minReadySeconds;
            o.metadata.annotations = a.rs.metadata.annotations;
            return o;
          });
          if (!written || !current) return false;
          break;
        }
        case 'deleteReplicaSet':
          await ctx.objects.delete(REPLICASETS, ns, a.rs.metadata.name!, { preconditions: { uid: a.rs.metadata.uid } });
          break;
        case 'setRevision': {
          const written = await ctx.objects.mutate(DEPLOYMENTS, ns, d.metadata.name!, (o) => {
            if (o.metadata.uid !== d.metadata.uid) return undefined;
            o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: a.revision };
            return o;
          });
          if (!written) return false;
          break;
        }
      }
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return a.kind === 'deleteReplicaSet' && e.code === 404;
      if (a.kind === 'createReplicaSet') {
        ctx.events.record(d, 'Warning', 'ReplicaSetCreateError', `Failed to create new replica set "${a.rs.metadata.name}": ${(e as Error).message}`);
      }
      throw e;
    }
    if (a.kind === 'createReplicaSet' || a.kind === 'updateReplicaSet') {
      for (const msg of a.events) ctx.events.record(d, 'Normal', 'ScalingReplicaSet', msg);
    }
    return true;
  }

  return {
    name: 'deployment',
    start() {
      watches = [
        inform(ctx.objects, DEPLOYMENTS, { added: (o) => queue.add(nsKey(o)), modified: (o) => queue.add(nsKey(o)) }),
        inform(ctx.objects, REPLICASETS, { added: enqueueOwner, modified: enqueueOwner, deleted: enqueueOwner }),
        inform(ctx.objects, PODS, { modified: enqueueRecreate, deleted: enqueueRecreate }),
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
