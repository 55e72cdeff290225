// node-affinity-score: prefer nodes matching more of the pod's preferredDuringScheduling terms —
// Kubernetes' NodeAffinity score. A node's raw score is the sum of the weights of the terms it
// matches; it is scaled so the best node scores 100. Kubernetes scales by the best *feasible* node;
// Bramble scales by the best node of the snapshot, which keeps scoring to one pass and ranks nodes
// the same way.
import type { Pod } from '../../../shared/api/core.js';
import { type NodeInfo, type ScorePlugin, SKIP, type Skip, type Snapshot } from '../framework.js';
import { type CompiledTerm, compileTerm, matchesTerm } from '../node-selector.js';

interface Preference {
  readonly weight: number;
  readonly term: CompiledTerm;
}

interface State {
  readonly prefs: readonly Preference[];
  /** max is the highest raw score of any node in the snapshot (> 0). */
  readonly max: number;
}

function raw(prefs: readonly Preference[], nodeInfo: NodeInfo): number {
  let sum = 0;
  for (const p of prefs) if (matchesTerm(p.term, nodeInfo.labels, nodeInfo.name)) sum += p.weight;
  return sum;
}

/** preScore compiles the preferred terms (empty or malformed ones are dropped, as in Kubernetes)
 * and finds the best raw score. When no node can score above 0 every node would tie, so it skips. */
function preScore(pod: Pod, _podReq: unknown, snapshot: Snapshot): State | Skip {
  const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!preferred || preferred.length === 0) return SKIP;
  const prefs: Preference[] = [];
  for (const p of preferred) {
    const term = compileTerm(p.preference ?? {});
    if (term && p.weight > 0) prefs.push({ weight: p.weight, term });
  }
  if (prefs.length === 0) return SKIP;
  let max = 0;
  for (const n of snapshot.nodes) max = Math.max(max, raw(prefs, n));
  return max > 0 ? { prefs, max } : SKIP;
}

export const nodeAffinityScore = {
  name: 'NodeAffinityPreferred',
  weight: 2,
  preScore,
  score(_pod, _podReq, nodeInfo, _snapshot, state) {
    return Math.floor((raw(state.prefs, nodeInfo) * 100) / state.max);
  },
} satisfies ScorePlugin<State>;
