// cluster-network: what every agent needs about the whole cluster, published retained so an agent
// that (re)connects gets all of it at once:
//
//   topics.service(ns, name)  ServiceState { v, service, endpoints } per Service — for the agent's
//                             iptables proxy and its DNS; an empty payload when the service is gone
//   topics.networkChanges     NetworkChanges { v, epoch, seq, changes } — nodes whose pod CIDR
//                             or addresses changed, or that were deleted; not retained
//   topics.networkSnapshot    NetworkSnapshot { v, epoch, seq, clusterCIDR?, nodes } — all of it
//                             as of change `seq`, retained, republished snapshotMs after changes
//
// Scale (5,000 nodes, every one subscribed to all of it): one retained topic per Service means a
// change to one service (or its endpoints) sends one small message to each node, not the whole
// set. For nodes, a join sends every agent one NetworkChanges message with the one entry (a whole
// map per join cost O(N) bytes to each of N nodes: ≈ 800 MB through TLS for the 3,400th join, and
// sessions collapsed), and a connecting agent reads one snapshot (one retained topic per node cost
// N messages per connect, each its own TLS write: a 1,000-node fleet still kept the broker busy a
// minute after the last join). Agents subscribe to the snapshot only to read it, so republishing it
// reaches nobody. Changes are numbered; an agent that missed one reads the snapshot again (see
// agent/cluster-view.ts). A node's entry changes only with its pod CIDR or addresses — node status
// writes that touch neither (conditions, capacity, heartbeats) publish nothing. Changes mark keys
// dirty; a flush after debounceMs recomputes each once and publishes only what changed.
//
// Changes go out at QoS 0: a session that loses one loses its connection too, and a missed number
// is noticed and mended from the snapshot anyway. That spares the broker and every agent a PUBACK
// per message.
//
// Stale topics: a service deleted while the server was down leaves its retained topic behind. At
// start the publisher subscribes to topics.services on the bus and clears every retained service
// topic it sees whose service does not exist (the store is fully loaded before start, so "does not
// exist" is known at once; existing ones are overwritten by the first flush anyway). With the
// embedded broker this never triggers: aedes keeps retained messages in memory (nothing survives a
// restart), and its in-process subscriptions (aedes-bus) are not sent retained messages. It is for
// an external broker, whose client subscription does get them. The subscription stays until stop;
// it also sees the publisher's own messages, which cost one lookup each and are otherwise ignored.
import { createHash, randomBytes } from 'node:crypto';
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Endpoints, Service } from '../../shared/api/service.js';
import type { NetworkChange, NetworkChanges, NetworkMap, NetworkMapNode, NetworkSnapshot, ServiceState } from '../../shared/mqtt/payloads.js';
import { serviceOfTopic, topics } from '../../shared/mqtt/topics.js';
import type { ObjectService } from '../objects/object-service.js';
import type { Watch } from '../store/types.js';
import type { Bus } from './bus.js';
import { stableJson } from './stable-json.js';

const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface ClusterNetworkOptions {
  debounceMs?: number;
  /**
   * changesIntervalMs: node change messages go out at most this often (default 500 ms). Each
   * reaches every node, so while a fleet joins, one message per join cost O(N) writes per join;
   * this makes it O(N) per interval, with the joins of the interval in one message.
   */
  changesIntervalMs?: number;
  /** snapshotMs: how long after changes the snapshot is republished (default 1 s). */
  snapshotMs?: number;
  /** clusterCidr: published in the snapshot as clusterCIDR (the range of all pod CIDRs). */
  clusterCidr?: string;
  /** batch: service topics published concurrently within a flush. */
  batch?: number;
  onError?: (err: unknown, topic: string) => void;
}

export class ClusterNetworkPublisher {
  /** dirty: service keys "ns/name" to recompute. */
  private readonly dirty = new Set<string>();
  /** dirtyNodes: node names whose entry may have changed. */
  private readonly dirtyNodes = new Set<string>();
  /** published: a hash of each service's last published state. */
  private readonly published = new Map<string, string>();
  /** stale: retained service topics seen on the broker whose service did not exist. */
  private readonly stale = new Set<string>();
  /** nodes: each node's entry, with its JSON for comparison. */
  private readonly nodes = new Map<string, { entry: NetworkMapNode; json: string }>();
  /** sent: each node's entry as the change messages so far told it (what the snapshot holds). */
  private readonly sent = new Map<string, { entry: NetworkMapNode; json: string }>();
  /** epoch and seq number the change messages; a new epoch per publisher (per server start). */
  private readonly epoch = randomBytes(6).toString('hex');
  private seq = 0;
  private snapshotDirty = false;
  private snapshotTimer?: NodeJS.Timeout;
  private readonly snapshotMs: number;
  private readonly changesIntervalMs: number;
  private lastChangesAt = Number.NEGATIVE_INFINITY;
  private changesTimer?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private waiters: (() => void)[] = [];
  private watches: Watch[] = [];
  private unsubscribe?: () => Promise<void>;
  private running = false;
  private readonly debounceMs: number;
  private readonly batch: number;

