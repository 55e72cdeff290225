// binding: assigning a pod to a node (pods/binding, and the scheduler). nodeName is set once,
// together with the PodScheduled condition, in one write.
import { findResource } from '../../shared/api/resources.js';
import { rfc3339 } from '../../shared/clock.js';
import { ApiError, conflict } from '../api/errors.js';
import type { ObjectService } from './object-service.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export async function bindPod(objects: ObjectService, namespace: string, name: string, nodeName: string): Promise<void> {
  if (!objects.find(NODES, '', nodeName)) throw new ApiError(404, 'NotFound', `nodes "${nodeName}" not found`);
  const now = rfc3339(objects.clock.now());
  const done = await objects.mutate(
    PODS,
    namespace,
    name,
    (pod) => {
      if (pod.spec.nodeName) {
        if (pod.spec.nodeName === nodeName) return undefined;
        throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      }
      if (pod.metadata.deletionTimestamp) throw conflict('pods', name);
      pod.spec.nodeName = nodeName;
      const conditions = (pod.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    },
    { withStatus: true },
  );
  if (!done) throw new ApiError(404, 'NotFound', `pods "${name}" not found`);
}
