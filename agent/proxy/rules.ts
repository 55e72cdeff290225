// rules: computeRules, the pure half of Bramble's proxy — services and endpoints in, the nat and
// filter table content out, laid out as kube-proxy's iptables mode does (KUBE-* → BRAMBLE-*):
//
//   PREROUTING, OUTPUT ─► BRAMBLE-SERVICES ─┬─ -d VIP --dport P ─────────► BRAMBLE-SVC-x ─┬─► BRAMBLE-SEP-a (DNAT)
//                                           ├─ -d nodeIP/extIP --dport P ─► BRAMBLE-EXT-x ─┤   (1/n, 1/(n-1), …, 1)
//                                           └─ dst-type LOCAL ─► BRAMBLE-NODEPORTS ─► EXT ─┘   Local: ─► BRAMBLE-SVL-x
//   POSTROUTING ─► BRAMBLE-POSTROUTING: MASQUERADE what BRAMBLE-MARK-MASQ marked (0x4000)
//   filter: BRAMBLE-SERVICES (OUTPUT, FORWARD) and BRAMBLE-EXTERNAL-SERVICES (INPUT, FORWARD)
//           REJECT ports of services without ready endpoints; DROP external traffic of an
//           externalTrafficPolicy Local service without endpoints on this node.
//
//   pod network (with podCidr): filter BRAMBLE-FORWARD (from DOCKER-USER) accepts pod traffic
//           between nodes; BRAMBLE-POSTROUTING masquerades pod traffic leaving the cluster CIDR
//   cluster DNS (with localDns): its ClusterIP:53 goes to this node's DNS server, not endpoints
//
// Masquerade: cluster IP traffic from outside the cluster CIDR (the node itself), external
// traffic with policy Cluster, and hairpin traffic (an endpoint reaching itself). Policy Local
// keeps the client's address and serves it from this node's endpoints only.
// IPv4 only; headless and ExternalName services get no rules.
import { type Backend, backendsFor, isIPv4 } from './backends.js';
import {
  EXTERNAL_SERVICES, FORWARD, MARK_MASQ, MASQ_MARK, NODEPORTS, POSTROUTING, SERVICES,
  extChain, sepChain, servicePortKey, svcChain, svlChain,
} from './names.js';
import { type Chain, compareChains, type RuleSet, type Table } from './ruleset.js';
import type { Endpoints, Service, ServicePort } from '../../shared/api/service.js';

export interface ProxyInput {
  services: Service[];
  endpoints: Endpoints[];
  node: { name: string; addresses: string[] };
  clusterCidr: string;
  /**
   * podCidr: this node's pod subnet. With it the rules also forward traffic between pod subnets
   * and masquerade pod traffic leaving the cluster (the pod network's share of the firewall).
   */
  podCidr?: string;
  /**
   * localDns: the cluster DNS service is answered by this node's own DNS server, not by
   * endpoints, so name lookups keep working on a node cut off from the rest of the site.
   */
  localDns?: { clusterIP: string; ip: string; port: number };
}

export const DEFAULT_AFFINITY_SECONDS = 10800;
const ALL_ONES = '255.255.255.255';

// Builder collects chains; `define` creates a chain once, `add` appends a rule.
class Builder {
  private readonly chains = new Map<string, Chain>();
  define(table: Table, name: string): Chain {
    const key = `${table}/${name}`;
    const found = this.chains.get(key);
    if (found) return found;
    const c: Chain = { table, name, rules: [] };
    this.chains.set(key, c);
    return c;
  }
  has(table: Table, name: string): boolean {
    return this.chains.has(`${table}/${name}`);
  }
  add(table: Table, name: string, rule: string[]): void {
    this.define(table, name).rules.push(rule);
  }
  result(): RuleSet {
    return { chains: [...this.chains.values()].sort(compareChains) };
  }
}

const comment = (text: string) => ['-m', 'comment', '--comment', text];

// PortCtx is everything the rules of one service port need.
interface PortCtx {
  key: string; // ns/name:port/proto
  proto: string; // tcp | udp | sctp
  svc: string; // its BRAMBLE-SVC chain
  affinitySeconds?: number;
  clusterCidr: string;
}

