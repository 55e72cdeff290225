// services: `kubectl get services` columns — type, cluster IP, external IP (LoadBalancer ingress,
// "<pending>" until it has one) and ports ("80/TCP", "80:30080/TCP" with a node port).
import type { KubeObject } from '../../../shared/api/meta.js';
import { ageColumn, column, formatLabels, nameColumn, since, wide } from './format.js';
import type { Cell, RowContext, TablePrinter } from './types.js';

interface ServicePort {
  port: number;
  nodePort?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  ports?: ServicePort[];
  selector?: Record<string, string>;
}

interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

/** loadBalancerAddresses lists ingress IPs (or hostnames), sorted and de-duplicated like
 *  sets.String; kube-apiserver prints wide, so nothing is clipped to 16 characters. */
function loadBalancerAddresses(ingress: LoadBalancerIngress[] | undefined): string[] {
  const all = (ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
  return [...new Set(all)].sort();
}

export function externalIP(spec: ServiceSpec, ingress: LoadBalancerIngress[] | undefined): string {
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(ingress);
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function portsString(ports: ServicePort[] | undefined): string {
  const parts = (ports ?? []).map((p) => {
    const proto = p.protocol ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  });
  return parts.join(',') || '<none>';
}

export const services: TablePrinter = {
  columns: [
    nameColumn,
    column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn,
    wide(column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.')),
  ],
  cells(obj: KubeObject, { now }: RowContext): Cell[] {
    const spec: ServiceSpec = obj.spec ?? {};
    return [
      obj.metadata.name ?? '',
      spec.type ?? 'ClusterIP',
      spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
      externalIP(spec, obj.status?.loadBalancer?.ingress),
      portsString(spec.ports),
      since(obj.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};
