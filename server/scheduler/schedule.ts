// schedule: pick a node for one pod from a snapshot, or say why none fits. One pass over the nodes:
// each node runs the filters until the first rejection (whose reasons are counted), and a node that
// passes them all is scored at once and compared with the best so far — no per-node allocation.
// Pure: the caller writes the binding and then calls assume() so the next pod sees it.
import type { Pod } from '../../shared/api/core.js';
import { fitErrorMessage, NO_NODES_MESSAGE } from './fit-error.js';
import {
  FITS,
  type FilterPlugin,
  type FilterResult,
  type NodeInfo,
  type PodRequests,
  type Plugins,
  type ScorePlugin,
  SKIP,
  type Snapshot,
} from './framework.js';
import { podRequests } from './pod-requests.js';
import { defaultPlugins } from './registry.js';

export type ScheduleResult =
  | { readonly ok: true; readonly nodeName: string; readonly score: number; readonly feasibleNodes: number }
  | { readonly ok: false; readonly reasons: ReadonlyMap<string, number>; readonly message: string };

/** tieSeed hashes the pod's name (FNV-1a) so ties break the same way every time for one pod but
 * differently for different pods. */
function tieSeed(pod: Pod): number {
  const s = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? pod.metadata.generateName ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 1; // xorshift needs a non-zero state
}

/** MIN_FEASIBLE_NODES and MIN_FEASIBLE_PERCENT are Kubernetes' floors: below 100 nodes every node
 * is always considered, so small clusters (all of Bramble's usual ones) never sample. */
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENT = 5;

/** feasibleNodesToFind is Kubernetes' numFeasibleNodesToFind: how many feasible nodes are enough. */
export function feasibleNodesToFind(numNodes: number, percentage = 0): number {
  if (numNodes < MIN_FEASIBLE_NODES || percentage >= 100) return numNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_PERCENT, 50 - Math.floor(numNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.floor((numNodes * pct) / 100));
}

/** Prepared holds the plugins that did not skip this pod, with the state each prepared for it. */
interface Prepared<P> {
  readonly plugins: P[];
  readonly states: unknown[];
}

function prepareFilters(all: Plugins['filters'], pod: Pod, podReq: PodRequests, snapshot: Snapshot): Prepared<FilterPlugin<any>> {
  const prepared: Prepared<FilterPlugin<any>> = { plugins: [], states: [] };
  for (const f of all) {
    const state = f.preFilter ? f.preFilter(pod, podReq, snapshot) : undefined;
    if (state === SKIP) continue;
    prepared.plugins.push(f);
    prepared.states.push(state);
  }
  return prepared;
}

function prepareScores(all: Plugins['scores'], pod: Pod, podReq: PodRequests, snapshot: Snapshot): Prepared<ScorePlugin<any>> {
  const prepared: Prepared<ScorePlugin<any>> = { plugins: [], states: [] };
  for (const s of all) {
    const state = s.preScore ? s.preScore(pod, podReq, snapshot) : undefined;
    if (state === SKIP) continue;
    prepared.plugins.push(s);
    prepared.states.push(state);
  }
  return prepared;
}

/** runFilters returns the first rejection, or FITS: like Kubernetes, a node reports one plugin. */
function runFilters(f: Prepared<FilterPlugin<any>>, pod: Pod, podReq: PodRequests, info: NodeInfo): FilterResult {
  for (let i = 0; i < f.plugins.length; i++) {
    const r = f.plugins[i].filter(pod, podReq, info, f.states[i]);
    if (!r.ok) return r;
  }
  return FITS;
}

function totalScore(s: Prepared<ScorePlugin<any>>, pod: Pod, podReq: PodRequests, info: NodeInfo, snapshot: Snapshot): number {
  let total = 0;
  for (let i = 0; i < s.plugins.length; i++) {
    const plugin = s.plugins[i];
    total += plugin.weight * plugin.score(pod, podReq, info, snapshot, s.states[i]);
  }
  return total;
}

/** schedule returns the best node for an unbound pod, or the reasons every node refused it. Nodes with equal
 * top scores are chosen between uniformly (reservoir sampling driven by tieSeed). On a large snapshot
 * it stops once feasibleNodesToFind() nodes have passed the filters; Kubernetes rotates the start
 * node between pods with a counter, Bramble starts at a node picked by the pod's hash, which spreads
 * the same way and keeps schedule() pure. Pass podReq when already computed, and the same object to
 * assume(). */
export function schedule(
  pod: Pod,
  snapshot: Snapshot,
  plugins: Plugins = defaultPlugins,
  podReq: PodRequests = podRequests(pod),
): ScheduleResult {
  const nodes = snapshot.nodes;
  const n = nodes.length;
  if (n === 0) return { ok: false, reasons: new Map(), message: NO_NODES_MESSAGE };
  const filters = prepareFilters(plugins.filters, pod, podReq, snapshot);
  // Scores are prepared at the first feasible node: a pod that fits nowhere never pays for them.
  let scores: Prepared<ScorePlugin<any>> | undefined;
  let reasons: Map<string, number> | undefined;
  let best = -1;
  let chosen = -1;
  let ties = 0;
  let feasible = 0;
  let rand = tieSeed(pod);
  const enough = feasibleNodesToFind(n, plugins.percentageOfNodesToScore);
  const start = enough < n ? (rand >>> 0) % n : 0;

  for (let k = 0; k < n && feasible < enough; k++) {
    const info = nodes[start + k < n ? start + k : start + k - n];
    const r = runFilters(filters, pod, podReq, info);
    if (!r.ok) {
      reasons ??= new Map();
      for (const reason of r.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    feasible++;
    scores ??= prepareScores(plugins.scores, pod, podReq, snapshot);
    const total = totalScore(scores, pod, podReq, info, snapshot);
    if (total > best) {
      best = total;
      chosen = info.index;
      ties = 1;
    } else if (total === best) {
      // Reservoir sampling: the k-th tied node replaces the choice with probability 1/k.
      ties++;
      rand ^= rand << 13;
      rand ^= rand >>> 17;
      rand ^= rand << 5;
      if ((rand >>> 0) % ties === 0) chosen = info.index;
    }
  }

  if (chosen < 0) {
    const counted = reasons ?? new Map<string, number>();
    return { ok: false, reasons: counted, message: fitErrorMessage(n, counted) };
  }
  return { ok: true, nodeName: nodes[chosen].name, score: best, feasibleNodes: feasible };
}