// computeRules returns the nat and filter chains for this node. Deterministic: services are
// taken in namespace/name order, ports in spec order, endpoints by address.
export function computeRules(input: ProxyInput): RuleSet {
  const b = new Builder();
  for (const [t, name] of [['nat', SERVICES], ['nat', NODEPORTS], ['filter', SERVICES], ['filter', EXTERNAL_SERVICES], ['filter', FORWARD]] as const) b.define(t, name);
  b.add('nat', MARK_MASQ, ['-j', 'MARK', '--or-mark', MASQ_MARK]);
  if (input.podCidr) podNetworkRules(b, input.podCidr, input.clusterCidr);
  b.add('nat', POSTROUTING, ['-m', 'mark', '!', '--mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j', 'RETURN']);
  b.add('nat', POSTROUTING, ['-j', 'MARK', '--xor-mark', MASQ_MARK]);
  b.add('nat', POSTROUTING, [...comment('bramble service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully']);

  const byName = new Map(input.endpoints.map((e) => [`${e.metadata.namespace ?? 'default'}/${e.metadata.name}`, e]));
  const dns = input.localDns;
  if (dns) {
    for (const proto of ['udp', 'tcp']) {
      b.add('nat', SERVICES, [...comment('cluster DNS, served on this node'), '-d', `${dns.clusterIP}/32`, '-p', proto, '-m', proto, '--dport', '53', '-j', 'DNAT', '--to-destination', `${dns.ip}:${dns.port}`]);
    }
  }
  const services = input.services
    .filter((s) => hasClusterIP(s) && s.spec.clusterIP !== dns?.clusterIP)
    .sort((x, y) => (nsName(x) < nsName(y) ? -1 : nsName(x) > nsName(y) ? 1 : 0));
  for (const svc of services) {
    for (const sp of svc.spec.ports ?? []) servicePortRules(b, svc, sp, byName.get(nsName(svc)), input);
  }
  b.add('nat', SERVICES, [...comment('bramble service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', NODEPORTS]);
  return b.result();
}

// podNetworkRules accepts forwarded traffic from and to pod subnets (Docker drops traffic into
// its bridges from outside) and masquerades pod traffic that leaves the cluster CIDR; traffic
// between pods keeps its pod source address.
function podNetworkRules(b: Builder, podCidr: string, clusterCidr: string): void {
  b.add('filter', FORWARD, [...comment('bramble pod traffic'), '-s', clusterCidr, '-j', 'ACCEPT']);
  b.add('filter', FORWARD, [...comment('bramble pod traffic'), '-d', clusterCidr, '-j', 'ACCEPT']);
  b.add('nat', POSTROUTING, [...comment('bramble pod traffic leaving the cluster'), '-s', podCidr, '!', '-d', clusterCidr, '-j', 'MASQUERADE']);
}

const nsName = (s: Service) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;

// hasClusterIP is false for headless (clusterIP None) and ExternalName services.
function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return s.spec?.type !== 'ExternalName' && !!ip && ip !== 'None' && isIPv4(ip);
}

function servicePortRules(b: Builder, svc: Service, sp: ServicePort, eps: Endpoints | undefined, input: ProxyInput): void {
  const proto = (sp.protocol ?? 'TCP').toLowerCase();
  const key = servicePortKey(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '', sp.name || sp.port, proto);
  const affinity = svc.spec.sessionAffinity === 'ClientIP';
  const ctx: PortCtx = {
    key, proto, svc: svcChain(key), clusterCidr: input.clusterCidr,
    affinitySeconds: affinity ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined,
  };
  const vip = svc.spec.clusterIP!;
  const nodePort = nodePortOf(svc, sp);
  const externals = externalDestinations(svc, input.node.addresses);
  const backends = backendsFor(eps, sp, input.node.name);
  if (backends.length === 0) {
    rejectAll(b, ctx, vip, sp.port, nodePort, externals);
    return;
  }

  b.add('nat', SERVICES, [...comment(`${key} cluster IP`), ...dst(ctx, vip, sp.port), '-j', ctx.svc]);
  b.add('nat', ctx.svc, [...comment(`${key} cluster IP`), '!', '-s', ctx.clusterCidr, ...dst(ctx, vip, sp.port), '-j', MARK_MASQ]);
  balance(b, ctx, ctx.svc, backends);
  if (nodePort === undefined && externals.length === 0) return;

  const ext = extChain(key);
  externalEntry(b, ctx, ext, svc.spec.externalTrafficPolicy === 'Local', backends, sp.port, nodePort, externals);
  if (nodePort !== undefined) b.add('nat', NODEPORTS, [...comment(`${key} node port`), '-p', proto, '-m', proto, '--dport', String(nodePort), '-j', ext]);
  for (const ip of externals) b.add('nat', SERVICES, [...comment(`${key} external IP`), ...dst(ctx, ip, sp.port), '-j', ext]);
}

const dst = (ctx: PortCtx, ip: string, port: number) => ['-d', `${ip}/32`, '-p', ctx.proto, '-m', ctx.proto, '--dport', String(port)];

// nodePortOf is the port's node port for NodePort and LoadBalancer services (30000–32767).
function nodePortOf(svc: Service, sp: ServicePort): number | undefined {
  const t = svc.spec.type;
  if (t !== 'NodePort' && t !== 'LoadBalancer') return undefined;
  return sp.nodePort !== undefined && sp.nodePort >= 30000 && sp.nodePort <= 32767 ? sp.nodePort : undefined;
}

// externalDestinations: externalIPs, and for LoadBalancer every node address plus the ingress IPs.
function externalDestinations(svc: Service, nodeAddresses: string[]): string[] {
  const ips = new Set(svc.spec.externalIPs ?? []);
  if (svc.spec.type === 'LoadBalancer') {
    for (const a of nodeAddresses) ips.add(a);
    for (const i of svc.status?.loadBalancer?.ingress ?? []) if (i.ip) ips.add(i.ip);
  }
  return [...ips].filter(isIPv4).sort();
}

// balance jumps from chain to one endpoint chain per backend: first the ClientIP affinity
// checks, then random choice with probability 1/n, 1/(n-1), …, the last rule unconditional.
function balance(b: Builder, ctx: PortCtx, chain: string, backends: Backend[]): void {
  const seps = backends.map((be) => ({ be, sep: sepChain(ctx.key, `${be.ip}:${be.port}`) }));
  for (const { be, sep } of seps) endpointChain(b, ctx, sep, be);
  if (ctx.affinitySeconds !== undefined) {
    for (const { be, sep } of seps) {
      b.add('nat', chain, [...comment(`${ctx.key} -> ${be.ip}:${be.port}`), '-m', 'recent', '--name', sep, '--mask', ALL_ONES, '--rsource', '--rcheck', '--seconds', String(ctx.affinitySeconds), '--reap', '-j', sep]);
    }
  }
  seps.forEach(({ be, sep }, i) => {
    const left = seps.length - i;
    const random = left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(10)] : [];
    b.add('nat', chain, [...comment(`${ctx.key} -> ${be.ip}:${be.port}`), ...random, '-j', sep]);
  });
}

