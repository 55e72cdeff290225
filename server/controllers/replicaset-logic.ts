// replicaset-logic: the pure half of the ReplicaSet controller — which pods count, which to delete
// first, what a new pod looks like, and the status the ReplicaSet should report. No I/O here; the
// controller in replicaset.ts reads the store, calls these, and writes the results.
import type { Pod, ReplicaSet } from '../../shared/api/core.js';
import type { Condition, KubeObject, OwnerReference } from '../../shared/api/meta.js';
import { matchLabelSelector } from '../../shared/selectors.js';

/** BURST_REPLICAS caps the pods one sync creates or deletes, as Kubernetes' burstReplicas. */
export const BURST_REPLICAS = 500;

/** DELETION_COST is the annotation that lets users pick which pods go first on scale-down. */
export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

/** isPodActive: not terminating and not finished — a pod that still counts as a replica. */
export function isPodActive(p: KubeObject): boolean {
  const phase = p.status?.phase;
  return !p.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function readyCondition(p: KubeObject): Condition | undefined {
  const cs: Condition[] | undefined = p.status?.conditions;
  return Array.isArray(cs) ? cs.find((c) => c.type === 'Ready') : undefined;
}

export function isPodReady(p: KubeObject): boolean {
  return readyCondition(p)?.status === 'True';
}

/**
 * availableInMs: 0 when the pod has been ready for minReadySeconds, the milliseconds still to
 * wait when it is ready but not yet long enough, undefined when it is not ready at all.
 */
export function availableInMs(p: KubeObject, minReadySeconds: number, now: number): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== 'True') return undefined;
  if (!minReadySeconds) return 0;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : Number.NaN;
  if (Number.isNaN(since)) return 0;
  // Kubernetes: available when lastTransitionTime + minReadySeconds is before now.
  const left = since + minReadySeconds * 1000 - now;
  return left < 0 ? 0 : left + 1;
}

export function isPodAvailable(p: KubeObject, minReadySeconds: number, now: number): boolean {
  return availableInMs(p, minReadySeconds, now) === 0;
}

/** controllerRefTo is the ownerReference a ReplicaSet puts on the pods it creates or adopts. */
export function controllerRefTo(rs: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** podFromTemplate builds the pod a ReplicaSet creates (Kubernetes' GetPodFromTemplate). */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template;
  const meta = t?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [controllerRefTo(rs)],
    },
    spec: structuredClone(t.spec),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** slowStartBatches splits n creations into batches of 1, 2, 4, … (Kubernetes' slowStartBatch). */
export function slowStartBatches(n: number, initial = 1): number[] {
  const out: number[] = [];
  let size = Math.max(1, initial);
  for (let left = n; left > 0; left -= out[out.length - 1]) {
    out.push(Math.min(size, left));
    size *= 2;
  }
  return out;
}

/** replicaDiff: how many pods to create (> 0) or delete (< 0), capped at BURST_REPLICAS. */
export function replicaDiff(rs: ReplicaSet, activePods: number): number {
  const want = rs.spec.replicas ?? 1;
  const diff = want - activePods;
  return Math.max(-BURST_REPLICAS, Math.min(BURST_REPLICAS, diff));
}

/** shouldAdopt: an orphan pod that this live ReplicaSet's selector matches. */
export function shouldAdopt(rs: ReplicaSet, pod: KubeObject): boolean {
  if (rs.metadata.deletionTimestamp || !isPodActive(pod)) return false;
  if (pod.metadata.ownerReferences?.some((r) => r.controller)) return false;
  return selects(rs, pod);
}

/** shouldRelease: an owned pod whose labels no longer match the selector. */
export function shouldRelease(rs: ReplicaSet, pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && !selects(rs, pod);
}

function selects(rs: ReplicaSet, pod: KubeObject): boolean {
  const sel = rs.spec?.selector;
  return !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions?.length ?? 0) > 0) && matchLabelSelector(sel, pod.metadata.labels ?? {});
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * podsToDelete picks the n pods to delete, as Kubernetes' ActivePodsWithRanks ordering: unscheduled
 * before scheduled, Pending < Unknown < Running, not ready before ready, lower deletion cost,
 * doubled-up on a node, ready for less time, more restarts, then the newest.
 */
export function podsToDelete(pods: Pod[], n: number): Pod[] {
  if (n <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, n);
}

function compareForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number): number {
  const an = a.spec?.nodeName ?? '';
  const bn = b.spec?.nodeName ?? '';
  if (an !== bn && (!an || !bn)) return an ? 1 : -1;
  const pa = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rank(a) !== rank(b)) return rank(b) - rank(a);
  if (ra && rb) {
    const d = newerFirst(readyCondition(a)?.lastTransitionTime, readyCondition(b)?.lastTransitionTime);
    if (d) return d;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts) return restarts;
  return newerFirst(a.metadata.creationTimestamp ?? undefined, b.metadata.creationTimestamp ?? undefined) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

// newerFirst orders a missing time first, then later times before earlier ones.
function newerFirst(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  return Date.parse(b) - Date.parse(a);
}

function deletionCost(p: Pod): number {
  const v = Number(p.metadata.annotations?.[DELETION_COST]);
  return Number.isFinite(v) ? v : 0;
}

function maxRestarts(p: Pod): number {
  const cs: any[] = Array.isArray(p.status?.containerStatuses) ? p.status.containerStatuses : [];
  return cs.reduce((m, c) => Math.max(m, Number(c?.restartCount) || 0), 0);
}

/**
 * replicaSetStatus computes the status from the owned active pods, keeping the RS's other
 * conditions; recheckInMs says when a ready pod becomes available (minReadySeconds).
 */
export function replicaSetStatus(rs: ReplicaSet, active: Pod[], now: number, failure?: Condition): { status: ReplicaSetStatus; recheckInMs?: number } {
  const minReady = rs.spec.minReadySeconds ?? 0;
  const tmplLabels = rs.spec.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let recheckInMs: number | undefined;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(tmplLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    const left = availableInMs(p, minReady, now);
    if (left === undefined) continue;
    ready++;
    if (left === 0) available++;
    else recheckInMs = Math.min(recheckInMs ?? left, left);
  }
  // Field order and omitted zeros follow the apps/v1 JSON of a real cluster.
  const status: ReplicaSetStatus = { replicas: active.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
  const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (failure) conditions.push(keepTransition(failure, rs.status?.conditions));
  if (conditions.length) status.conditions = conditions;
  return { status, recheckInMs };
}

function keepTransition(c: Condition, old: Condition[] | undefined): Condition {
  const prev = old?.find((o) => o.type === c.type);
  return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
}

/** failureCondition is the ReplicaFailure condition Kubernetes sets when pod creation fails. */
export function failureCondition(reason: 'FailedCreate' | 'FailedDelete', message: string, now: string): Condition {
  return { type: 'ReplicaFailure', status: 'True', lastTransitionTime: now, reason, message };
}
