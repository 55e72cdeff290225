// testing: small builders for the Node and Pod shapes the scheduler reads, shared by the unit tests
// and the scheduler bench so both describe clusters the same short way, and one-plugin runners for
// the plugin tests.
import type { Container, Node, NodeAffinity, Pod, Taint, Toleration } from '../../shared/api/core.js';
import type { Condition } from '../../shared/api/meta.js';
import { FITS, type FilterPlugin, type FilterResult, type ScorePlugin, SKIP } from './framework.js';
import { podRequests } from './pod-requests.js';
import { buildSnapshot } from './snapshot.js';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** ready is the Ready condition's status; null leaves the condition out. Default 'True'. */
  ready?: Condition['status'] | null;
  /** capacityOnly reports the resources as status.capacity only, with no status.allocatable. */
  capacityOnly?: boolean;
}

/** makeNode builds a node with 4 cpu, 8Gi and 110 pods unless told otherwise. */
export function makeNode(name: string, o: NodeOptions = {}): Node {
  const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  const ready = o.ready === undefined ? 'True' : o.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: {
      capacity: resources,
      allocatable: o.capacityOnly ? undefined : resources,
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        ...(ready === null ? [] : [{ type: 'Ready', status: ready } satisfies Condition]),
      ],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  /** owner is the uid of the pod's controller (a ReplicaSet). */
  owner?: string;
  nodeName?: string;
  phase?: NonNullable<Pod['status']>['phase'];
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  nodeAffinity?: NodeAffinity;
  /** containers replaces the single container built from cpu/memory. */
  containers?: Container[];
  initContainers?: Container[];
}

/** makePod builds a one-container pod requesting cpu/memory when given. */
export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: o.labels,
      ownerReferences: o.owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: o.owner, controller: true }]
        : undefined,
    },
    spec: {
      nodeName: o.nodeName,
      containers: o.containers ?? [{ name: 'main', image: 'busybox', resources: { requests } }],
      initContainers: o.initContainers,
      tolerations: o.tolerations,
      nodeSelector: o.nodeSelector,
      affinity: o.nodeAffinity ? { nodeAffinity: o.nodeAffinity } : undefined,
    },
    status: o.phase ? { phase: o.phase } : undefined,
  };
}

/** filterNode runs one filter plugin (with its preFilter) for pod on node; a skipped plugin fits. */
export function filterNode(plugin: FilterPlugin<any>, pod: Pod, node: Node, bound: Pod[] = []): FilterResult {
  const snapshot = buildSnapshot([node], bound);
  const podReq = podRequests(pod);
  const state = plugin.preFilter ? plugin.preFilter(pod, podReq, snapshot) : undefined;
  return state === SKIP ? FITS : plugin.filter(pod, podReq, snapshot.nodes[0], state);
}

/** scoreNodes runs one score plugin (with its preScore) for pod on every node, or returns 'skip'. */
export function scoreNodes(plugin: ScorePlugin<any>, pod: Pod, nodes: Node[], bound: Pod[] = []): number[] | 'skip' {
  const snapshot = buildSnapshot(nodes, bound);
  const podReq = podRequests(pod);
  const state = plugin.preScore ? plugin.preScore(pod, podReq, snapshot) : undefined;
  if (state === SKIP) return 'skip';
  return snapshot.nodes.map((n) => plugin.score(pod, podReq, n, snapshot, state));
}
