// endpoints-slices-logic: the pure half of EndpointSlice upkeep, as Kubernetes' endpointslice
// reconciler. Endpoints are grouped by the port set their pod resolves; each group fills slices of
// at most MAX_ENDPOINTS_PER_SLICE. An endpoint stays in the slice it is already in, so one pod's
// change rewrites one slice, not all of them; new endpoints fill free room before a new slice is
// made. Slices are named by generateName `<service>-` (a random 5-character suffix, as Kubernetes
// does) and found again through their kubernetes.io/service-name label. A service without any
// endpoint keeps one empty placeholder slice.
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { ipToInt } from '../../shared/net/cidr.js';
import { cmp, findPort, HEADLESS_LABEL, isPodReady, type Service, shouldListPod } from './endpoints-logic.js';
import { stableStringify } from './pod-template-hash.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.bramble.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

export interface PortGroup {
  ports: SlicePort[];
  endpoints: Map<string, SliceEndpoint>;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  remove: EndpointSlice[];
}

/** isManagedSlice: a slice this controller keeps (others with the service label are left alone). */
export function isManagedSlice(o: KubeObject): boolean {
  return o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY && !!o.metadata.labels?.[SERVICE_NAME_LABEL];
}

export function slicePorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** sliceEndpoint: terminating pods stay listed, never ready, still serving while Ready. */
export function sliceEndpoint(svc: Service, pod: Pod): SliceEndpoint {
  const m = pod.metadata;
  const publish = svc.spec.publishNotReadyAddresses === true;
  const serving = publish || isPodReady(pod);
  const terminating = !!m.deletionTimestamp;
  const hostname = pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? (pod.spec.hostname as string) : undefined;
  return {
    addresses: [pod.status!.podIP!],
    conditions: { ready: publish || (serving && !terminating), serving, terminating },
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' },
  };
}

/** portGroups groups the service's IPv4 endpoints by resolved port set (key: the ports' JSON). */
export function portGroups(svc: Service, pods: Iterable<Pod>): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (!shouldListPod(pod, true) || ipToInt(pod.status!.podIP!) === undefined) continue;
    const ports = slicePorts(svc, pod);
    const key = stableStringify(ports);
    let g = groups.get(key);
    if (!g) {
      g = { ports, endpoints: new Map() };
      groups.set(key, g);
    }
    const ep = sliceEndpoint(svc, pod);
    g.endpoints.set(endpointKey(ep), ep);
  }
  if (groups.size === 0) groups.set(stableStringify([]), { ports: [], endpoints: new Map() });
  return groups;
}

export function endpointKey(ep: SliceEndpoint): string {
  return ep.targetRef?.uid || ep.addresses?.[0] || '';
}

/** planSlices turns the desired port groups and the service's current managed slices into writes. */
export function planSlices(svc: Service, groups: Map<string, PortGroup>, existing: EndpointSlice[], max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], remove: [] };
  const byGroup = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => cmp(a.metadata.name ?? '', b.metadata.name ?? ''))) {
    const key = stableStringify(s.ports ?? []);
    if (s.addressType !== 'IPv4' || !groups.has(key)) plan.remove.push(s);
    else byGroup.set(key, [...(byGroup.get(key) ?? []), s]);
  }
  for (const [key, group] of groups) {
    const unplaced = new Map(group.endpoints);
    const kept = (byGroup.get(key) ?? []).map((s) => {
      const eps: SliceEndpoint[] = [];
      for (const ep of s.endpoints ?? []) {
        const want = unplaced.get(endpointKey(ep));
        if (want && eps.length < max) {
          eps.push(want);
          unplaced.delete(endpointKey(ep));
        }
      }
      return { slice: s, eps };
    });
    const rest = [...unplaced.values()];
    for (const k of kept) while (k.eps.length < max && rest.length) k.eps.push(rest.shift()!);
    const fresh: SliceEndpoint[][] = [];
    while (rest.length) fresh.push(rest.splice(0, max));
    const placeholder = group.endpoints.size === 0;
    kept.forEach((k, i) => {
      if (k.eps.length === 0 && !(placeholder && i === 0)) {
        plan.remove.push(k.slice);
        return;
      }
      const want = sliceFor(svc, group.ports, k.eps, k.slice);
      if (sliceChanged(k.slice, want)) plan.update.push(want);
    });
    if (placeholder && kept.length === 0) fresh.push([]);
    for (const eps of fresh) plan.create.push(sliceFor(svc, group.ports, eps));
  }
  return plan;
}

/** sliceFor builds a slice's desired content; base (a stored slice) keeps its identity. */
export function sliceFor(svc: Service, ports: SlicePort[], eps: SliceEndpoint[], base?: EndpointSlice): EndpointSlice {
  const m = svc.metadata;
  const labels: Record<string, string> = { ...(m.labels ?? {}), [SERVICE_NAME_LABEL]: m.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY };
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  const owner = { apiVersion: 'v1', kind: 'Service', name: m.name ?? '', uid: m.uid ?? '', controller: true, blockOwnerDeletion: true };
  const metadata = base
    ? { ...structuredClone(base.metadata), labels, ownerReferences: [owner] }
    : { generateName: `${m.name}-`, namespace: m.namespace, labels, ownerReferences: [owner] };
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata,
    addressType: 'IPv4',
    endpoints: [...eps].sort((a, b) => cmp(a.addresses[0], b.addresses[0]) || cmp(endpointKey(a), endpointKey(b))),
    ports,
  };
}

export function sliceChanged(current: EndpointSlice, want: EndpointSlice): boolean {
  const view = (s: EndpointSlice) => ({
    addressType: s.addressType,
    endpoints: s.endpoints ?? [],
    ports: s.ports ?? [],
    labels: s.metadata.labels ?? {},
    owners: s.metadata.ownerReferences ?? [],
  });
  return stableStringify(view(current)) !== stableStringify(view(want));
}
