// spread: prefer nodes holding fewer pods of the same workload (same controller, or same labels for
// bare pods), so replicas land on different nodes — Kubernetes' former SelectorSpread score, minus its
// zone weighting. Score = 100 * (max - count) / max, where max is the largest count on any node; the
// counts live in the snapshot and are kept current by assume(), so a node costs one array read.
import { MAX_NODE_SCORE, type ScorePlugin, SKIP, type SpreadGroup } from '../framework.js';
import { spreadGroup } from '../snapshot.js';

export const spread = {
  name: 'Spread',
  weight: 2,
  // The first pod of a group (or a pod of none) would score 100 everywhere, so it skips.
  preScore(_pod, podReq, snapshot) {
    const group = spreadGroup(snapshot, podReq.spreadKey);
    return group && group.max > 0 ? group : SKIP;
  },
  score(_pod, _podReq, nodeInfo, _snapshot, group) {
    return Math.floor((MAX_NODE_SCORE * (group.max - group.counts[nodeInfo.index])) / group.max);
  },
} satisfies ScorePlugin<SpreadGroup>;
