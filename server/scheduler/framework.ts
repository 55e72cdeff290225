// framework: the vocabulary every scheduler plugin speaks — the per-pod requests, the per-node view of a
// snapshot, and the filter/score plugin shapes. Modelled on the Kubernetes scheduler framework
// (PreFilter/Filter, PreScore/Score) cut down to what Bramble needs. Nothing here touches a store,
// the network or a clock: plugins are pure functions of (pod, node view).
import type { Node, Pod } from '../../shared/api/core.js';

/** PodRequests is what a pod asks for, computed once per pod (see pod-requests.ts). */
export interface PodRequests {
  /** milliCPU and memory are the effective requests Kubernetes' NodeResourcesFit checks. */
  readonly milliCPU: number;
  readonly memory: number;
  /** nonZero* replace a missing request with 100m / 200Mi, as Kubernetes does when scoring, so
   * best-effort pods still spread instead of piling onto one node. */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  /** spreadKey names the group a pod spreads with (its controller's uid, else its labels); '' = none. */
  readonly spreadKey: string;
}

/** Resources is a node's cpu (millicores), memory (bytes) and pod count. */
export interface Resources {
  milliCPU: number;
  memory: number;
  pods: number;
}

/** NodeInfo is one node as the scheduler sees it: the object plus numbers parsed once per snapshot. */
export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  /** index is the node's position in Snapshot.nodes, used to index per-group counters. */
  readonly index: number;
  readonly labels: Readonly<Record<string, string>>;
  /** ready is the status of the node's Ready condition, 'Unknown' when it has none. */
  readonly ready: 'True' | 'False' | 'Unknown';
  /** allocatable is status.allocatable, falling back to status.capacity per resource. */
  readonly allocatable: Readonly<Resources>;
  /** requested sums the requests of bound, non-terminated pods (and of pods assume()d onto it). */
  readonly requested: Resources;
  /** nonZeroRequested is requested with Kubernetes' non-zero defaults, used only for scoring. */
  readonly nonZeroRequested: Omit<Resources, 'pods'>;
}

/** SpreadGroup counts, per node index, the pods of one spread group (see snapshot.ts). */
export interface SpreadGroup {
  readonly counts: Uint32Array;
  /** max is the highest count on any node, kept current by assume() and forget(). */
  max: number;
}

/** Snapshot is the cluster state one scheduling batch reads; only assume()/forget() change it. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  readonly byName: ReadonlyMap<string, NodeInfo>;
  /** spread maps a spread key to its counts; groups are materialised lazily by spreadGroup(). */
  readonly spread: Map<string, SpreadGroup>;
  /** pendingSpread holds, per spread key, the node indices of bound pods not yet materialised. */
  readonly pendingSpread: Map<string, number[]>;
}

/** FilterResult is a node's verdict: it fits, or it is rejected with one or more reasons. Rejection
 * is an expected value, never an exception. */
export type FilterResult = { readonly ok: true } | { readonly ok: false; readonly reasons: readonly string[] };

/** FITS is the shared success value, so passing a filter allocates nothing. */
export const FITS: FilterResult = Object.freeze({ ok: true });

/** reject builds a rejection; plugins build their constant rejections once, at module load. */
export function reject(reason: string, ...more: string[]): FilterResult {
  return Object.freeze({ ok: false, reasons: Object.freeze([reason, ...more]) });
}

/** SKIP, returned by preFilter or preScore, means "this plugin has nothing to say about this pod"
 * (no selector, no preferences…): its per-node calls are left out, as with Kubernetes' Skip status. */
export const SKIP: unique symbol = Symbol('scheduler.skip');
export type Skip = typeof SKIP;

/** FilterPlugin decides whether a pod may run on a node. preFilter (Kubernetes' PreFilter) runs once
 * per pod and its result is handed to every filter call, so per-pod work is not repeated per node. */
export interface FilterPlugin<S = undefined> {
  readonly name: string;
  preFilter?(pod: Pod, podReq: PodRequests, snapshot: Snapshot): S | Skip;
  filter(pod: Pod, podReq: PodRequests, nodeInfo: NodeInfo, state: S): FilterResult;
}

/** MAX_NODE_SCORE is the top of every score plugin's 0..100 range (Kubernetes' MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** ScorePlugin ranks a node that passed every filter, 0..MAX_NODE_SCORE, higher is better. The
 * total is the weighted sum over the plugins not skipped. preScore runs once per pod, like
 * Kubernetes' PreScore, and only once some node has passed the filters. */
export interface ScorePlugin<S = undefined> {
  readonly name: string;
  readonly weight: number;
  preScore?(pod: Pod, podReq: PodRequests, snapshot: Snapshot): S | Skip;
  score(pod: Pod, podReq: PodRequests, nodeInfo: NodeInfo, snapshot: Snapshot, state: S): number;
}

/** Plugins is a scheduler profile: filters run in order and stop at the first rejection. */
export interface Plugins {
  readonly filters: readonly FilterPlugin<any>[];
  readonly scores: readonly ScorePlugin<any>[];
  /** percentageOfNodesToScore is Kubernetes' knob of that name: stop looking once this share of the
   * nodes (never fewer than 100) has passed the filters. 0 or absent = adaptive, as in Kubernetes
   * (50% minus 1% per 125 nodes, at least 5%); 100 = always every node. */
  readonly percentageOfNodesToScore?: number;
}