  constructor(
    private readonly objects: ObjectService,
    private readonly bus: Bus,
    private readonly opts: ClusterNetworkOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 20;
    this.batch = opts.batch ?? 200;
    this.snapshotMs = opts.snapshotMs ?? 1_000;
    this.changesIntervalMs = opts.changesIntervalMs ?? 500;
  }

  /** start watches services, endpoints and nodes, and subscribes to clear stale service topics. */
  async start(): Promise<void> {
    this.running = true;
    const onService = (_type: string, o: KubeObject) => this.markDirty(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    this.watches.push(
      this.objects.watch(SERVICES, {}, onService),
      this.objects.watch(ENDPOINTS, {}, onService),
      this.objects.watch(NODES, {}, (type, n) => this.onNode(type, n as Node)),
    );
    // The first snapshot goes out at once: it replaces one retained from before a restart.
    this.snapshotDirty = true;
    this.schedule();
    try {
      const unsubscribe = await this.bus.subscribe(topics.services, (topic, payload) => this.onRetained(topic, payload), { retained: true });
      if (this.running) this.unsubscribe = unsubscribe;
      else await unsubscribe();
    } catch (err) {
      this.opts.onError?.(err, topics.services);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.watches) w.close();
    this.watches = [];
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
    clearTimeout(this.changesTimer);
    this.changesTimer = undefined;
    this.dirty.clear();
    this.dirtyNodes.clear();
    this.snapshotDirty = false;
    await unsubscribe?.();
    await this.idle();
  }

  /** idle resolves when nothing waits to be published (the snapshot included). */
  idle(): Promise<void> {
    if (!this.timer && !this.snapshotTimer && !this.changesTimer && !this.flushing && this.dirty.size === 0 && this.dirtyNodes.size === 0 && !this.snapshotDirty) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** serviceState computes a service's ServiceState (without publishing it); undefined if there is no such service. */
  serviceState(namespace: string, name: string): ServiceState | undefined {
    const svc = this.objects.find(SERVICES, namespace, name) as Service | undefined;
    if (!svc) return undefined;
    const { uid, labels } = svc.metadata;
    const service: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, uid, ...(labels ? { labels } : {}) },
      spec: svc.spec ?? {},
      status: { loadBalancer: svc.status?.loadBalancer ?? {} },
    };
    const ep = this.objects.find(ENDPOINTS, namespace, name) as Endpoints | undefined;
    const endpoints: Endpoints | null = ep ? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace }, subsets: ep.subsets ?? [] } : null;
    return { v: 1, service, endpoints };
  }

  /** networkMap: every node's entry as published so far, as one NetworkMap (what an agent ends up with). */
  networkMap(): NetworkMap {
    const nodes = [...this.sent.values()].map((n) => n.entry).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { v: 1, ...(this.opts.clusterCidr ? { clusterCIDR: this.opts.clusterCidr } : {}), nodes };
  }

  private onNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', n: Node): void {
    const name = n.metadata.name!;
    if (type === 'DELETED') {
      if (this.nodes.delete(name)) this.markNodeDirty(name);
      return;
    }
    const entry = networkEntry(n);
    const json = JSON.stringify(entry);
    if (this.nodes.get(name)?.json === json) return;
    this.nodes.set(name, { entry, json });
    this.markNodeDirty(name);
  }

  private onRetained(topic: string, payload: Buffer): void {
    if (!this.running || payload.length === 0) return;
    const svc = serviceOfTopic(topic);
    if (!svc || this.objects.find(SERVICES, svc.namespace, svc.name)) return;
    const key = `${svc.namespace}/${svc.name}`;
    this.stale.add(key);
    this.markDirty(key);
  }

  private markDirty(key: string): void {
    this.dirty.add(key);
    this.schedule();
  }

  private markNodeDirty(name: string): void {
    this.dirtyNodes.add(name);
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer && !this.flushing && this.running) this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private scheduleSnapshot(delayMs: number): void {
    if (this.snapshotTimer || !this.running) return;
    this.snapshotTimer = setTimeout(() => void this.publishSnapshot(), delayMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    const firstSnapshot = this.snapshotDirty && this.seq === 0;
    const nodesDue = () => this.dirtyNodes.size > 0 && performance.now() - this.lastChangesAt >= this.changesIntervalMs;
    while (this.dirty.size || nodesDue()) {
      if (nodesDue()) await this.publishChanges();
      const keys = [...this.dirty];
      this.dirty.clear();
      for (let i = 0; i < keys.length; i += this.batch) {
        await Promise.all(keys.slice(i, i + this.batch).map((k) => this.publishService(k)));
      }
    }
    this.flushing = false;
    if (this.dirtyNodes.size && !this.changesTimer && this.running) {
      this.changesTimer = setTimeout(
        () => {
          this.changesTimer = undefined;
          this.schedule();
        },
        Math.max(0, this.lastChangesAt + this.changesIntervalMs - performance.now()),
      );
    }
    if (this.snapshotDirty) this.scheduleSnapshot(firstSnapshot ? 0 : this.snapshotMs);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.timer || this.snapshotTimer || this.changesTimer || this.flushing) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private async publishService(key: string): Promise<void> {
    const i = key.indexOf('/');
    const [ns, name] = [key.slice(0, i), key.slice(i + 1)];
    const topic = topics.service(ns, name);
    try {
      const state = this.serviceState(ns, name);
      if (!state) {
        const wasPublished = this.published.delete(key);
        if (this.stale.delete(key) || wasPublished) await this.bus.publish(topic, Buffer.alloc(0), { retain: true, qos: 1 });
        return;
      }
      this.stale.delete(key);
      const body = stableJson(state);
      const hash = digest(body);
      if (this.published.get(key) === hash) return;
      await this.bus.publish(topic, body, { retain: true, qos: 1 });
      this.published.set(key, hash);
    } catch (err) {
      this.opts.onError?.(err, topic);
    }
  }

  /** publishChanges sends one numbered message with every dirty node whose entry differs from what was sent. */
  private async publishChanges(): Promise<void> {
    const changes: NetworkChange[] = [];
    for (const name of this.dirtyNodes) {
      const now = this.nodes.get(name);
      const was = this.sent.get(name);
      if (now && now.json !== was?.json) {
        changes.push(now.entry);
        this.sent.set(name, now);
      } else if (!now && was) {
        changes.push({ name, deleted: true });
        this.sent.delete(name);
      }
    }
    this.dirtyNodes.clear();
    if (!changes.length) return;
    // Numbered and marked for the snapshot together, before the await, so a snapshot always holds
    // exactly the changes up to its seq.
    const message: NetworkChanges = { v: 1, epoch: this.epoch, seq: ++this.seq, changes };
    this.snapshotDirty = true;
    this.lastChangesAt = performance.now();
    try {
      await this.bus.publish(topics.networkChanges, JSON.stringify(message), { qos: 0 });
    } catch (err) {
      this.opts.onError?.(err, topics.networkChanges); // agents notice the missing number
    }
  }

  private async publishSnapshot(): Promise<void> {
    this.snapshotDirty = false;
    const snapshot: NetworkSnapshot = { ...this.networkMap(), epoch: this.epoch, seq: this.seq };
    try {
      await this.bus.publish(topics.networkSnapshot, JSON.stringify(snapshot), { retain: true, qos: 1 });
    } catch (err) {
      this.opts.onError?.(err, topics.networkSnapshot);
    }
    this.snapshotTimer = undefined;
    if (this.snapshotDirty) this.scheduleSnapshot(this.snapshotMs);
    this.notifyIdle();
  }
}

/** networkEntry: a node's entry of the network map — its pod CIDR and its InternalIPs, then ExternalIPs. */
export function networkEntry(n: Node): NetworkMapNode {
  const podCIDR: string | undefined = n.spec?.podCIDR || n.spec?.podCIDRs?.[0] || undefined;
  const all = n.status?.addresses ?? [];
  const of = (type: string) => all.filter((a) => a?.type === type && typeof a.address === 'string' && a.address).map((a) => a.address);
  const addresses = [...new Set([...of('InternalIP'), ...of('ExternalIP')])];
  return { name: n.metadata.name!, ...(podCIDR ? { podCIDR } : {}), addresses };
}

function digest(body: string): string {
  return createHash('sha256').update(body).digest('base64');
}
