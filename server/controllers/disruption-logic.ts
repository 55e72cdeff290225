// disruption-logic: the pure half of the disruption controller (Kubernetes' DisruptionController)
// — which pods a PodDisruptionBudget covers, how many it expects and wants healthy, and the status
// it should report. No I/O here; disruption.ts reads the store, calls these, and writes the status.
//
//   expectedPods    minAvailable: N → the matching pods; a percentage or maxUnavailable → the
//                   replicas of the pods' controllers (Deployment or ReplicaSet scale), a pod
//                   whose controller cannot be resolved counting as one
//   desiredHealthy  minAvailable (scaled, rounded up), or expectedPods − maxUnavailable
//   currentHealthy  Ready pods that are neither being deleted nor just evicted (disruptedPods)
//   disruptionsAllowed = currentHealthy − desiredHealthy, never below 0, and 0 while expectedPods is 0
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject, OwnerReference } from '../../shared/api/meta.js';
import type { IntOrPercent, PdbCondition, PdbStatus, PodDisruptionBudget } from '../../shared/api/policy.js';
import { rfc3339 } from '../../shared/clock.js';
import { matchLabelSelector } from '../../shared/selectors.js';
import { isPodReady } from './replicaset-logic.js';

/** DELETION_TIMEOUT_MS: how long an evicted pod stays in disruptedPods waiting to be deleted. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';

/** pdbSelects follows policy/v1: a null selector selects no pod, {} every pod of the namespace. */
export function pdbSelects(pdb: PodDisruptionBudget, pod: KubeObject): boolean {
  return (pdb.metadata.namespace ?? '') === (pod.metadata.namespace ?? '') && matchLabelSelector(pdb.spec?.selector, pod.metadata.labels);
}

/** ControllerScale: the uid and replicas of the workload whose scale a pod counts towards. */
export interface ControllerScale {
  uid: string;
  replicas: number;
}

/** ScaleOf resolves a pod's controller reference; undefined when it is unknown or gone. */
export type ScaleOf = (ref: OwnerReference, namespace: string) => ControllerScale | undefined;

/** FindWorkload looks up a ReplicaSet or Deployment by namespace and name. */
export type FindWorkload = (kind: 'ReplicaSet' | 'Deployment', namespace: string, name: string) => KubeObject | undefined;

/**
 * workloadScale resolves a pod's controller as the disruption controller's finders do: a
 * ReplicaSet counts with its own replicas unless a Deployment controls it, which then counts
 * instead (so the pods of old and new ReplicaSets in a rollout add up to the Deployment's scale).
 */
export function workloadScale(ref: OwnerReference, namespace: string, find: FindWorkload): ControllerScale | undefined {
  if (ref.kind !== 'ReplicaSet') return undefined;
  const rs = find('ReplicaSet', namespace, ref.name);
  if (!rs || rs.metadata.uid !== ref.uid) return undefined;
  const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
  if (owner?.kind === 'Deployment') {
    const d = find('Deployment', namespace, owner.name);
    if (d && d.metadata.uid === owner.uid) return { uid: d.metadata.uid!, replicas: d.spec?.replicas ?? 1 };
  }
  return { uid: rs.metadata.uid!, replicas: rs.spec?.replicas ?? 1 };
}

/** scaledValue is GetScaledValueFromIntOrPercent, rounding up: "50%" of 3 is 2. */
export function scaledValue(v: IntOrPercent, total: number): number {
  if (typeof v === 'number') return v;
  const percent = Number.parseInt(v, 10);
  return Number.isNaN(percent) ? 0 : Math.ceil((percent * total) / 100);
}

/** expectedScale adds up the replicas of the pods' controllers, each controller once. */
export function expectedScale(pods: KubeObject[], scaleOf: ScaleOf): number {
  const scales = new Map<string, number>();
  let unresolved = 0;
  for (const p of pods) {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller);
    const scale = ref ? scaleOf(ref, p.metadata.namespace ?? '') : undefined;
    if (scale) scales.set(scale.uid, scale.replicas);
    else unresolved++;
  }
  let total = unresolved;
  for (const n of scales.values()) total += n;
  return total;
}

