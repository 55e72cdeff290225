// host-gw: the pod network between nodes on one LAN, as flannel's host-gw backend does it. Every
// node routes each other node's pod subnet to that node's address; no encapsulation, no MTU loss,
// nothing to run — what a home lab of Pis on one switch or Wi-Fi network needs. Nodes on
// different networks (no shared L2 segment) need an overlay instead: another PodRoutes.
//
// Bramble's routes carry their own protocol number (`proto 151`), so a sync lists exactly the
// routes it owns, replaces what changed, deletes what is no longer wanted, and an uninstall can
// remove them all without touching anyone else's routes.
import type { Exec } from '../proxy/iptables.js';

/** ROUTE_PROTO tags Bramble's routes (unassigned in /etc/iproute2/rt_protos). */
export const ROUTE_PROTO = '151';

export interface Peer {
  name: string;
  podCIDR?: string;
  /** addresses: the node's addresses, the one to route through first (InternalIP). */
  addresses: string[];
}

/** PodRoutes is the mechanism that makes other nodes' pod subnets reachable. */
export interface PodRoutes {
  /** sync makes the routes match the peers (all nodes; this node is skipped). */
  sync(peers: Peer[]): Promise<RouteSyncResult>;
  /** cleanup removes every route sync made. */
  cleanup(): Promise<void>;
}

export interface RouteSyncResult {
  added: string[]; // "cidr via ip", new or changed
  deleted: string[]; // cidr
  failed: { route: string; error: string }[];
}

/** wantedRoutes is the pure half: pod subnet → gateway for every other node that has both. */
export function wantedRoutes(self: string, peers: Peer[]): Map<string, string> {
  const out = new Map<string, string>();
  const ownCidr = peers.find((p) => p.name === self)?.podCIDR;
  for (const p of [...peers].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const via = p.addresses[0];
    if (p.name === self || !p.podCIDR || !via || p.podCIDR === ownCidr || out.has(p.podCIDR)) continue;
    out.set(p.podCIDR, via);
  }
  return out;
}

/** parseRoutes reads `ip -4 route show proto 151` into cidr → gateway. */
export function parseRoutes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) via (\S+)/.exec(line.trim());
    if (m) out.set(m[1].includes('/') ? m[1] : `${m[1]}/32`, m[2]);
  }
  return out;
}

export class HostGwRoutes implements PodRoutes {
  constructor(
    private readonly exec: Exec,
    private readonly self: string,
  ) {}

  async sync(peers: Peer[]): Promise<RouteSyncResult> {
    const want = wantedRoutes(this.self, peers);
    const have = await this.current();
    const result: RouteSyncResult = { added: [], deleted: [], failed: [] };
    for (const [cidr, via] of want) {
      if (have.get(cidr) === via) continue;
      const r = await this.exec(['ip', 'route', 'replace', cidr, 'via', via, 'proto', ROUTE_PROTO]);
      // A gateway off this node's networks ("Nexthop has invalid gateway") needs an overlay.
      if (r.code === 0) result.added.push(`${cidr} via ${via}`);
      else result.failed.push({ route: `${cidr} via ${via}`, error: r.stderr.trim() });
    }
    for (const cidr of have.keys()) {
      if (want.has(cidr)) continue;
      const r = await this.exec(['ip', 'route', 'del', cidr, 'proto', ROUTE_PROTO]);
      if (r.code === 0) result.deleted.push(cidr);
      else result.failed.push({ route: cidr, error: r.stderr.trim() });
    }
    return result;
  }

  async cleanup(): Promise<void> {
    for (const cidr of (await this.current()).keys()) await this.exec(['ip', 'route', 'del', cidr, 'proto', ROUTE_PROTO]);
  }

  private async current(): Promise<Map<string, string>> {
    const r = await this.exec(['ip', '-4', 'route', 'show', 'proto', ROUTE_PROTO]);
    if (r.code !== 0) throw new Error(`ip route show: ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseRoutes(r.stdout);
  }
}
