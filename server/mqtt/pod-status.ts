// pod-status: a PodStatusReport from an agent becomes pod statuses. An entry counts only for a
// pod that is bound to the reporting node and has the reported uid (a pod deleted and created
// again under the same name is another pod). The status is written through the status
// subresource when it changed; an entry saying `terminated` for a pod being deleted finishes the
// graceful deletion (gracePeriodSeconds 0), as the kubelet does.
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { PodStatusEntry } from '../../shared/mqtt/payloads.js';
import { ApiError } from '../api/errors.js';
import type { ObjectService } from '../objects/object-service.js';
import { stableJson } from './stable-json.js';

const PODS = findResource('', 'v1', 'pods')!;

/** podEntryKey: entries for the same pod (and uid) coalesce; the newest wins. */
export const podEntryKey = (e: PodStatusEntry) => `${e.namespace}/${e.name}/${e.uid}`;

export async function applyPodStatus(objects: ObjectService, node: string, e: PodStatusEntry): Promise<void> {
  const ours = (p: KubeObject | undefined) => p !== undefined && p.metadata.uid === e.uid && p.spec?.nodeName === node;
  const pod = objects.find(PODS, e.namespace, e.name);
  if (!ours(pod) || !e.status || typeof e.status !== 'object') return;
  if (e.terminated && pod!.metadata.deletionTimestamp) {
    try {
      await objects.delete(PODS, e.namespace, e.name, { gracePeriodSeconds: 0, preconditions: { uid: e.uid } });
    } catch (err) {
      if (err instanceof ApiError && (err.reason === 'NotFound' || err.reason === 'Conflict')) return;
      throw err;
    }
    return;
  }
  await objects.mutate(
    PODS,
    e.namespace,
    e.name,
    (p) => {
      if (!ours(p)) return undefined;
      const status = mergePodStatus(p.status, e.status);
      return stableJson(status) === stableJson(p.status ?? {}) ? undefined : { ...p, status };
    },
    { subresource: 'status' },
  );
}

/**
 * mergePodStatus: the agent's fields replace the stored ones; conditions merge by type, so the
 * scheduler's PodScheduled (which the agent does not know about) stays.
 */
export function mergePodStatus(old: Record<string, any> | undefined, reported: Record<string, any>): Record<string, any> {
  const next = { ...(old ?? {}), ...reported };
  const have: Condition[] = old?.conditions ?? [];
  const got: Condition[] | undefined = Array.isArray(reported.conditions) ? reported.conditions : undefined;
  if (got) next.conditions = [...have.filter((c) => !got.some((g) => g.type === c.type)), ...got];
  return next;
}