/** budgetTargets is getExpectedPodCount: the pods a budget expects and how many must stay healthy. */
export function budgetTargets(pdb: PodDisruptionBudget, pods: KubeObject[], scaleOf: ScaleOf): { expectedPods: number; desiredHealthy: number } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expectedPods = expectedScale(pods, scaleOf);
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - scaledValue(maxUnavailable, expectedPods)) };
  }
  if (minAvailable !== undefined && minAvailable !== null) {
    if (typeof minAvailable === 'number') return { expectedPods: pods.length, desiredHealthy: minAvailable };
    const expectedPods = expectedScale(pods, scaleOf);
    return { expectedPods, desiredHealthy: scaledValue(minAvailable, expectedPods) };
  }
  return { expectedPods: 0, desiredHealthy: 0 };
}

/**
 * activeDisruptions keeps the disruptedPods entries still waiting for their pod's deletion: a pod
 * now being deleted has been seen and leaves the map, and one not deleted within
 * DELETION_TIMEOUT_MS is given up on (expired) and counts as healthy again.
 */
export function activeDisruptions(
  pdb: PodDisruptionBudget,
  pods: KubeObject[],
  now: number,
): { disruptedPods: Record<string, string>; expired: string[]; recheckAt?: number } {
  const listed = pdb.status?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAt: number | undefined;
  for (const p of pods) {
    const name = p.metadata.name ?? '';
    if (p.metadata.deletionTimestamp || !Object.hasOwn(listed, name)) continue;
    const until = Date.parse(listed[name]) + DELETION_TIMEOUT_MS;
    if (!(until >= now)) {
      expired.push(name);
      continue;
    }
    disruptedPods[name] = listed[name];
    recheckAt = recheckAt === undefined ? until : Math.min(recheckAt, until);
  }
  return { disruptedPods, expired, recheckAt };
}

/** countHealthy counts Ready pods that are not being deleted and not just evicted. */
export function countHealthy(pods: KubeObject[], disruptedPods: Record<string, string>): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp || Object.hasOwn(disruptedPods, p.metadata.name ?? '')) continue;
    if (isPodReady(p as Pod)) n++;
  }
  return n;
}

/** withDisruptionCondition sets DisruptionAllowed like meta.SetStatusCondition: the transition time moves only when the status flips. */
export function withDisruptionCondition(conditions: PdbCondition[] | undefined, allowed: number, observedGeneration: number | undefined, now: number): PdbCondition[] {
  const status = allowed > 0 ? 'True' : 'False';
  const prev = conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  const next: PdbCondition = {
    type: DISRUPTION_ALLOWED,
    status,
    reason: allowed > 0 ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: '',
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
  };
  if (!prev) return [...(conditions ?? []), next];
  return conditions!.map((c) => (c === prev ? next : c));
}

/**
 * pdbStatus computes a budget's status from the pods it selects (every matching pod of the
 * namespace); recheckInMs says when a disruptedPods entry expires and the status must be redone.
 */
export function pdbStatus(
  pdb: PodDisruptionBudget,
  pods: KubeObject[],
  scaleOf: ScaleOf,
  now: number,
): { status: PdbStatus; expired: string[]; recheckInMs?: number } {
  const { expectedPods, desiredHealthy } = budgetTargets(pdb, pods, scaleOf);
  const { disruptedPods, expired, recheckAt } = activeDisruptions(pdb, pods, now);
  const currentHealthy = countHealthy(pods, disruptedPods);
  const disruptionsAllowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const observedGeneration = pdb.metadata.generation;
  const status: PdbStatus = {
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: withDisruptionCondition(pdb.status?.conditions, disruptionsAllowed, observedGeneration, now),
  };
  return { status, expired, ...(recheckAt !== undefined ? { recheckInMs: recheckAt - now + 1 } : {}) };
}
