// cluster-view: the agent's copy of what every node needs to know about the whole cluster — all
// Services with their Endpoints (proxy rules, DNS) and every node's pod subnet and address (pod
// routes) — built from the server's retained messages under bramble/v1/cluster/.
//
// MQTT says nothing when a retained topic was cleared while the agent was away, so after each
// (re)connect the view waits until the retained copies have stopped arriving (settleMs of quiet)
// and then drops every service it did not hear about again. Until then it only adds and updates:
// a half-received view never deletes the rules of a service that still exists. The nodes' network
// entries come as a snapshot plus numbered changes instead (network-sync.ts).
//
// The view is saved to DATA_DIR/cluster.json (debounced; it changes with every endpoint), so an
// agent restarted while the server is down still answers DNS and knows its pod subnet.
import { join } from 'node:path';
import type { Endpoints, Service } from '../shared/api/service.js';
import { isNetworkChanges, isNetworkMap, isNetworkSnapshot, isServiceState, type NetworkMap, type ServiceState } from '../shared/mqtt/payloads.js';
import { serviceOfTopic, topics } from '../shared/mqtt/topics.js';
import { readIfExists, writeFileAtomic } from './files.js';
import { NetworkSync } from './network-sync.js';

export const CLUSTER_FILE = 'cluster.json';

export interface ClusterSnapshot {
  services: Service[];
  endpoints: Endpoints[];
  network?: NetworkMap;
}

export interface ClusterViewOptions {
  dataDir: string;
  onChange: () => void;
  /** requestNetworkSnapshot: read the network snapshot again (Link.requestNetworkSnapshot). */
  requestNetworkSnapshot: () => void;
  /** settleMs: quiet time after a connect before unseen services are dropped (default 1.5 s). */
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
  private readonly network: NetworkSync;
  /** seen: services heard of since the last connect (undefined once settled). */
  private seen: Set<string> | undefined;
  private settleTimer?: NodeJS.Timeout;
  private saveTimer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly o: ClusterViewOptions) {
    this.network = new NetworkSync({ request: o.requestNetworkSnapshot, onChange: () => this.changed() });
  }

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
      if (isNetworkMap(s.network)) this.network.load(s.network);
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
      network: this.network.networkMap(),
    };
  }

  /** connected starts a new round of retained messages. */
  connected(): void {
    this.seen = new Set();
    this.armSettle();
    this.network.connected();
  }

  /** onMessage takes one message on a cluster topic; false if the topic is not one. */
  onMessage(topic: string, payload: Buffer): boolean {
    if (topic === topics.networkSnapshot) {
      const m = parse(payload);
      if (payload.length === 0) return true; // cleared: nothing to read
      if (!isNetworkSnapshot(m)) return this.malformed(topic);
      this.network.onSnapshot(m);
      return true;
    }
    if (topic === topics.networkChanges) {
      const m = parse(payload);
      if (!isNetworkChanges(m)) return this.malformed(topic);
      this.network.onChanges(m);
      return true;
    }
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
    this.network.stop();
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
    if (dropped) this.changed();
  }

  private changed(): void {
    this.o.onChange();
    if (!this.saveTimer) this.saveTimer = setTimeout(() => this.save(), this.o.saveMs ?? 5_000);
  }

  private save(): void {
    this.saveTimer = undefined;
    const body: Saved = { v: 1, services: [...this.services.values()], network: this.network.networkMap() };
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
