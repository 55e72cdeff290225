// node-lifecycle: watches node heartbeats (Leases in kube-node-lease, the Ready condition's
// lastHeartbeatTime, or creationTimestamp for a node that never sent one, and — when given a
// HeartbeatSource — the MQTT heartbeats held in memory and agents known gone), keeps the node's
// conditions and taints in line with them, and evicts pods from NoExecute-tainted nodes — the
// node lifecycle controller and taint manager of Kubernetes, with edge-sized defaults.
//
// Node states (the Ready condition) and what they bring:
//
//   Ready(True) ──(no heartbeat for nodeMonitorGracePeriod)──▶ Unknown: NodeStatusUnknown on
//        ▲   │                                                 Ready and the pressures, taints
//        │   │                                                 unreachable:NoSchedule+NoExecute,
//        │   │                                                 pods marked Ready=False
//        │   └──(agent reports Ready False)──▶ NotReady: taints not-ready:NoSchedule+NoExecute
//        │                                                │
//        └─────────(fresh lease, Ready True again)◀───────┴── taints removed
//
// A Ready condition this controller set to Unknown comes back True with the next fresh lease;
// one the agent set (False) stays until the agent says otherwise.
//
// Pods on a node with a NoExecute taint (pod keys): not tolerated → deleted now; tolerated with
// tolerationSeconds → deleted that long after the taint's timeAdded (requeued until then);
// tolerated without a limit → kept. Deletion is graceful; the agent finishes it when it is back.
import type { Taint } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import { ApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from './context.js';
import { inform, nsKey, splitKey } from './informer.js';
import { decideEviction, healthOf, type MemoryHeartbeat, nextConditions, nextTaints, noExecuteTaints, podNotReady } from './node-lifecycle-logic.js';
import { type Delay, WorkQueue } from './queue.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
export const LEASE_NAMESPACE = 'kube-node-lease';

/**
 * HeartbeatSource: node heartbeats held in memory (the MQTT ingest), fresher than the Lease, which
 * is written only now and then. onChange fires when a node appears, goes away or comes back.
 */
export interface HeartbeatSource {
  /** heartbeat: what memory holds about the node; with now, its grace period as of then. */
  heartbeat(node: string, now?: number): MemoryHeartbeat;
  onChange(cb: (node: string) => void): () => void;
}

export interface NodeLifecycleOptions {
  delay?: Delay;
  heartbeats?: HeartbeatSource;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  private readonly queue: WorkQueue;
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly nodeOfPod = new Map<string, string>();
  /** tainted: the NoExecute taints of each tainted node as last acted on (pods are queued once per change). */
  private readonly tainted = new Map<string, string>();
  /** firstSeen: when a NoExecute taint without timeAdded was first seen. */
  private readonly firstSeen = new Map<string, number>();
  private watches: { close(): void }[] = [];
  private heartbeats?: HeartbeatSource;
  private started = false;
  private stopHeartbeats?: () => void;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeLifecycleOptions = {},
  ) {
    this.heartbeats = opts.heartbeats;
    this.queue = new WorkQueue((key) => (key.startsWith('node:') ? this.syncNode(key.slice(5)) : this.syncPod(key.slice(4))), {
      delay: opts.delay,
      onError: (key, err) => ctx.logger.warn({ err, key }, 'node lifecycle sync failed'),
    });
  }

  /** intervalMs: how often every node is looked at — a third of the grace period, at most 1s. */
  get intervalMs(): number {
    return Math.max(10, Math.min(1000, Math.floor(this.ctx.config.nodeMonitorGracePeriod / 3)));
  }

  /** useHeartbeats makes the controller judge nodes by max(Lease, in-memory heartbeat) from now on. */
  useHeartbeats(source: HeartbeatSource): void {
    this.stopHeartbeats?.();
    this.heartbeats = source;
    if (this.started) this.stopHeartbeats = source.onChange((name) => this.queue.add(`node:${name}`));
  }

  start(): void {
    const node = (n: KubeObject) => this.queue.add(`node:${n.metadata.name}`);
    this.started = true;
    if (this.heartbeats) this.useHeartbeats(this.heartbeats);
    this.watches.push(
      inform(this.ctx.objects, NODES, { added: node, modified: node, deleted: (n) => this.forgetNode(n.metadata.name!) }),
      inform(this.ctx.objects, LEASES, {
        added: (l) => l.metadata.namespace === LEASE_NAMESPACE && node(l),
        modified: (l) => l.metadata.namespace === LEASE_NAMESPACE && node(l),
      }),
      inform(this.ctx.objects, PODS, { added: (p) => this.trackPod(p), modified: (p) => this.trackPod(p), deleted: (p) => this.untrackPod(nsKey(p)) }),
    );
  }

  stop(): void {
    this.stopHeartbeats?.();
    this.stopHeartbeats = undefined;
    this.started = false;
    for (const w of this.watches) w.close();
    this.watches = [];
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private trackPod(p: KubeObject): void {
    const key = nsKey(p);
    const nodeName: string | undefined = p.spec?.nodeName;
    if (this.nodeOfPod.get(key) !== nodeName) {
      this.untrackPod(key);
      if (!nodeName) return;
      this.nodeOfPod.set(key, nodeName);
      const s = this.podsByNode.get(nodeName);
      if (s) s.add(key);
      else this.podsByNode.set(nodeName, new Set([key]));
    }
    if (nodeName && this.tainted.has(nodeName) && !p.metadata.deletionTimestamp) this.queue.add(`pod:${key}`);
  }

  private untrackPod(key: string): void {
    const nodeName = this.nodeOfPod.get(key);
    if (nodeName === undefined) return;
    this.nodeOfPod.delete(key);
    const s = this.podsByNode.get(nodeName);
    s?.delete(key);
    if (s?.size === 0) this.podsByNode.delete(nodeName);
  }

  private forgetNode(name: string): void {
    this.tainted.delete(name);
    for (const k of this.firstSeen.keys()) if (k.startsWith(`${name}|`)) this.firstSeen.delete(k);
  }

  private async syncNode(name: string): Promise<void> {
    const objects = this.ctx.objects;
    const current = objects.find(NODES, '', name);
    if (!current) return;
    const lease = objects.find(LEASES, LEASE_NAMESPACE, name);
    const now = this.ctx.clock.now();
    const grace = this.ctx.config.nodeMonitorGracePeriod;
    const before = healthOf(current);
    const memory = this.heartbeats?.heartbeat(name, now);
    // Every node is looked at every interval, and nearly always nothing changes: decide on the
    // stored object first and write (mutate copies the object) only when there is something to
    // write. At 5,000 nodes the unconditional copies were a third of an idle server's CPU.
    let node: KubeObject | undefined = current;
    if (nextConditions(current, lease, now, grace, memory)) {
      node = await objects.mutate(NODES, '', name, (n) => withConditions(n, nextConditions(n, lease, now, grace, memory)), { subresource: 'status' });
      if (!node) return;
    }
    const health = healthOf(node);
    if (health !== before) this.ctx.logger.info({ node: name, from: before, to: health }, 'node health changed');
    if (nextTaints(node.spec?.taints ?? [], health, now)) {
      node = await objects.mutate(NODES, '', name, (n) => withTaints(n, nextTaints(n.spec?.taints ?? [], health, now)));
      if (!node) return;
    }
    if (health === 'Unknown') await this.markPodsNotReady(name, now);
    const taints = JSON.stringify(noExecuteTaints(node));
    if (taints !== (this.tainted.get(name) ?? '[]')) {
      if (taints === '[]') this.tainted.delete(name);
      else this.tainted.set(name, taints);
      for (const key of this.podsByNode.get(name) ?? []) this.queue.add(`pod:${key}`);
    }
    this.queue.addAfter(`node:${name}`, this.intervalMs);
  }

  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const key of this.podsByNode.get(nodeName) ?? []) {
      const [ns, name] = splitKey(key);
      const pod = this.ctx.objects.find(PODS, ns, name);
      if (!pod || !podNotReady(pod, now)) continue;
      writes.push(this.ctx.objects.mutate(PODS, ns, name, (p) => withStatus(p, podNotReady(p, now)), { subresource: 'status' }));
    }
    await Promise.all(writes);
  }

  private async syncPod(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pod = this.ctx.objects.find(PODS, ns, name);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return;
    const nodeName: string = pod.spec.nodeName;
    const node = this.ctx.objects.find(NODES, '', nodeName);
    if (!node) return;
    const now = this.ctx.clock.now();
    const decision = decideEviction(pod, noExecuteTaints(node), now, (t) => this.addedAt(nodeName, t, now));
    switch (decision.type) {
      case 'keep':
        return;
      case 'wait':
        this.queue.addAfter(`pod:${key}`, decision.ms);
        return;
      case 'evict':
        try {
          await this.ctx.objects.delete(PODS, ns, name, { preconditions: { uid: pod.metadata.uid } });
        } catch (e) {
          if (e instanceof ApiError && (e.reason === 'NotFound' || e.message.startsWith('Precondition failed: UID'))) return;
          throw e;
        }
        this.ctx.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`, 'taint-eviction-controller');
        return;
    }
  }

  private addedAt(nodeName: string, t: Taint, now: number): number {
    const at = t.timeAdded ? Date.parse(t.timeAdded) : Number.NaN;
    if (!Number.isNaN(at)) return at;
    const k = `${nodeName}|${t.key}|${t.value ?? ''}`;
    if (!this.firstSeen.has(k)) this.firstSeen.set(k, now);
    return this.firstSeen.get(k)!;
  }
}

function withConditions(n: KubeObject, conditions: KubeObject['status'] | undefined): KubeObject | undefined {
  if (!conditions) return undefined;
  n.status = { ...(n.status ?? {}), conditions };
  return n;
}

function withTaints(n: KubeObject, taints: Taint[] | undefined): KubeObject | undefined {
  if (!taints) return undefined;
  n.spec = { ...(n.spec ?? {}) };
  if (taints.length) n.spec.taints = taints;
  else delete n.spec.taints;
  return n;
}

function withStatus(p: KubeObject, status: KubeObject['status'] | undefined): KubeObject | undefined {
  if (!status) return undefined;
  p.status = status;
  return p;
}
