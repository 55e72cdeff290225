// endpoints-logic: the pure half of the endpoints controller — which pods back a Service, on which
// ports, and the v1 Endpoints object that lists them (as Kubernetes' endpoints controller builds
// it). A pod is in one of three states for a service:
//
//   podIP set, Ready condition True, no deletionTimestamp ─▶ addresses
//   podIP set, not Ready, not finished                     ─▶ notReadyAddresses
//   no podIP, finished, or terminating                     ─▶ left out
//
// spec.publishNotReadyAddresses puts every listed pod (terminating ones too) in addresses.
import type { Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { stableStringify } from './pod-template-hash.js';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec: {
    type?: string;
    selector?: Record<string, string>;
    clusterIP?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** MAX_ENDPOINT_ADDRESSES: Kubernetes truncates an Endpoints object past 1000 addresses. */
export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** selectorOf is the service's pod selector, or undefined when its Endpoints are user-managed. */
export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  if (svc.spec?.type === 'ExternalName' || !sel || typeof sel !== 'object' || Object.keys(sel).length === 0) return undefined;
  return sel;
}

export function matchesSelector(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const k in sel) if (labels?.[k] !== sel[k]) return false;
  return true;
}

export function isPodReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** shouldListPod is ShouldPodBeInEndpoints: has an IP and can still (or again) serve. */
export function shouldListPod(p: Pod, includeTerminating: boolean): boolean {
  if (!p.status?.podIP) return false;
  if (!includeTerminating && p.metadata.deletionTimestamp) return false;
  const phase = p.status.phase;
  switch (p.spec?.restartPolicy) {
    case 'Never':
      return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure':
      return phase !== 'Succeeded';
    default:
      return true;
  }
}

/** findPort resolves a service port's targetPort on a pod: a number as is, a name through the
 *  pod's container ports (same protocol); undefined when the pod has no such port. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** endpointPorts is the pod's ports for the service, in service order, unresolvable ones left out. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

export function podAddress(svc: Service, pod: Pod): EndpointAddress {
  const m = pod.metadata;
  const hostname = pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? (pod.spec.hostname as string) : undefined;
  return {
    ip: pod.status!.podIP!,
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' },
  };
}

const isHeadless = (svc: Service) => svc.spec.clusterIP === 'None';

/** endpointSubsets groups the pods' addresses by identical port sets (RepackSubsets), sorted. */
export function endpointSubsets(svc: Service, pods: Iterable<Pod>): EndpointSubset[] {
  const publish = svc.spec.publishNotReadyAddresses === true;
  const noPorts = !svc.spec.ports?.length;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldListPod(pod, publish)) continue;
    // A service without ports lists addresses only when headless.
    if (noPorts && !isHeadless(svc)) continue;
    const ports = sortPorts(endpointPorts(svc, pod));
    if (!noPorts && ports.length === 0) continue;
    const key = stableStringify(ports);
    let g = groups.get(key);
    if (!g) {
      g = { ports, ready: [], notReady: [] };
      groups.set(key, g);
    }
    (publish || isPodReady(pod) ? g.ready : g.notReady).push(podAddress(svc, pod));
  }
  const subsets: EndpointSubset[] = [];
  for (const [, g] of [...groups].sort(([a], [b]) => cmp(a, b))) {
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(byAddress);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byAddress);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  return subsets;
}

/** truncateSubsets keeps at most max addresses, ready ones first (Kubernetes does the same and
 *  marks the object over capacity); it returns whether anything was dropped. */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINT_ADDRESSES): boolean {
  let room = max;
  let dropped = false;
  for (const field of ['addresses', 'notReadyAddresses'] as const) {
    for (const s of subsets) {
      const list = s[field];
      if (!list) continue;
      if (list.length > room) {
        dropped = true;
        if (room === 0) delete s[field];
        else s[field] = list.slice(0, room);
      }
      room -= s[field]?.length ?? 0;
    }
  }
  return dropped;
}

/** desiredEndpoints is the Endpoints object the controller keeps for a service with a selector. */
export function desiredEndpoints(svc: Service, pods: Iterable<Pod>): KubeObject {
  const subsets = endpointSubsets(svc, pods);
  const truncated = truncateSubsets(subsets);
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(truncated ? { annotations: { [OVER_CAPACITY]: 'truncated' } } : {}),
    },
    subsets,
  };
}

/** endpointsChanged compares what the controller owns of an Endpoints object. */
export function endpointsChanged(current: KubeObject, want: KubeObject): boolean {
  const overCap = (o: KubeObject) => o.metadata.annotations?.[OVER_CAPACITY];
  return (
    stableStringify(current.subsets ?? []) !== stableStringify(want.subsets ?? []) ||
    stableStringify(current.metadata.labels ?? {}) !== stableStringify(want.metadata.labels ?? {}) ||
    overCap(current) !== overCap(want)
  );
}

/** applyEndpoints copies the controller's fields onto the stored object, keeping the rest. */
export function applyEndpoints(current: KubeObject, want: KubeObject): KubeObject {
  current.subsets = want.subsets;
  current.metadata.labels = want.metadata.labels;
  const annotations = { ...(current.metadata.annotations ?? {}) };
  delete annotations[OVER_CAPACITY];
  Object.assign(annotations, want.metadata.annotations ?? {});
  current.metadata.annotations = Object.keys(annotations).length ? annotations : undefined;
  return current;
}

/** podEndpointFieldsChanged says whether a pod update can change any Endpoints or slice (labels
 *  are checked separately, through the selector index). */
export function podEndpointFieldsChanged(a: Pod, b: Pod): boolean {
  return stableStringify(endpointView(a)) !== stableStringify(endpointView(b));
}

function endpointView(p: Pod) {
  return {
    uid: p.metadata.uid,
    ip: p.status?.podIP,
    ready: isPodReady(p),
    phase: p.status?.phase,
    deleting: !!p.metadata.deletionTimestamp,
    node: p.spec?.nodeName,
    hostname: p.spec?.hostname,
    subdomain: p.spec?.subdomain,
    ports: p.spec?.containers?.map((c) => c.ports ?? []),
  };
}

export function sortPorts(ports: EndpointPort[]): EndpointPort[] {
  return ports.sort((a, b) => cmp(a.name ?? '', b.name ?? '') || a.port - b.port || cmp(a.protocol, b.protocol));
}

function byAddress(a: EndpointAddress, b: EndpointAddress): number {
  return cmp(a.ip, b.ip) || cmp(a.targetRef.uid, b.targetRef.uid);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
