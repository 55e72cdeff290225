// snapshot: the cluster as one scheduling batch sees it. buildSnapshot parses every node's numbers
// and sums the requests of bound pods once; assume() then books each placement into the snapshot so
// the next pod of the batch sees it (Kubernetes' AssumePod), and forget() undoes a failed binding.
import type { Node, Pod, ResourceList } from '../../shared/api/core.js';
import { bytes, count, milliCPU } from '../../shared/quantity.js';
import type { NodeInfo, PodRequests, Snapshot, SpreadGroup } from './framework.js';
import { podRequests } from './pod-requests.js';

/** isTerminated: Succeeded and Failed pods hold no resources (the Kubernetes scheduler's pod
 * informer drops them too). */
function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function readyStatus(node: Node): NodeInfo['ready'] {
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') return c.status;
  return 'Unknown';
}

function nodeInfo(node: Node, index: number): NodeInfo {
  const alloc: ResourceList = node.status?.allocatable ?? {};
  const cap: ResourceList = node.status?.capacity ?? {};
  return {
    node,
    name: node.metadata.name ?? '',
    index,
    labels: node.metadata.labels ?? {},
    ready: readyStatus(node),
    allocatable: {
      milliCPU: milliCPU(alloc.cpu ?? cap.cpu),
      memory: bytes(alloc.memory ?? cap.memory),
      pods: count(alloc.pods ?? cap.pods),
    },
    requested: { milliCPU: 0, memory: 0, pods: 0 },
    nonZeroRequested: { milliCPU: 0, memory: 0 },
  };
}

function add(info: NodeInfo, req: PodRequests, sign: 1 | -1): void {
  info.requested.milliCPU += sign * req.milliCPU;
  info.requested.memory += sign * req.memory;
  info.requested.pods += sign;
  info.nonZeroRequested.milliCPU += sign * req.nonZeroMilliCPU;
  info.nonZeroRequested.memory += sign * req.nonZeroMemory;
}

/** buildSnapshot indexes nodes by name and books every bound, non-terminated pod onto its node.
 * Pods bound to nodes not in the list are ignored; a repeated node name keeps the first node.
 * requestsOf: podRequests, or a cached version of it (the scheduler loop keeps one). */
export function buildSnapshot(nodes: readonly Node[], pods: readonly Pod[], requestsOf: (pod: Pod) => PodRequests = podRequests): Snapshot {
  const infos: NodeInfo[] = [];
  const byName = new Map<string, NodeInfo>();
  for (const node of nodes) {
    const info = nodeInfo(node, infos.length);
    if (byName.has(info.name)) continue;
    infos.push(info);
    byName.set(info.name, info);
  }
  const pendingSpread = new Map<string, number[]>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    if (!name || isTerminated(pod)) continue;
    const info = byName.get(name);
    if (!info) continue;
    const req = requestsOf(pod);
    add(info, req, 1);
    if (req.spreadKey === '') continue;
    const list = pendingSpread.get(req.spreadKey);
    if (list) list.push(info.index);
    else pendingSpread.set(req.spreadKey, [info.index]);
  }
  return { nodes: infos, byName, spread: new Map(), pendingSpread };
}

/** spreadGroup returns the per-node counts of one spread group, or undefined when no pod of the
 * group is on any node. Counts are materialised on first use, so groups no pending pod belongs to
 * never cost a per-node array. */
export function spreadGroup(snapshot: Snapshot, key: string): SpreadGroup | undefined {
  const group = snapshot.spread.get(key);
  if (group || key === '') return group;
  const pending = snapshot.pendingSpread.get(key);
  if (!pending) return undefined;
  const counts = new Uint32Array(snapshot.nodes.length);
  let max = 0;
  for (const i of pending) max = Math.max(max, ++counts[i]);
  snapshot.pendingSpread.delete(key);
  const made: SpreadGroup = { counts, max };
  snapshot.spread.set(key, made);
  return made;
}

function nodeOrThrow(snapshot: Snapshot, nodeName: string): NodeInfo {
  const info = snapshot.byName.get(nodeName);
  if (!info) throw new Error(`scheduler: node ${JSON.stringify(nodeName)} is not in the snapshot`);
  return info;
}

/** assume books a pod onto a node of the snapshot, so later pods of the same batch see its requests
 * and its spread count. Pass podReq when already computed. Throws only for an unknown node (a bug). */
export function assume(snapshot: Snapshot, pod: Pod, nodeName: string, podReq: PodRequests = podRequests(pod)): void {
  const info = nodeOrThrow(snapshot, nodeName);
  add(info, podReq, 1);
  if (podReq.spreadKey === '') return;
  let group = spreadGroup(snapshot, podReq.spreadKey);
  if (!group) {
    group = { counts: new Uint32Array(snapshot.nodes.length), max: 0 };
    snapshot.spread.set(podReq.spreadKey, group);
  }
  group.max = Math.max(group.max, ++group.counts[info.index]);
}

/** forget undoes assume() — for a binding the caller could not write. */
export function forget(snapshot: Snapshot, pod: Pod, nodeName: string, podReq: PodRequests = podRequests(pod)): void {
  const info = nodeOrThrow(snapshot, nodeName);
  add(info, podReq, -1);
  const group = spreadGroup(snapshot, podReq.spreadKey);
  if (!group || group.counts[info.index] === 0) return;
  const was = group.counts[info.index]--;
  // max only needs a rescan when this node held it.
  if (was === group.max) group.max = group.counts.reduce((m, c) => Math.max(m, c), 0);
}
