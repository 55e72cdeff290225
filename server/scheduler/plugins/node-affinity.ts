// node-affinity: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution must both
// match the node — Kubernetes' NodeAffinity filter. This is also what pins pods to an architecture or
// OS: nodeSelector {kubernetes.io/arch: arm64} needs no plugin of its own.
import type { Pod } from '../../../shared/api/core.js';
import { FITS, type FilterPlugin, reject, SKIP, type Skip } from '../framework.js';
import { type CompiledTerm, compileTerm, matchesAnyTerm, matchesNodeSelector } from '../node-selector.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REJECTED = reject(ERR_REASON_AFFINITY);

interface State {
  readonly selector: Readonly<Record<string, string>> | undefined;
  /** terms is undefined when the pod has no required affinity; an empty list matches no node. */
  readonly terms: readonly (CompiledTerm | undefined)[] | undefined;
}

/** preFilter compiles the pod's selector and terms once; a pod with neither skips the filter. */
function preFilter(pod: Pod): State | Skip {
  const sel = pod.spec.nodeSelector;
  const selector = sel && Object.keys(sel).length > 0 ? sel : undefined;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? (required.nodeSelectorTerms ?? []).map(compileTerm) : undefined;
  return selector || terms ? { selector, terms } : SKIP;
}

export const nodeAffinity = {
  name: 'NodeAffinity',
  preFilter,
  filter(_pod, _podReq, nodeInfo, state) {
    if (state.selector && !matchesNodeSelector(state.selector, nodeInfo.labels)) return REJECTED;
    if (state.terms && !matchesAnyTerm(state.terms, nodeInfo.labels, nodeInfo.name)) return REJECTED;
    return FITS;
  },
} satisfies FilterPlugin<State>;
