// taint-toleration: a node's NoSchedule and NoExecute taints repel every pod that does not tolerate
// them — Kubernetes' TaintToleration filter. PreferNoSchedule taints only lower the score
// (taint-toleration-score.ts).
import type { Taint } from '../../../shared/api/core.js';
import { FITS, type FilterPlugin, type FilterResult, reject } from '../framework.js';
import { tolerates } from '../tolerations.js';

/** untoleratedTaintReason is Kubernetes' text (1.25–1.34), e.g. "node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }". Kubernetes 1.35 shortened it to "node(s) had
 * untolerated taint(s)"; Bramble keeps the key because it tells the user which taint to tolerate. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

// rejections is keyed by the taint object, so a tainted node rejecting pod after pod builds its
// reason once per snapshot rather than once per pod.
const rejections = new WeakMap<Taint, FilterResult>();

function rejectTaint(taint: Taint): FilterResult {
  let r = rejections.get(taint);
  if (!r) {
    r = reject(untoleratedTaintReason(taint));
    rejections.set(taint, r);
  }
  return r;
}

export const taintToleration = {
  name: 'TaintToleration',
  filter(pod, _podReq, nodeInfo) {
    const taints = nodeInfo.node.spec?.taints;
    if (!taints || taints.length === 0) return FITS;
    for (const taint of taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerates(pod.spec.tolerations, taint)) return rejectTaint(taint);
    }
    return FITS;
  },
} satisfies FilterPlugin;
