// service: ClusterIP and NodePort allocation. Allocation reads the current services, so an IP or
// port is free again as soon as its service is deleted, and a restart needs no separate bitmap.
import { invalid } from '../../api/errors.js';
import type { KubeObject } from '../../../shared/api/meta.js';
import { cidrContains, cidrSize, intToIp, ipToInt, parseCidr } from '../../../shared/net/cidr.js';
import type { KindStrategy, StrategyContext } from './strategy.js';

export interface ServiceNetwork {
  serviceCidr: string;
  nodePortRange: [number, number];
}

const NEEDS_NODE_PORT = new Set(['NodePort', 'LoadBalancer']);

export function serviceStrategy(net: ServiceNetwork): KindStrategy {
  const cidr = parseCidr(net.serviceCidr);
  return {
    defaults(obj) {
      const s = obj.spec;
      if (!s || typeof s !== 'object') return;
      s.type ??= 'ClusterIP';
      s.sessionAffinity ??= 'None';
      if (s.type !== 'ClusterIP') s.externalTrafficPolicy ??= 'Cluster';
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
      for (const p of Array.isArray(s.ports) ? s.ports : []) {
        if (!p || typeof p !== 'object') continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    },
    prepareCreate(obj, ctx) {
      obj.status = { loadBalancer: {} };
      allocate(obj, undefined, ctx, cidr, net);
    },
    prepareUpdate(obj, old, ctx) {
      allocate(obj, old, ctx, cidr, net);
    },
  };
}

function allocate(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext, cidr: ReturnType<typeof parseCidr>, net: ServiceNetwork): void {
  const s = obj.spec;
  if (!s || typeof s !== 'object') return;
  const others = ctx.list('services').filter((o) => o.metadata.uid !== obj.metadata.uid);
  const name = obj.metadata.name ?? '';
  // A ClusterIP is immutable once set: an update that leaves it out keeps the old one.
  if (old?.spec?.clusterIP && (s.clusterIP === undefined || s.clusterIP === '')) s.clusterIP = old.spec.clusterIP;
  if (s.type === 'ExternalName') {
    delete s.clusterIP;
  } else if (s.clusterIP !== 'None' && (!s.clusterIP || s.clusterIP !== old?.spec?.clusterIP)) {
    const used = new Set(others.map((o) => o.spec?.clusterIP).filter(Boolean));
    if (s.clusterIP) {
      const n = ipToInt(s.clusterIP);
      if (n === undefined || !cidrContains(cidr, n)) {
        throw invalid('Service', '', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${s.clusterIP}"}: failed to allocate IP ${s.clusterIP}: the provided IP (${s.clusterIP}) is not in the valid range. The range of valid IPs is ${net.serviceCidr}` }]);
      }
      if (used.has(s.clusterIP)) {
        throw invalid('Service', '', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${s.clusterIP}"}: failed to allocate IP ${s.clusterIP}: provided IP is already allocated` }]);
      }
    } else {
      s.clusterIP = pickIp(cidr, used);
    }
  }
  if (s.clusterIP) s.clusterIPs = [s.clusterIP];
  else delete s.clusterIPs;
  const ports: any[] = Array.isArray(s.ports) ? s.ports : [];
  if (NEEDS_NODE_PORT.has(s.type)) {
    const usedPorts = new Set<number>();
    for (const o of others) for (const p of o.spec?.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
    const oldPorts: any[] = old?.spec?.ports ?? [];
    for (const p of ports) {
      const prev = oldPorts.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (!p.nodePort && prev?.nodePort) p.nodePort = prev.nodePort;
      if (p.nodePort) {
        if (usedPorts.has(p.nodePort)) {
          throw invalid('Service', '', name, [{ reason: 'FieldValueInvalid', field: 'spec.ports[0].nodePort', message: `Invalid value: ${p.nodePort}: provided port is already allocated` }]);
        }
      } else {
        p.nodePort = pickPort(net.nodePortRange, usedPorts);
      }
      usedPorts.add(p.nodePort);
    }
  } else {
    for (const p of ports) delete p.nodePort;
  }
}

// pickIp starts at a random offset so concurrent servers (HA) rarely collide, skipping the
// network address, .1 (the kubernetes service) and .10 (cluster DNS), which are reserved.
function pickIp(cidr: ReturnType<typeof parseCidr>, used: Set<string>): string {
  const size = cidrSize(cidr);
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const off = (start + i) % size;
    if (off < 11 || off === size - 1) continue;
    const ip = intToIp(cidr.base + off);
    if (!used.has(ip)) return ip;
  }
  throw new Error('service IP range exhausted');
}

function pickPort([lo, hi]: [number, number], used: Set<number>): number {
  const span = hi - lo + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const p = lo + ((start + i) % span);
    if (!used.has(p)) return p;
  }
  throw new Error('node port range exhausted');
}
