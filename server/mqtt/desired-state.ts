// desired-state: what each node should run, published retained on topics.desired(node) so an
// agent that (re)connects gets it at once: { v, revision, pods, configMaps, secrets } with the
// pods bound to the node (metadata and spec; status is the agent's to report) and only the
// ConfigMaps and Secrets those pods reference.
//
// Scale (5,000 nodes, 50,000 pods): pods are indexed by node and references by object, so a
// change touches only the nodes it concerns. Changes mark nodes dirty; a flush after debounceMs
// recomputes each dirty node once and publishes only if the content changed (a pod's status
// updates, or a rewrite with equal data, publish nothing). A deleted Node with no pods left has
// its retained message cleared (an empty payload).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../shared/api/meta.js';
import { findResource, type ResourceInfo } from '../../shared/api/resources.js';
import { topics } from '../../shared/mqtt/topics.js';
import type { ObjectService } from '../objects/object-service.js';
import type { Watch } from '../store/types.js';
import type { Bus } from './bus.js';
import { podReferences } from './references.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

export interface DesiredStateOptions {
  debounceMs?: number;
  /** batch: nodes published concurrently within a flush. */
  batch?: number;
  onError?: (err: unknown, node: string) => void;
}

interface Indexed {
  node: string;
  refs: string[];
}

export class DesiredStatePublisher {
  private readonly podsOfNode = new Map<string, Set<string>>();
  private readonly pods = new Map<string, Indexed>();
  /** nodesOfRef: "configmaps/ns/name" or "secrets/ns/name" → node → how many of its pods use it. */
  private readonly nodesOfRef = new Map<string, Map<string, number>>();
  private readonly dirty = new Set<string>();
  /** published: a hash of each node's last published content. */
  private readonly published = new Map<string, string>();
  /** deletedNodes: Nodes deleted since their last flush. */
  private readonly deletedNodes = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private waiters: (() => void)[] = [];
  private watches: Watch[] = [];
  private running = false;
  private readonly debounceMs: number;
  private readonly batch: number;

  constructor(
    private readonly objects: ObjectService,
    private readonly bus: Bus,
    private readonly opts: DesiredStateOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 20;
    this.batch = opts.batch ?? 200;
  }

  start(): void {
    this.running = true;
    const refChanged = (resource: string) => (_type: string, o: KubeObject) => {
      for (const node of this.nodesOfRef.get(`${resource}/${o.metadata.namespace}/${o.metadata.name}`)?.keys() ?? []) this.markDirty(node);
    };
    this.watches.push(
      this.objects.watch(PODS, {}, (type, p) => this.onPod(type, p)),
      this.objects.watch(NODES, {}, (type, n) => this.onNode(type, n.metadata.name!)),
      this.objects.watch(CONFIGMAPS, {}, refChanged('configmaps')),
      this.objects.watch(SECRETS, {}, refChanged('secrets')),
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.watches) w.close();
    this.watches = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    await this.idle();
  }

  /** idle resolves when no node waits to be published. */
  idle(): Promise<void> {
    if (!this.timer && !this.flushing && this.dirty.size === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** desiredState computes a node's state (without publishing it). */
  desiredState(node: string): { pods: KubeObject[]; configMaps: KubeObject[]; secrets: KubeObject[] } {
    const pods: KubeObject[] = [];
    const cms = new Set<string>();
    const secrets = new Set<string>();
    for (const key of [...(this.podsOfNode.get(node) ?? [])].sort()) {
      const [ns, name] = splitKey(key);
      const pod = this.objects.find(PODS, ns, name);
      if (pod?.spec?.nodeName !== node) continue;
      const { status: _, ...desired } = pod;
      pods.push(bare(desired));
      const refs = podReferences(pod);
      for (const n of refs.configMaps) cms.add(`${ns}/${n}`);
      for (const n of refs.secrets) secrets.add(`${ns}/${n}`);
    }
    return { pods, configMaps: this.lookup(CONFIGMAPS, cms), secrets: this.lookup(SECRETS, secrets) };
  }

  private lookup(info: ResourceInfo, keys: Set<string>): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of [...keys].sort()) {
      const [ns, name] = splitKey(key);
      const o = this.objects.find(info, ns, name);
      if (o) out.push(bare(o));
    }
    return out;
  }

  private onNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', name: string): void {
    if (type === 'MODIFIED') return;
    if (type === 'DELETED') this.deletedNodes.add(name);
    else this.deletedNodes.delete(name);
    this.markDirty(name);
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? '';
    const key = `${ns}/${pod.metadata.name}`;
    const before = this.pods.get(key);
    if (before) {
      this.unindex(key, before);
      this.markDirty(before.node);
    }
    const node: string | undefined = type === 'DELETED' ? undefined : pod.spec?.nodeName || undefined;
    if (!node) return;
    const r = podReferences(pod);
    const refs = [...r.configMaps.map((n) => `configmaps/${ns}/${n}`), ...r.secrets.map((n) => `secrets/${ns}/${n}`)];
    this.pods.set(key, { node, refs });
    const set = this.podsOfNode.get(node) ?? new Set();
    this.podsOfNode.set(node, set.add(key));
    for (const ref of refs) {
      const nodes = this.nodesOfRef.get(ref) ?? new Map<string, number>();
      this.nodesOfRef.set(ref, nodes.set(node, (nodes.get(node) ?? 0) + 1));
    }
    this.markDirty(node);
  }

  private unindex(key: string, i: Indexed): void {
    this.pods.delete(key);
    const set = this.podsOfNode.get(i.node);
    set?.delete(key);
    if (set?.size === 0) this.podsOfNode.delete(i.node);
    for (const ref of i.refs) {
      const nodes = this.nodesOfRef.get(ref);
      const n = (nodes?.get(i.node) ?? 0) - 1;
      if (n > 0) nodes!.set(i.node, n);
      else nodes?.delete(i.node);
      if (nodes?.size === 0) this.nodesOfRef.delete(ref);
    }
  }

  private markDirty(node: string): void {
    this.dirty.add(node);
    if (!this.timer && !this.flushing && this.running) this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    while (this.dirty.size) {
      const nodes = [...this.dirty];
      this.dirty.clear();
      for (let i = 0; i < nodes.length; i += this.batch) {
        await Promise.all(nodes.slice(i, i + this.batch).map((n) => this.publish(n)));
      }
    }
    this.flushing = false;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private async publish(node: string): Promise<void> {
    try {
      if (this.deletedNodes.delete(node) && !this.podsOfNode.has(node)) {
        this.published.delete(node);
        await this.bus.publish(topics.desired(node), Buffer.alloc(0), { retain: true, qos: 1 });
        return;
      }
      const body = JSON.stringify(this.desiredState(node));
      const hash = createHash('sha256').update(body).digest('base64');
      if (this.published.get(node) === hash) return;
      // The revision goes in front of the content, which is what the hash compares.
      const payload = `{"v":1,"revision":${this.objects.store.revision},${body.slice(1)}`;
      await this.bus.publish(topics.desired(node), payload, { retain: true, qos: 1 });
      this.published.set(node, hash);
    } catch (err) {
      this.opts.onError?.(err, node);
    }
  }
}

// bare: an object as the agent gets it, without the store's bookkeeping (resourceVersion changes
// on every write, even one that changes nothing the agent uses).
function bare(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
