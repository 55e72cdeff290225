// cluster-network: what every agent needs about the whole cluster, published retained so an agent
// that (re)connects gets all of it at once:
//
//   topics.service(ns, name)  ServiceState { v, service, endpoints } per Service — for the agent's
//                             iptables proxy and its DNS; an empty payload when the service is gone
//   topics.network            NetworkConfig { v, clusterCIDR? }
//   topics.networkNode(name)  NetworkNode { v, name, podCIDR?, addresses } per node — for host-gw
//                             routes; an empty payload when the node is gone
//
// Scale (5,000 nodes, every one subscribed to all of it): one retained topic per Service and per
// node means a change to one service (or its endpoints) or one node sends one small message to each
// node, not the whole set. (One network map message cost O(N) bytes to each of N nodes per join:
// ≈ 800 MB through TLS for the 3,400th join, and sessions collapsed.) A node that reconnects gets
// one message per service and per node from the broker's retained store. A node's entry is
// republished only when its pod CIDR or addresses change — node status writes that touch neither
// (conditions, capacity, heartbeats) publish nothing. Changes mark keys dirty; a flush after
// debounceMs recomputes each once and publishes only if the content changed.
//
// Node entries go out at QoS 0: they are retained, and a session that drops a message also drops
// its connection, and its next connect re-reads every retained entry. That spares the broker and
// each agent a PUBACK per entry per join (N² of them while a fleet joins).
//
// Stale topics: a service or node deleted while the server was down leaves its retained topic
// behind. At start the publisher subscribes to topics.services and topics.networkNodes on the bus
// and clears every retained topic it sees whose object does not exist (the store is fully loaded
// before start, so "does not exist" is known at once; existing ones are overwritten by the first
// flush anyway). With the
// embedded broker this never triggers: aedes keeps retained messages in memory (nothing survives a
// restart), and its in-process subscriptions (aedes-bus) are not sent retained messages. It is for
// an external broker, whose client subscription does get them. The subscription stays until stop;
// it also sees the publisher's own messages, which cost one lookup each and are otherwise ignored.
import { createHash } from 'node:crypto';
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Endpoints, Service } from '../../shared/api/service.js';
import type { NetworkConfig, NetworkMap, NetworkMapNode, NetworkNode, ServiceState } from '../../shared/mqtt/payloads.js';
import { nodeOfNetworkTopic, serviceOfTopic, topics } from '../../shared/mqtt/topics.js';
import type { ObjectService } from '../objects/object-service.js';
import type { Watch } from '../store/types.js';
import type { Bus } from './bus.js';
import { stableJson } from './stable-json.js';

const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface ClusterNetworkOptions {
  debounceMs?: number;
  /** clusterCidr: published in the NetworkConfig as clusterCIDR (the range of all pod CIDRs). */
  clusterCidr?: string;
  /** batch: service topics published concurrently within a flush. */
  batch?: number;
  onError?: (err: unknown, topic: string) => void;
}

export class ClusterNetworkPublisher {
  /** dirty: service keys "ns/name" to recompute. */
  private readonly dirty = new Set<string>();
  /** dirtyNodes: node names whose entry to publish (or clear). */
  private readonly dirtyNodes = new Set<string>();
  private configDirty = false;
  /** published: a hash of each service's last published state. */
  private readonly published = new Map<string, string>();
  /** stale: retained service topics seen on the broker whose service did not exist. */
  private readonly stale = new Set<string>();
  /** staleNodes: retained node topics seen on the broker whose node did not exist. */
  private readonly staleNodes = new Set<string>();
  /** nodes: each node's entry, with its JSON for comparison and whether that JSON is on the broker. */
  private readonly nodes = new Map<string, { entry: NetworkMapNode; json: string; published: boolean }>();
  /** wasPublished: nodes whose entry is on the broker (to clear when they are deleted). */
  private readonly wasPublished = new Set<string>();
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
    this.configDirty = true;
    this.schedule();
    const unsubscribes: (() => Promise<void>)[] = [];
    for (const pattern of [topics.services, topics.networkNodes]) {
      try {
        unsubscribes.push(await this.bus.subscribe(pattern, (topic, payload) => this.onRetained(topic, payload), { retained: true }));
      } catch (err) {
        this.opts.onError?.(err, pattern);
      }
    }
    const unsubscribe = async () => {
      for (const u of unsubscribes) await u();
    };
    if (this.running) this.unsubscribe = unsubscribe;
    else await unsubscribe();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.watches) w.close();
    this.watches = [];
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    this.dirtyNodes.clear();
    this.configDirty = false;
    await unsubscribe?.();
    await this.idle();
  }

  /** idle resolves when nothing waits to be published. */
  idle(): Promise<void> {
    if (!this.timer && !this.flushing && this.dirty.size === 0 && this.dirtyNodes.size === 0 && !this.configDirty) return Promise.resolve();
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

  /** networkMap: the NetworkConfig and every node's entry as one NetworkMap (what an agent assembles). */
  networkMap(): NetworkMap {
    const nodes = [...this.nodes.values()].map((n) => n.entry).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
    const had = this.nodes.get(name);
    if (had?.json === json) return;
    this.nodes.set(name, { entry, json, published: false });
    this.markNodeDirty(name);
  }

  private onRetained(topic: string, payload: Buffer): void {
    if (!this.running || payload.length === 0) return;
    const node = nodeOfNetworkTopic(topic);
    if (node !== undefined) {
      if (this.nodes.has(node)) return;
      this.staleNodes.add(node);
      this.markNodeDirty(node);
      return;
    }
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

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    while (this.dirty.size || this.dirtyNodes.size || this.configDirty) {
      if (this.configDirty) {
        this.configDirty = false;
        await this.publishConfig();
      }
      const names = [...this.dirtyNodes];
      this.dirtyNodes.clear();
      for (let i = 0; i < names.length; i += this.batch) {
        await Promise.all(names.slice(i, i + this.batch).map((n) => this.publishNode(n)));
      }
      const keys = [...this.dirty];
      this.dirty.clear();
      for (let i = 0; i < keys.length; i += this.batch) {
        await Promise.all(keys.slice(i, i + this.batch).map((k) => this.publishService(k)));
      }
    }
    this.flushing = false;
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

  private async publishConfig(): Promise<void> {
    try {
      const config: NetworkConfig = { v: 1, ...(this.opts.clusterCidr ? { clusterCIDR: this.opts.clusterCidr } : {}) };
      await this.bus.publish(topics.network, stableJson(config), { retain: true, qos: 1 });
    } catch (err) {
      this.opts.onError?.(err, topics.network);
    }
  }

  private async publishNode(name: string): Promise<void> {
    const topic = topics.networkNode(name);
    try {
      const n = this.nodes.get(name);
      if (!n) {
        // Cleared only if something may be retained there: a deleted node's entry, or a stale one.
        if (this.staleNodes.delete(name) || this.wasPublished.delete(name)) await this.bus.publish(topic, Buffer.alloc(0), { retain: true, qos: 1 });
        return;
      }
      this.staleNodes.delete(name);
      if (n.published) return;
      const body: NetworkNode = { v: 1, ...n.entry };
      await this.bus.publish(topic, stableJson(body), { retain: true, qos: 0 });
      n.published = true;
      this.wasPublished.add(name);
    } catch (err) {
      this.opts.onError?.(err, topic);
    }
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
