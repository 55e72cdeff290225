// eviction-logic: the pure decisions of pods/eviction (Kubernetes' EvictionREST): whether a pod's
// PodDisruptionBudget has to be asked at all, and taking one disruption from it. A refusal is a
// value (code, reason, message), not an exception; eviction.ts turns it into the HTTP error.
//
//   pod Pending, finished or already deleting ─▶ delete (no budget involved)
//   no budget selects the pod ─────────────────▶ delete
//   more than one budget selects it ───────────▶ refuse, 500 (Kubernetes does not support that)
//   pod not Ready, budget already met ─────────▶ delete without taking from the budget
//   otherwise ─────────────────────────────────▶ take one disruption (or 429), then delete
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import type { PdbStatus, PodDisruptionBudget } from '../../shared/api/policy.js';
import { rfc3339 } from '../../shared/clock.js';
import { pdbSelects, withDisruptionCondition } from '../controllers/disruption-logic.js';
import { isPodReady } from '../controllers/replicaset-logic.js';

/** MAX_DISRUPTED_PODS: evictions the controller has not confirmed yet, beyond which more are refused. */
export const MAX_DISRUPTED_PODS = 2000;

export const BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_BUDGETS_MESSAGE = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

export type EvictionPlan =
  /** delete: go ahead; enforceResourceVersion makes the delete fail if the pod changed since (it may have become Ready). */
  | { action: 'delete'; enforceResourceVersion: boolean; pdb?: PodDisruptionBudget }
  | { action: 'take'; pdb: PodDisruptionBudget }
  | { action: 'refuse'; message: string };

export interface Refusal {
  code: 429 | 403;
  reason: 'TooManyRequests' | 'Forbidden';
  message: string;
  cause?: string;
  retryAfterSeconds?: number;
}

function ignoresBudgets(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

// enforceResourceVersion: a finished or deleting pod can no longer become healthy, so no race to guard.
function racesReadiness(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** planEviction decides what evicting pod takes, given the budgets of its namespace. */
export function planEviction(pod: KubeObject, budgets: PodDisruptionBudget[]): EvictionPlan {
  if (ignoresBudgets(pod)) return { action: 'delete', enforceResourceVersion: racesReadiness(pod) };
  const covering = budgets.filter((b) => pdbSelects(b, pod));
  if (covering.length > 1) return { action: 'refuse', message: MULTIPLE_BUDGETS_MESSAGE };
  if (covering.length === 0) return { action: 'delete', enforceResourceVersion: false };
  const pdb = covering[0];
  if (!isPodReady(pod as Pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { action: 'delete', enforceResourceVersion: true, pdb };
    const s = pdb.status;
    if (s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return { action: 'delete', enforceResourceVersion: true, pdb };
  }
  return { action: 'take', pdb };
}

/** stillProcessing is the 429 for a budget whose status the controller has not caught up with. */
export function stillProcessing(pdbName: string): Refusal {
  return { code: 429, reason: 'TooManyRequests', message: BUDGET_MESSAGE, cause: `The disruption budget ${pdbName} is still being processed by the server.`, retryAfterSeconds: 10 };
}

/**
 * takeDisruption is checkAndDecrement: one disruption less, and the pod recorded in disruptedPods
 * (so the controller does not count it healthy before its deletion shows). Applied to the newest
 * budget inside a conflict-checked write, two concurrent evictions cannot both take the last one.
 */
export function takeDisruption(pdb: PodDisruptionBudget, podName: string, now: number): { ok: true; status: PdbStatus } | { ok: false; refusal: Refusal } {
  const name = pdb.metadata.name ?? '';
  const s: PdbStatus = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) return { ok: false, refusal: stillProcessing(name) };
  const forbidden = (why: string): { ok: false; refusal: Refusal } => ({
    ok: false,
    refusal: { code: 403, reason: 'Forbidden', message: `poddisruptionbudget.policy "${name}" is forbidden: ${why}` },
  });
  if (s.disruptionsAllowed < 0) return forbidden('pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) return forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (s.disruptionsAllowed === 0) {
    const cause = `The disruption budget ${name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`;
    return { ok: false, refusal: { code: 429, reason: 'TooManyRequests', message: BUDGET_MESSAGE, cause } };
  }
  const disruptionsAllowed = s.disruptionsAllowed - 1;
  const status: PdbStatus = { ...s, disruptedPods: { ...(s.disruptedPods ?? {}), [podName]: rfc3339(now) }, disruptionsAllowed };
  if (disruptionsAllowed === 0) status.conditions = withDisruptionCondition(s.conditions, 0, s.observedGeneration, now);
  return { ok: true, status };
}
