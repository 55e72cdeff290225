// node-network: the kube-proxy half of the agent. From the cluster view it keeps three things in
// step on this node, one sync at a time and again whenever the view changed meanwhile:
//   - iptables: Service rules plus the pod network's forward/masquerade rules (proxy/rules.ts),
//     written by an idempotent iptables-restore of the changed chains (proxy/iptables.ts);
//   - routes to the other nodes' pod subnets (host-gw.ts, behind PodRoutes);
//   - the records of this node's cluster DNS server (dns/), which the rules make answer the
//     kube-dns ClusterIP on :53.
// A failed sync is retried; each distinct error is logged once, not every 5 s for a day.
import type { Endpoints, Service } from '../../shared/api/service.js';
import { intToIp, parseCidr } from '../../shared/net/cidr.js';
import type { ClusterSnapshot } from '../cluster-view.js';
import { type AppliedState, cleanupRules, type Exec, syncRules } from '../proxy/iptables.js';
import { computeRules } from '../proxy/rules.js';
import { HostGwRoutes, type PodRoutes } from './host-gw.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_CLUSTER_DNS = '10.43.0.10';
export const DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns' };

const dnsServiceIp = (services: Service[]) =>
  services.find((s) => s.metadata.namespace === DNS_SERVICE.namespace && s.metadata.name === DNS_SERVICE.name)?.spec.clusterIP;

export interface NodeNetworkOptions {
  nodeName: string;
  /** nodeIp: this node's address when the network map does not list it yet. */
  nodeIp: string;
  /** podCidr: a fixed pod subnet (--pod-cidr); otherwise the one in the network map. */
  podCidr?: string;
  exec: Exec;
  snapshot: () => ClusterSnapshot;
  /** dns: sets what this node's DNS server answers (and where it listens); optional in tests. */
  dns?: { serve(gateway: string, services: Service[], endpoints: Endpoints[]): Promise<void>; close?(): Promise<void>; port: number };
  routes?: PodRoutes;
  debounceMs?: number;
  retryMs?: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** onSynced: after each successful sync, with its duration (benchmarks, tests). */
  onSynced?: (ms: number) => void;
}

export class NodeNetwork {
  private applied: AppliedState | undefined;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** logged: the errors of the last sync (logged already); noted: those of the sync under way. */
  private logged = new Set<string>();
  private noted = new Set<string>();
  private readonly routes: PodRoutes;

  constructor(private readonly o: NodeNetworkOptions) {
    this.routes = o.routes ?? new HostGwRoutes(o.exec, o.nodeName);
  }

  /** podCidr is this node's pod subnet: the fixed one, or the server's, or undefined (not yet assigned). */
  podCidr(): string | undefined {
    return this.o.podCidr || this.o.snapshot().network?.nodes.find((n) => n.name === this.o.nodeName)?.podCIDR;
  }

  /** clusterDns is the kube-dns ClusterIP pods get as their nameserver. */
  clusterDns(): string {
    return dnsServiceIp(this.o.snapshot().services) ?? DEFAULT_CLUSTER_DNS;
  }

  /** update asks for a sync soon (changes within debounceMs share one). */
  update(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => void this.run(), this.o.debounceMs ?? 50);
  }

  /** syncNow runs a sync and resolves when no sync is pending. */
  async syncNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.o.dns?.close?.();
  }

  /** cleanup removes every rule and route this agent made (uninstall). */
  async cleanup(): Promise<void> {
    await this.stop();
    await cleanupRules(this.o.exec);
    await this.routes.cleanup();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !this.stopped);
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async syncOnce(): Promise<void> {
    const started = performance.now();
    const snap = this.o.snapshot();
    const self = snap.network?.nodes.find((n) => n.name === this.o.nodeName);
    const podCidr = this.podCidr();
    const dnsIp = dnsServiceIp(snap.services);
    try {
      const gateway = podCidr ? intToIp(parseCidr(podCidr).base + 1) : undefined; // throws on a bad podCIDR from the map
      // DNS first, so the rules never send :53 to a server that is not listening; a DNS server that
      // cannot listen must not hold back the service rules, though.
      if (gateway && this.o.dns) await this.o.dns.serve(gateway, snap.services, snap.endpoints).catch((e) => this.note(`cluster DNS cannot listen on ${gateway}:${this.o.dns?.port}: ${(e as Error).message}`));
      const rules = computeRules({
        services: snap.services,
        endpoints: snap.endpoints,
        node: { name: this.o.nodeName, addresses: self?.addresses.length ? self.addresses : [this.o.nodeIp].filter(Boolean) },
        clusterCidr: snap.network?.clusterCIDR ?? DEFAULT_CLUSTER_CIDR,
        podCidr,
        localDns: gateway && this.o.dns ? { clusterIP: dnsIp ?? DEFAULT_CLUSTER_DNS, ip: gateway, port: this.o.dns.port } : undefined,
      });
      const r = await syncRules(rules, this.o.exec, this.applied);
      this.applied = r.state;
      const routes = await this.routes.sync(snap.network?.nodes ?? []);
      for (const f of routes.failed) this.note(`cannot route ${f.route}: ${f.error} (host-gw needs the nodes on one network)`);
      if (r.written.length || r.deleted.length || routes.added.length || routes.deleted.length) {
        this.o.log.info({ chains: r.written.length, deleted: r.deleted.length, routes: routes.added.length, unrouted: routes.deleted.length }, 'network rules synced');
      }
      this.o.onSynced?.(performance.now() - started);
    } catch (e) {
      this.applied = undefined; // rewrite everything next time: the kernel state is unknown now
      this.note(`cannot sync the network rules: ${(e as Error).message}; retrying`);
      if (!this.stopped) setTimeout(() => this.update(), this.o.retryMs ?? 5_000).unref();
    } finally {
      // an error is logged again only after a sync without it
      this.logged = this.noted;
      this.noted = new Set();
    }
  }

  private note(msg: string): void {
    this.noted.add(msg);
    if (this.logged.has(msg)) return;
    this.logged.add(msg);
    this.o.log.warn({}, msg);
  }
}
