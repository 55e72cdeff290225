// taint-toleration-score: prefer nodes with fewer PreferNoSchedule taints the pod does not tolerate —
// Kubernetes' TaintToleration score: 100 * (max - count) / max, where max is the highest such count.
// Kubernetes takes max over feasible nodes; Bramble over the snapshot, which ranks nodes the same way.
import type { Pod, Taint, Toleration } from '../../../shared/api/core.js';
import { MAX_NODE_SCORE, type NodeInfo, type ScorePlugin, SKIP, type Skip, type Snapshot } from '../framework.js';
import { tolerates } from '../tolerations.js';

interface State {
  /** tolerations keeps only those that can tolerate PreferNoSchedule (that effect, or any effect). */
  readonly tolerations: readonly Toleration[];
  readonly max: number;
}

function intolerable(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[]): number {
  if (!taints) return 0;
  let n = 0;
  for (const t of taints) if (t.effect === 'PreferNoSchedule' && !tolerates(tolerations, t)) n++;
  return n;
}

function taintsOf(nodeInfo: NodeInfo): readonly Taint[] | undefined {
  return nodeInfo.node.spec?.taints;
}

// preferTainted caches, per snapshot, the nodes having any PreferNoSchedule taint (usually none), so
// preScore does not walk every node for every pod. Taints never change within a snapshot.
const preferTainted = new WeakMap<Snapshot, readonly NodeInfo[]>();

function nodesWithPreferTaints(snapshot: Snapshot): readonly NodeInfo[] {
  let list = preferTainted.get(snapshot);
  if (!list) {
    list = snapshot.nodes.filter((n) => taintsOf(n)?.some((t) => t.effect === 'PreferNoSchedule'));
    preferTainted.set(snapshot, list);
  }
  return list;
}

/** preScore skips when no node has an intolerable PreferNoSchedule taint: all would score 100. */
function preScore(pod: Pod, _podReq: unknown, snapshot: Snapshot): State | Skip {
  const tainted = nodesWithPreferTaints(snapshot);
  if (tainted.length === 0) return SKIP;
  const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let max = 0;
  for (const n of tainted) max = Math.max(max, intolerable(taintsOf(n), tolerations));
  return max > 0 ? { tolerations, max } : SKIP;
}

export const taintTolerationScore = {
  name: 'TaintTolerationPreferred',
  weight: 3,
  preScore,
  score(_pod, _podReq, nodeInfo, _snapshot, state) {
    const n = intolerable(taintsOf(nodeInfo), state.tolerations);
    return Math.floor((MAX_NODE_SCORE * (state.max - n)) / state.max);
  },
} satisfies ScorePlugin<State>;
