// node-unschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint — Kubernetes' NodeUnschedulable.
import type { Taint } from '../../../shared/api/core.js';
import { FITS, type FilterPlugin, reject } from '../framework.js';
import { tolerates } from '../tolerations.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

/** UNSCHEDULABLE_TAINT is the taint a cordoned node implies; DaemonSet pods tolerate it. */
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const REJECTED = reject(ERR_REASON_UNSCHEDULABLE);

export const nodeUnschedulable = {
  name: 'NodeUnschedulable',
  filter(pod, _podReq, nodeInfo) {
    if (!nodeInfo.node.spec?.unschedulable) return FITS;
    return tolerates(pod.spec.tolerations, UNSCHEDULABLE_TAINT) ? FITS : REJECTED;
  },
} satisfies FilterPlugin;
