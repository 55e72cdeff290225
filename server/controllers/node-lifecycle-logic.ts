// node-lifecycle-logic: the node lifecycle controller's pure part — how healthy a node is, which
// conditions and taints follow from that, and when a pod on a NoExecute-tainted node must go.
// Everything takes the time as an argument; nothing here reads a clock or writes an object.
import type { Node, Pod, Taint, Toleration } from '../../shared/api/core.js';
import type { Condition, KubeObject } from '../../shared/api/meta.js';
import { rfc3339 } from '../../shared/clock.js';

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
export const STATUS_UNKNOWN = 'NodeStatusUnknown';
const NEVER_UPDATED = 'NodeStatusNeverUpdated';

/** NodeHealth: what the Ready condition says once the heartbeat has been judged ('New': nothing yet). */
export type NodeHealth = 'Ready' | 'NotReady' | 'Unknown' | 'New';

// What the agent reports for each condition when all is well; used when a fresh heartbeat
// brings back a node this controller had marked Unknown.
const HEALTHY: Record<string, Pick<Condition, 'status' | 'reason' | 'message'>> = {
  Ready: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  MemoryPressure: { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
};
const WATCHED = Object.keys(HEALTHY);

const ms = (t: string | null | undefined): number => {
  const v = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(v) ? 0 : v;
};

/** lastHeartbeat: the newest sign of life — lease renewal, Ready heartbeat, or registration. */
export function lastHeartbeat(node: KubeObject, lease: KubeObject | undefined): number {
  const ready = readyOf(node);
  return Math.max(ms(lease?.spec?.renewTime), ms(ready?.lastHeartbeatTime), ms(node.metadata.creationTimestamp));
}

export function readyOf(o: KubeObject): Condition | undefined {
  return (o.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
}

/**
 * MemoryHeartbeat: what the server holds in memory about a node's agent (MQTT heartbeats, which
 * reach the Lease only now and then). gone: why the agent is known to be away (its session died
 * or it shut down) with no heartbeat since; such a node is stale at once.
 */
export interface MemoryHeartbeat {
  lastSeen?: number;
  gone?: string;
  /** graceMs: this node's grace period as its link quality stretches it (at least the base one). */
  graceMs?: number;
}

/**
 * nextConditions: the node's conditions given its heartbeat. A stale node has Ready and the
 * pressure conditions Unknown; a fresh one gets back the values it had before this controller
 * stepped in. Returns undefined when nothing changes.
 */
export function nextConditions(
  node: KubeObject,
  lease: KubeObject | undefined,
  now: number,
  graceMs: number,
  memory: MemoryHeartbeat = {},
): Condition[] | undefined {
  const grace = Math.max(graceMs, memory.graceMs ?? 0);
  const stale = memory.gone !== undefined || now - Math.max(lastHeartbeat(node, lease), memory.lastSeen ?? 0) > grace;
  const message = memory.gone ?? 'Kubelet stopped posting node status.';
  const old: Condition[] = node.status?.conditions ?? [];
  const at = rfc3339(now);
  const out = old.map((c): Condition => {
    if (!WATCHED.includes(c.type)) return c;
    if (stale && c.status !== 'Unknown') {
      return { ...c, status: 'Unknown', reason: STATUS_UNKNOWN, message, lastTransitionTime: at };
    }
    if (!stale && c.status === 'Unknown' && c.reason === STATUS_UNKNOWN) return { ...c, ...HEALTHY[c.type], lastTransitionTime: at };
    return c;
  });
  if (stale) {
    for (const type of WATCHED) {
      if (out.some((c) => c.type === type)) continue;
      const since = node.metadata.creationTimestamp ?? at;
      out.push({ type, status: 'Unknown', reason: NEVER_UPDATED, message: 'Kubelet never posted node status.', lastHeartbeatTime: since, lastTransitionTime: at });
    }
  }
  return sameItems(out, old) ? undefined : out;
}

/** sameItems: the same objects in the same order — changed items above are always new objects, and this runs for every node every second. */
function sameItems<T>(a: T[], b: T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function healthOf(node: KubeObject): NodeHealth {
  switch (readyOf(node)?.status) {
    case 'True':
      return 'Ready';
    case 'False':
      return 'NotReady';
    case 'Unknown':
      return 'Unknown';
    default:
      return 'New';
  }
}

/** nextTaints: the node's taints for its health (undefined when nothing changes). */
export function nextTaints(taints: Taint[], health: NodeHealth, now: number): Taint[] | undefined {
  let want: string | undefined;
  switch (health) {
    case 'New':
      return undefined;
    case 'Ready':
      want = undefined;
      break;
    case 'NotReady':
      want = NOT_READY;
      break;
    case 'Unknown':
      want = UNREACHABLE;
      break;
  }
  const out = taints.filter((t) => (t.key !== UNREACHABLE && t.key !== NOT_READY) || t.key === want);
  if (want) {
    for (const effect of ['NoSchedule', 'NoExecute'] as const) {
      if (!out.some((t) => t.key === want && t.effect === effect)) out.push({ key: want, effect, timeAdded: rfc3339(now) });
    }
  }
  return sameItems(out, taints) ? undefined : out;
}

export function noExecuteTaints(node: Node | KubeObject): Taint[] {
  return ((node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoExecute');
}

/** tolerates is Kubernetes' ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export type EvictionDecision = { type: 'keep' } | { type: 'evict' } | { type: 'wait'; ms: number };

/**
 * decideEviction: a pod not tolerating every NoExecute taint goes now; one tolerating them with
 * tolerationSeconds goes that long after the taint was added (the shortest toleration wins, as
 * in Kubernetes); one tolerating them without a limit stays.
 */
export function decideEviction(pod: Pod | KubeObject, taints: Taint[], now: number, addedAt: (t: Taint) => number): EvictionDecision {
  const tolerations: Toleration[] = pod.spec?.tolerations ?? [];
  let deadline = Number.POSITIVE_INFINITY;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (!matching.length) return { type: 'evict' };
    const limits = matching.filter((t) => typeof t.tolerationSeconds === 'number').map((t) => Math.max(0, t.tolerationSeconds!));
    if (limits.length) deadline = Math.min(deadline, addedAt(taint) + Math.min(...limits) * 1000);
  }
  if (deadline === Number.POSITIVE_INFINITY) return { type: 'keep' };
  return deadline <= now ? { type: 'evict' } : { type: 'wait', ms: deadline - now };
}

/** podNotReady: the pod's status with Ready False (MarkPodsNotReady), or undefined if already so. */
export function podNotReady(pod: KubeObject, now: number): KubeObject['status'] | undefined {
  const conditions: Condition[] = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const next = conditions.map((c) => (c === ready ? { ...c, status: 'False' as const, lastTransitionTime: rfc3339(now) } : c));
  return { ...pod.status, conditions: next };
}
