// node-ready: a node whose Ready condition is not True takes no new pods. Kubernetes does this with
// taints the node lifecycle controller adds (node.kubernetes.io/not-ready when Ready is False,
// node.kubernetes.io/unreachable when it is Unknown or missing); Bramble checks the condition itself
// so a node that just stopped heartbeating is skipped before any controller has reacted, and reports
// it with the same text Kubernetes shows for those taints.
import type { Taint } from '../../../shared/api/core.js';
import { FITS, type FilterPlugin, reject } from '../framework.js';
import { tolerates } from '../tolerations.js';
import { untoleratedTaintReason } from './taint-toleration.js';

export const TAINT_NOT_READY: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
export const TAINT_UNREACHABLE: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

const REJECT_NOT_READY = reject(untoleratedTaintReason(TAINT_NOT_READY));
const REJECT_UNREACHABLE = reject(untoleratedTaintReason(TAINT_UNREACHABLE));

export const nodeReady = {
  name: 'NodeReady',
  filter(pod, _podReq, nodeInfo) {
    const ready = nodeInfo.ready;
    if (ready === 'True') return FITS;
    const taint = ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    if (tolerates(pod.spec.tolerations, taint)) return FITS;
    return taint === TAINT_NOT_READY ? REJECT_NOT_READY : REJECT_UNREACHABLE;
  },
} satisfies FilterPlugin;
