// disruption: keeps the status of every PodDisruptionBudget (expectedPods, currentHealthy,
// desiredHealthy, disruptionsAllowed, the DisruptionAllowed condition), which the eviction
// subresource reads and decrements. The queue's keys are budget keys "ns/name".
//
//   PodDisruptionBudget added/changed ─────────────▶ that budget
//   Pod added/changed/deleted ─────────────────────▶ budgets selecting its old or new labels
//   ReplicaSet/Deployment added/changed/deleted ───▶ every budget of the namespace (scale changed)
//   a disruptedPods entry expiring ────────────────▶ that budget, after DELETION_TIMEOUT_MS
import type { KubeObject } from '../../shared/api/meta.js';
import type { PodDisruptionBudget } from '../../shared/api/policy.js';
import { findResource } from '../../shared/api/resources.js';
import type { Controller, ControllerContext } from './context.js';
import { type FindWorkload, pdbSelects, pdbStatus, workloadScale } from './disruption-logic.js';
import { inform, nsKey, splitKey } from './informer.js';
import { stableStringify } from './pod-template-hash.js';
import { WorkQueue } from './queue.js';

const PODS = findResource('', 'v1', 'pods')!;
const PDBS = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const KINDS = { ReplicaSet: findResource('apps', 'v1', 'replicasets')!, Deployment: findResource('apps', 'v1', 'deployments')! };

export function disruptionController(ctx: ControllerContext): Controller {
  const log = ctx.logger.child({ controller: 'disruption' });
  const queue = new WorkQueue(sync, { concurrency: 4, onError: (key, err) => log.warn({ err, key }, 'disruption budget sync failed') });
  const podLabels = new Map<string, KubeObject>();
  let watches: { close(): void }[] = [];

  const find: FindWorkload = (kind, ns, name) => ctx.objects.find(KINDS[kind], ns, name);
  const budgetsOf = (ns: string) => ctx.objects.list(PDBS, { namespace: ns }).items as PodDisruptionBudget[];

  async function sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pdb = ctx.objects.find(PDBS, ns, name) as PodDisruptionBudget | undefined;
    if (!pdb) return;
    const pods = ctx.objects.list(PODS, { namespace: ns }).items.filter((p) => pdbSelects(pdb, p));
    const now = ctx.clock.now();
    let recheckInMs: number | undefined;
    let expired: string[] = [];
    await ctx.objects.mutate(
      PDBS,
      ns,
      name,
      (o) => {
        if (o.metadata.uid !== pdb.metadata.uid) return undefined;
        // Computed on the newest object: an eviction may have just added to disruptedPods.
        const next = pdbStatus(o as PodDisruptionBudget, pods, (ref, podNs) => workloadScale(ref, podNs, find), now);
        recheckInMs = next.recheckInMs;
        expired = next.expired;
        if (stableStringify(o.status ?? {}) === stableStringify(next.status)) return undefined;
        o.status = next.status;
        return o;
      },
      { subresource: 'status' },
    );
    for (const podName of expired) {
      const pod = pods.find((p) => p.metadata.name === podName);
      if (pod) ctx.events.record(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${name} to be deleted but it wasn't`);
    }
    if (recheckInMs !== undefined) queue.addAfter(key, recheckInMs);
  }

  // onPod queues the budgets that select the pod now or selected it before a label change.
  const onPod = (type: 'put' | 'remove') => (p: KubeObject) => {
    const key = nsKey(p);
    const prev = podLabels.get(key);
    if (type === 'put') podLabels.set(key, { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: p.metadata.namespace, name: p.metadata.name, labels: p.metadata.labels } });
    else podLabels.delete(key);
    for (const pdb of budgetsOf(p.metadata.namespace ?? '')) {
      if (pdbSelects(pdb, p) || (prev && pdbSelects(pdb, prev))) queue.add(nsKey(pdb));
    }
  };

  const onWorkload = (o: KubeObject) => {
    for (const pdb of budgetsOf(o.metadata.namespace ?? '')) queue.add(nsKey(pdb));
  };

  return {
    name: 'disruption',
    start() {
      const workload = { added: onWorkload, modified: onWorkload, deleted: onWorkload };
      watches = [
        inform(ctx.objects, PDBS, { added: (o) => queue.add(nsKey(o)), modified: (o) => queue.add(nsKey(o)) }),
        inform(ctx.objects, PODS, { added: onPod('put'), modified: onPod('put'), deleted: onPod('remove') }),
        inform(ctx.objects, KINDS.ReplicaSet, workload),
        inform(ctx.objects, KINDS.Deployment, workload),
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
