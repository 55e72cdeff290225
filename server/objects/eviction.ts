// eviction: pods/eviction, the polite delete `kubectl drain` uses. It asks the pod's
// PodDisruptionBudget first (eviction-logic.ts decides how), takes one disruption from it in a
// conflict-checked status write, then deletes the pod with the Eviction's deleteOptions.
import type { Eviction, PodDisruptionBudget } from '../../shared/api/policy.js';
import { findResource } from '../../shared/api/resources.js';
import { ApiError, badRequest } from '../api/errors.js';
import { checkPreconditions, type DeleteOptions, type ObjectService } from './object-service.js';
import { planEviction, type Refusal, stillProcessing, takeDisruption } from './eviction-logic.js';

const PODS = findResource('', 'v1', 'pods')!;
const PDBS = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const RETRIES = 5;

/** EvictionResult: evicted, or refused with a Status Kubernetes returns as a plain reply (500, no reason). */
export type EvictionResult = { evicted: true } | { evicted: false; code: 500; message: string };

/** evictPod evicts one pod; a refusal is thrown as its ApiError (404, 409, 429, …) except the 500 for two budgets. */
export async function evictPod(objects: ObjectService, namespace: string, name: string, eviction: Eviction): Promise<EvictionResult> {
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const requested = deleteOptionsOf(eviction.deleteOptions);
  const callerVersion = requested.preconditions?.resourceVersion;
  for (let attempt = 0; ; attempt++) {
    const pod = objects.get(PODS, namespace, name);
    // Checked before the budget is asked, so a stale request does not spend a disruption.
    checkPreconditions(pod, requested.preconditions);
    const plan = planEviction(pod, objects.list(PDBS, { namespace }).items as PodDisruptionBudget[]);
    if (plan.action === 'refuse') return { evicted: false, code: 500, message: plan.message };
    if (plan.action === 'take') {
      await takeBudget(objects, plan.pdb, name, requested.dryRun === true);
      await objects.delete(PODS, namespace, name, requested);
      return { evicted: true };
    }
    const enforce = plan.enforceResourceVersion && !callerVersion;
    const opts = enforce ? { ...requested, preconditions: { ...requested.preconditions, resourceVersion: pod.metadata.resourceVersion } } : requested;
    try {
      await objects.delete(PODS, namespace, name, opts);
      return { evicted: true };
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'Conflict' && enforce)) throw e;
      // The pod changed since it was read: it may have become Ready and count for its budget now.
      if (plan.pdb) throw refusalError(stillProcessing(plan.pdb.metadata.name ?? ''));
      if (attempt >= RETRIES) throw e;
    }
  }
}

// takeBudget takes one disruption from the newest budget; a budget deleted meanwhile no longer guards the pod.
async function takeBudget(objects: ObjectService, pdb: PodDisruptionBudget, podName: string, dryRun: boolean): Promise<void> {
  const now = objects.clock.now();
  await objects.mutate(
    PDBS,
    pdb.metadata.namespace ?? '',
    pdb.metadata.name!,
    (o) => {
      const taken = takeDisruption(o as PodDisruptionBudget, podName, now);
      if (!taken.ok) throw refusalError(taken.refusal);
      if (dryRun) return undefined;
      o.status = taken.status;
      return o;
    },
    { subresource: 'status' },
  );
}

function refusalError(r: Refusal): ApiError {
  const details = r.code === 429 ? { causes: r.cause ? [{ reason: 'DisruptionBudget', message: r.cause }] : [], ...(r.retryAfterSeconds ? { retryAfterSeconds: r.retryAfterSeconds } : {}) } : undefined;
  return new ApiError(r.code, r.reason, r.message, details);
}

// deleteOptionsOf checks the Eviction's deleteOptions the way the DELETE verb checks its own.
function deleteOptionsOf(o: Eviction['deleteOptions']): DeleteOptions {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object' || Array.isArray(o)) throw badRequest('deleteOptions must be an object');
  const grace = o.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && !Number.isInteger(grace)) throw badRequest(`invalid gracePeriodSeconds "${grace}"`);
  const policy = o.propagationPolicy;
  if (policy !== undefined && policy !== null && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy must be Background, Foreground or Orphan, not "${policy}"`);
  }
  const pre = o.preconditions;
  return {
    ...(typeof grace === 'number' ? { gracePeriodSeconds: grace } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(o.orphanDependents ? { orphanDependents: true } : {}),
    ...(pre && typeof pre === 'object' ? { preconditions: { uid: pre.uid || undefined, resourceVersion: pre.resourceVersion || undefined } } : {}),
    ...(Array.isArray(o.dryRun) && o.dryRun.includes('All') ? { dryRun: true } : {}),
  };
}
