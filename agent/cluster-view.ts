// cluster-view: the agent's copy of what every node needs to know about the whole cluster — all
// Services with their Endpoints (proxy rules, DNS) and every node's pod subnet and address (pod
// routes) — built from the server's retained messages under bramble/v1/cluster/.
//
// MQTT says nothing when a retained topic was cleared while the agent was away, so after each
// (re)connect the view waits until the retained copies have stopped arriving (settleMs of quiet)
// and then drops every service and node it did not hear about again. Until then it only adds and
// updates: a half-received view never deletes the rules of a service that still exists.
//
// The view is saved to DATA_DIR/cluster.json (debounced; it changes with every endpoint), so an
// agent restarted while the server is down still answers DNS and knows its pod subnet.
import { join } from 'node:path';
import type { Endpoints, Service } from '../shared/api/service.js';
import { isNetworkConfig, isNetworkMap, isNetworkNode, isServiceState, type NetworkMap, type NetworkMapNode, type ServiceState } from '../shared/mqtt/payloads.js';
import { nodeOfNetworkTopic, serviceOfTopic, topics } from '../shared/mqtt/topics.js';
import { readIfExists, writeFileAtomic } from './files.js';

export const CLUSTER_FILE = 'cluster.json';

export interface ClusterSnapshot {
  services: Service[];
  endpoints: Endpoints[];
  network?: NetworkMap;
}

export interface ClusterViewOptions {
  dataDir: string;
  onChange: () => void;
  /** settleMs: quiet time after a connect before unseen services and nodes are dropped (default 1.5 s). */
  settleMs?: number;
  /** saveMs: debounce of the disk copy (default 5 s: endpoints churn, SD cards wear). */
  saveMs?: number;
  warn: (msg: string) => void;
}

interface Saved {
  v: 1;
  services: ServiceState[];
  network?: NetworkMap;
}

export class ClusterView {
  private readonly services = new Map<string, ServiceState>();
  /** nodes and clusterCIDR: the network, from topics.networkNode(*) and topics.network. */
  private readonly nodes = new Map<string, NetworkMapNode>();
  private clusterCIDR: string | undefined;
  private heardNetwork = false;
  /** network: the assembled NetworkMap, rebuilt on the next snapshot after a change. */
  private network: NetworkMap | undefined;
  /** seen: services ("ns/name") and nodes ("/node" — no namespace) heard of since the last connect (undefined once settled). */
  private seen: Set<string> | undefined;
  private settleTimer?: NodeJS.Timeout;
  private saveTimer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly o: ClusterViewOptions) {}

  get path(): string {
    return join(this.o.dataDir, CLUSTER_FILE);
  }

  /** load reads the saved view; a missing or unreadable file means an empty one. */
  async load(): Promise<boolean> {
    try {
      const text = await readIfExists(this.path);
      if (!text) return false;
      const s = JSON.parse(text) as Saved;
      for (const st of s.services ?? []) if (isServiceState(st)) this.services.set(key(st.service), st);
      if (isNetworkMap(s.network)) {
        this.heardNetwork = true;
        this.clusterCIDR = s.network.clusterCIDR;
        for (const n of s.network.nodes) this.nodes.set(n.name, n);
      }
      return true;
    } catch (e) {
      this.o.warn(`ignoring unreadable ${this.path}: ${(e as Error).message}`);
      return false;
    }
  }

  snapshot(): ClusterSnapshot {
    const states = [...this.services.values()];
    return {
      services: states.map((s) => s.service),
      endpoints: states.flatMap((s) => (s.endpoints ? [{ ...s.endpoints, metadata: { ...s.endpoints.metadata, namespace: s.service.metadata.namespace } }] : [])),
      network: this.networkMap(),
    };
  }

  /** networkMap: the network as one map, nodes sorted by name; undefined before anything was heard of it. */
  networkMap(): NetworkMap | undefined {
    if (!this.heardNetwork) return undefined;
    this.network ??= {
      v: 1,
      ...(this.clusterCIDR ? { clusterCIDR: this.clusterCIDR } : {}),
      nodes: [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
    return this.network;
  }

  /** connected starts a new round of retained messages. */
  connected(): void {
    this.seen = new Set();
    this.armSettle();
  }

  /** onMessage takes one message on a cluster topic; false if the topic is not one. */
  onMessage(topic: string, payload: Buffer): boolean {
    if (topic === topics.network) {
      const m = parse(payload);
      if (!isNetworkConfig(m)) return this.malformed(topic);
      this.clusterCIDR = m.clusterCIDR;
      this.networkChanged();
      return true;
    }
    const node = nodeOfNetworkTopic(topic);
    if (node !== undefined) return this.onNode(topic, node, payload);
    const id = serviceOfTopic(topic);
    if (!id) return false;
    const k = `${id.namespace}/${id.name}`;
    if (this.seen) this.armSettle();
    if (payload.length === 0) {
      if (this.services.delete(k)) this.changed();
      return true;
    }
    const st = parse(payload);
    if (!isServiceState(st)) return this.malformed(topic);
    this.seen?.add(k);
    this.services.set(k, st);
    this.changed();
    return true;
  }

  private onNode(topic: string, name: string, payload: Buffer): boolean {
    if (this.seen) this.armSettle();
    if (payload.length === 0) {
      if (this.nodes.delete(name)) this.networkChanged();
      return true;
    }
    const m = parse(payload);
    if (!isNetworkNode(m) || m.name !== name) return this.malformed(topic);
    const { v: _, ...entry } = m;
    this.seen?.add(`/${name}`);
    this.nodes.set(name, entry);
    this.networkChanged();
    return true;
  }

  /** flush writes the disk copy now (at shutdown). */
  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.save();
    }
    await this.saving;
  }

  stop(): void {
    clearTimeout(this.settleTimer);
  }

  private armSettle(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.settle(), this.o.settleMs ?? 1_500);
  }

  private settle(): void {
    const seen = this.seen;
    this.seen = undefined;
    if (!seen) return;
    let dropped = false;
    for (const k of [...this.services.keys()]) {
      if (!seen.has(k)) dropped = this.services.delete(k) || dropped;
    }
    let droppedNodes = false;
    for (const name of [...this.nodes.keys()]) {
      if (!seen.has(`/${name}`)) droppedNodes = this.nodes.delete(name) || droppedNodes;
    }
    if (droppedNodes) this.networkChanged();
    else if (dropped) this.changed();
  }

  private networkChanged(): void {
    this.heardNetwork = true;
    this.network = undefined;
    this.changed();
  }

  private changed(): void {
    this.o.onChange();
    if (!this.saveTimer) this.saveTimer = setTimeout(() => this.save(), this.o.saveMs ?? 5_000);
  }

  private save(): void {
    this.saveTimer = undefined;
    const body: Saved = { v: 1, services: [...this.services.values()], network: this.networkMap() };
    this.saving = this.saving
      .then(() => writeFileAtomic(this.path, JSON.stringify(body), 0o600))
      .catch((e) => this.o.warn(`cannot save ${this.path}: ${(e as Error).message}`));
  }

  private malformed(topic: string): boolean {
    this.o.warn(`ignoring a malformed message on ${topic}`);
    return true;
  }
}

const key = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
