// service-lb-logic: the pure half of the LoadBalancer controller. Bramble has no cloud load
// balancer: a `type: LoadBalancer` service is served on its port by every node (the agents' proxy),
// so its status.loadBalancer.ingress lists every node's InternalIP, as k3s' ServiceLB (klipper-lb)
// does. A service of another type has no ingress; a service with spec.loadBalancerClass belongs to
// another implementation and is left alone, as Kubernetes' service controller does.
import type { Node } from '../../shared/api/core.js';
import type { Service } from '../../shared/api/service.js';
import { ipToInt } from '../../shared/net/cidr.js';

export type Ingress = { ip: string }[];

/** nodeIngressIp is the address a node serves load balancers on: its first InternalIP, none while it is being deleted. */
export function nodeIngressIp(n: Node): string | undefined {
  if (n.metadata.deletionTimestamp) return undefined;
  return n.status?.addresses?.find((a) => a?.type === 'InternalIP' && typeof a.address === 'string' && a.address)?.address;
}

/** ingressOf turns node addresses into an ingress list: deduplicated, sorted (IPv4 numerically, before anything else). */
export function ingressOf(ips: Iterable<string | undefined>): Ingress {
  const unique = [...new Set([...ips].filter((ip): ip is string => !!ip))];
  unique.sort((a, b) => {
    const x = ipToInt(a);
    const y = ipToInt(b);
    if (x !== undefined && y !== undefined) return x - y;
    if (x !== undefined) return -1;
    if (y !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return unique.map((ip) => ({ ip }));
}

/** managesService: whether this controller owns the service's status.loadBalancer at all. */
export function managesService(svc: Service): boolean {
  return !svc.spec?.loadBalancerClass;
}

/** isLoadBalancer: a service this controller gives the nodes' addresses. */
export function isLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && managesService(svc);
}

/** desiredIngress: what status.loadBalancer.ingress should be; undefined to leave the service alone. */
export function desiredIngress(svc: Service, nodes: Ingress): Ingress | undefined {
  if (!managesService(svc)) return undefined;
  return isLoadBalancer(svc) ? nodes : [];
}

/** ingressChanged: whether the service's current ingress differs from want (none and [] are equal). */
export function ingressChanged(svc: Service, want: Ingress): boolean {
  const have = svc.status?.loadBalancer?.ingress ?? [];
  return JSON.stringify(have) !== JSON.stringify(want);
}

/** applyIngress sets status.loadBalancer to want (an empty object when there is no ingress). */
export function applyIngress<T extends Service>(svc: T, want: Ingress): T {
  const loadBalancer = want.length ? { ingress: want.map((i) => ({ ...i })) } : {};
  return { ...svc, status: { ...(svc.status ?? {}), loadBalancer } };
}
