// backends: the ready endpoints (ip:port) that serve one service port, resolved from an
// Endpoints object the way kube-proxy matches them — by the service port's name — with the
// targetPort's name and the single unnamed port as fallbacks. notReadyAddresses never serve.
import type { EndpointPort, Endpoints, ServicePort } from '../../shared/api/service.js';

export interface Backend {
  ip: string;
  port: number;
  local: boolean; // runs on this node (externalTrafficPolicy Local keeps only these)
}

// isIPv4 guards the rules against addresses iptables (v4) cannot take; Bramble's proxy is IPv4 only.
export const isIPv4 = (ip: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);

// pickPort finds the endpoint port number serving sp in one subset, or undefined.
export function pickPort(ports: EndpointPort[], sp: ServicePort): number | undefined {
  const proto = sp.protocol ?? 'TCP';
  if (ports.length === 0) return typeof sp.targetPort === 'string' ? undefined : (sp.targetPort ?? sp.port);
  const same = ports.filter((p) => (p.protocol ?? 'TCP') === proto);
  const byName = sp.name ? same.find((p) => p.name === sp.name) : undefined;
  if (byName) return byName.port;
  if (typeof sp.targetPort === 'string') return same.find((p) => p.name === sp.targetPort)?.port;
  if (!sp.name) return (same.find((p) => !p.name) ?? (same.length === 1 ? same[0] : undefined))?.port;
  return undefined;
}

const ipKey = (ip: string) => ip.split('.').map((o) => o.padStart(3, '0')).join('.');

// backendsFor lists the ready backends of sp, deduplicated and sorted by address then port.
export function backendsFor(eps: Endpoints | undefined, sp: ServicePort, nodeName: string): Backend[] {
  const seen = new Map<string, Backend>();
  for (const subset of eps?.subsets ?? []) {
    const port = pickPort(subset.ports ?? [], sp);
    if (port === undefined) continue;
    for (const a of subset.addresses ?? []) {
      if (!isIPv4(a.ip)) continue;
      seen.set(`${a.ip}:${port}`, { ip: a.ip, port, local: a.nodeName === nodeName });
    }
  }
  return [...seen.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : ipKey(a.ip) < ipKey(b.ip) ? -1 : 1));
}
