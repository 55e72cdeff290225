// spread-key: which pods count as "the same workload" for spreading. Pods owned by one controller
// (a ReplicaSet, a StatefulSet…) share its uid; bare pods share their namespace and full label set.
import type { Pod } from '../../shared/api/core.js';

/** spreadKey returns the pod's spread group key, or '' when it belongs to no group (no controller
 * and no labels), in which case spreading does not apply. A label key contains newlines, so it can
 * never collide with a uid. */
export function spreadKey(pod: Pod): string {
  const refs = pod.metadata.ownerReferences;
  if (refs) {
    for (const ref of refs) if (ref.controller && ref.uid) return ref.uid;
  }
  const labels = pod.metadata.labels;
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  keys.sort();
  let key = `${pod.metadata.namespace ?? 'default'}\n`;
  for (const k of keys) key += `${k}=${labels[k]}\n`;
  return key;
}
