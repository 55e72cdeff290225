// registry: every plugin by name, and the default profile. Filters run in Kubernetes' order, which is
// also cheapest first (a flag, a condition scan, a usually empty taint list, a usually absent
// selector, then arithmetic); since filtering stops at a node's first rejection, the order also picks
// which reason a node reports, so keeping Kubernetes' order keeps its messages.
import type { FilterPlugin, Plugins, ScorePlugin } from './framework.js';
import { leastAllocated } from './plugins/least-allocated.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodeAffinityScore } from './plugins/node-affinity-score.js';
import { nodeReady } from './plugins/node-ready.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { resourcesFit } from './plugins/resources-fit.js';
import { spread } from './plugins/spread.js';
import { taintToleration } from './plugins/taint-toleration.js';
import { taintTolerationScore } from './plugins/taint-toleration-score.js';

export const filterPlugins: Readonly<Record<string, FilterPlugin<any>>> = {
  [nodeUnschedulable.name]: nodeUnschedulable,
  [nodeReady.name]: nodeReady,
  [taintToleration.name]: taintToleration,
  [nodeAffinity.name]: nodeAffinity,
  [resourcesFit.name]: resourcesFit,
};

/** scorePlugins carry Kubernetes' default weights: taints 3, affinity 2, spreading 2 (as
 * PodTopologySpread), resources 1. */
export const scorePlugins: Readonly<Record<string, ScorePlugin<any>>> = {
  [taintTolerationScore.name]: taintTolerationScore,
  [nodeAffinityScore.name]: nodeAffinityScore,
  [spread.name]: spread,
  [leastAllocated.name]: leastAllocated,
};

export const defaultPlugins: Plugins = {
  filters: [nodeUnschedulable, nodeReady, taintToleration, nodeAffinity, resourcesFit],
  scores: [taintTolerationScore, nodeAffinityScore, spread, leastAllocated],
};
