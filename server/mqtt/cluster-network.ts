// cluster-network: what every agent needs about the whole cluster, published retained so an agent
// that (re)connects gets all of it at once:
//
//   topics.service(ns, name)  ServiceState { v, service, endpoints } per Service — for the agent's
//                             iptables proxy and its DNS; an empty payload when the service is gone
//   topics.networkMap         NetworkMap { v, clusterCIDR?, nodes: [{ name, podCIDR?, addresses }] }
//                             — every node's pod subnet and addresses, for host-gw routes
//
// Scale (5,000 nodes, every one subscribed to all services): one retained topic per Service means
// a change to one service (or its endpoints) sends one small message to each node, not the whole
// set; a node that reconnects gets one message per service from the broker's retained store. The
// network map is one message, since every node routes to every other; it is republished only when
// a node's pod CIDR or addresses change (a node added or deleted) — node status writes that touch
// neither (conditions, capacity, heartbeats) publish nothing. Changes mark keys dirty; a flush after
// debounceMs recomputes each once and publishes only if the content hash changed.
//
// Stale topics: a service deleted while the server was down leaves its retained topic behind. At
// start the publisher subscribes to topics.services on the bus and clears every retained service
// topic it sees whose service does not exist (the store is fully loaded before start, so "does not
// exist" is known at once; existing ones are overwritten by the first flush anyway). With the
// embedded broker this never triggers: aedes keeps retained messages in memory (nothing survives a
// restart), and its in-process subscriptions (aedes-bus) are not sent retained messages. It is for
// an external broker, whose client subscription does get them. The subscription stays until stop;
// it also sees the publisher's own messages, which cost one lookup each and are otherwise ignored.
import { createHash } from 'node:crypto';
import type { Node } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource } from '../../shared/api/resources.js';
import type { Endpoints, Service } from '../../shared/api/service.js';
import type { NetworkMap, NetworkMapNode, ServiceState } from '../../shared/mqtt/payloads.js';
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
  /** clusterCidr: published in the network map as clusterCIDR (the range of all pod CIDRs). */
  clusterCidr?: string;
  /** batch: service topics published concurrently within a flush. */
  batch?: number;
  onError?: (err: unknown, topic: string) => void;
}

export class ClusterNetworkPublisher {
  /** dirty: service keys "ns/name" to recompute. */
  private readonly dirty = new Set<string>();
  private networkDirty = false;
  /** published: a hash of each service's last published state. */
  private readonly published = new Map<string, string>();
  /** stale: retained service topics seen on the broker whose service did not exist. */
  private readonly stale = new Set<string>();
  /** nodes: each node's entry of the network map, with its JSON for comparison. */
  private readonly nodes = new Map<string, { entry: NetworkMapNode; json: string }>();
  private networkHash?: string;
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
    // A map with no nodes is still published, so a retained map from before a restart is replaced.
    this.markNetworkDirty();
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
    this.dirty.clear();
    this.networkDirty = false;
    await unsubscribe?.();
    await this.idle();
  }

  /** idle resolves when nothing waits to be published. */
  idle(): Promise<void> {
    if (!this.timer && !this.flushing && this.dirty.size === 0 && !this.networkDirty) return Promise.resolve();
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

  /** networkMap computes the NetworkMap (without publishing it). */
  networkMap(): NetworkMap {
    const nodes = [...this.nodes.values()].map((n) => n.entry).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { v: 1, ...(this.opts.clusterCidr ? { clusterCIDR: this.opts.clusterCidr } : {}), nodes };
  }

  private onNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', n: Node): void {
    const name = n.metadata.name!;
    if (type === 'DELETED') {
      if (this.nodes.delete(name)) this.markNetworkDirty();
      return;
    }
    const entry = networkEntry(n);
    const json = JSON.stringify(entry);
    if (this.nodes.get(name)?.json === json) return;
    this.nodes.set(name, { entry, json });
    this.markNetworkDirty();
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

  private markNetworkDirty(): void {
    this.networkDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer && !this.flushing && this.running) this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    while (this.dirty.size || this.networkDirty) {
      if (this.networkDirty) {
        this.networkDirty = false;
        await this.publishNetworkMap();
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

  private async publishNetworkMap(): Promise<void> {
    try {
      const body = stableJson(this.networkMap());
      const hash = digest(body);
      if (this.networkHash === hash) return;
      await this.bus.publish(topics.networkMap, body, { retain: true, qos: 1 });
      this.networkHash = hash;
    } catch (err) {
      this.opts.onError?.(err, topics.networkMap);
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