// endpointChain DNATs to one backend; a backend reaching itself (hairpin) is masqueraded.
function endpointChain(b: Builder, ctx: PortCtx, sep: string, be: Backend): void {
  if (b.has('nat', sep)) return;
  const remember = ctx.affinitySeconds !== undefined ? ['-m', 'recent', '--name', sep, '--mask', ALL_ONES, '--rsource', '--set'] : [];
  b.add('nat', sep, [...comment(ctx.key), '-s', `${be.ip}/32`, '-j', MARK_MASQ]);
  b.add('nat', sep, [...comment(ctx.key), '-p', ctx.proto, '-m', ctx.proto, ...remember, '-j', 'DNAT', '--to-destination', `${be.ip}:${be.port}`]);
}

// externalEntry fills BRAMBLE-EXT-x. Policy Cluster: masquerade, then any endpoint. Policy Local:
// pods and the node itself still reach every endpoint (the node's traffic masqueraded), outside
// clients only this node's endpoints, unmasqueraded — or a DROP if it has none.
function externalEntry(b: Builder, ctx: PortCtx, ext: string, local: boolean, backends: Backend[], port: number, nodePort: number | undefined, externals: string[]): void {
  if (!local) {
    b.add('nat', ext, [...comment(`masquerade traffic for ${ctx.key} external destinations`), '-j', MARK_MASQ]);
    b.add('nat', ext, ['-j', ctx.svc]);
    return;
  }
  b.add('nat', ext, [...comment(`pod traffic for ${ctx.key} external destinations`), '-s', ctx.clusterCidr, '-j', ctx.svc]);
  b.add('nat', ext, [...comment(`masquerade LOCAL traffic for ${ctx.key} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', MARK_MASQ]);
  b.add('nat', ext, [...comment(`route LOCAL traffic for ${ctx.key} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', ctx.svc]);
  const locals = backends.filter((be) => be.local);
  if (locals.length > 0) {
    const svl = svlChain(ctx.key);
    balance(b, ctx, svl, locals);
    b.add('nat', ext, ['-j', svl]);
    return;
  }
  const why = [...comment(`${ctx.key} has no local endpoints`)];
  if (nodePort !== undefined) b.add('filter', EXTERNAL_SERVICES, [...why, '-m', 'addrtype', '--dst-type', 'LOCAL', '-p', ctx.proto, '-m', ctx.proto, '--dport', String(nodePort), '-j', 'DROP']);
  for (const ip of externals) b.add('filter', EXTERNAL_SERVICES, [...why, ...dst(ctx, ip, port), '-j', 'DROP']);
}

// rejectAll answers every port of a service without ready endpoints with "connection refused"
// (ICMP port unreachable) instead of letting the client time out.
function rejectAll(b: Builder, ctx: PortCtx, vip: string, port: number, nodePort: number | undefined, externals: string[]): void {
  const reject = ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];
  const why = comment(`${ctx.key} has no endpoints`);
  b.add('filter', SERVICES, [...why, ...dst(ctx, vip, port), ...reject]);
  for (const ip of externals) b.add('filter', EXTERNAL_SERVICES, [...why, ...dst(ctx, ip, port), ...reject]);
  if (nodePort !== undefined) b.add('filter', EXTERNAL_SERVICES, [...why, '-m', 'addrtype', '--dst-type', 'LOCAL', '-p', ctx.proto, '-m', ctx.proto, '--dport', String(nodePort), ...reject]);
}
