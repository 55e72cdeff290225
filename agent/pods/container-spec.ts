// container-spec: pure translation of a pod spec into runtime ContainerSpecs. The infra container
// holds the pod's network namespace (its IP, host ports, hostname and DNS); init and app containers
// join it with `container:<infraId>` and carry their own command, env, mounts, limits and user.
import { createHash } from 'node:crypto';
import type { Container, Pod } from '../../shared/api/core.js';
import { bytes, milliCPU } from '../../shared/quantity.js';
import { type ContainerRole, type ContainerSpec, LABELS, type Mount } from '../runtime/runtime.js';
import { envList, expand } from './env.js';

/** GRACE_LABEL keeps the pod's grace period on its infra container, to stop orphans politely. */
export const GRACE_LABEL = 'io.bramble.pod.grace';
export const INFRA_NAME = 'POD';
export const DEFAULT_GRACE_SECONDS = 30;

/** stableJson serialises with sorted keys, so equal specs hash equally whatever their key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** containerHash identifies the spec a container was created from; a new hash means recreate. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(stableJson(c)).digest('hex').slice(0, 16);
}

/** graceSeconds is how long a pod's containers get between SIGTERM and SIGKILL. */
export function graceSeconds(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

export function podLabels(pod: Pod, role: ContainerRole, name: string, attempt: number, hash: string): Record<string, string> {
  return {
    [LABELS.podUid]: pod.metadata.uid ?? '',
    [LABELS.podName]: pod.metadata.name ?? '',
    [LABELS.podNamespace]: pod.metadata.namespace ?? 'default',
    [LABELS.container]: name,
    [LABELS.role]: role,
    [LABELS.hash]: hash,
    [LABELS.attempt]: String(attempt),
  };
}

/** dockerName is the runtime name, as dockershim spelled it: k8s_<container>_<pod>_<ns>_<uid>_<attempt>. */
export function dockerName(pod: Pod, container: string, attempt: number): string {
  return `k8s_${container}_${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}_${pod.metadata.uid}_${attempt}`;
}

export interface InfraOptions {
  image: string;
  /** network: the pod network (a bridge with this node's pod subnet). */
  network: string;
  clusterDNS?: string[];
  clusterDomain?: string;
}

/** infraSpec is the pause container: pod IP, host ports, hostname, DNS. */
export function infraSpec(pod: Pod, attempt: number, opts: InfraOptions): ContainerSpec {
  const hostNetwork = Boolean(pod.spec.hostNetwork);
  const labels = podLabels(pod, 'infra', INFRA_NAME, attempt, '');
  labels[GRACE_LABEL] = String(graceSeconds(pod));
  const spec: ContainerSpec = {
    name: dockerName(pod, INFRA_NAME, attempt),
    image: opts.image,
    labels,
    network: hostNetwork ? 'host' : opts.network,
    init: true,
  };
  if (hostNetwork) return spec;
  spec.hostname = (pod.spec.hostname ?? pod.metadata.name ?? '').slice(0, 63);
  const ports = hostPorts(pod);
  if (ports.length) spec.hostPorts = ports;
  Object.assign(spec, dnsSettings(pod, opts));
  return spec;
}

/** hostPorts collects every container port with a hostPort (TCP and UDP; Docker has no SCTP). */
export function hostPorts(pod: Pod): NonNullable<ContainerSpec['hostPorts']> {
  const out: NonNullable<ContainerSpec['hostPorts']> = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP').toLowerCase();
      if (!p.hostPort || (protocol !== 'tcp' && protocol !== 'udp')) continue;
      out.push({ containerPort: p.containerPort, hostPort: p.hostPort, protocol });
    }
  }
  return out;
}

/** dnsSettings follows dnsPolicy and dnsConfig; without cluster DNS, ClusterFirst falls back to Default. */
export function dnsSettings(pod: Pod, opts: Pick<InfraOptions, 'clusterDNS' | 'clusterDomain'>): Pick<ContainerSpec, 'dnsServers' | 'dnsSearch' | 'dnsOptions'> {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const ns = pod.metadata.namespace ?? 'default';
  const domain = opts.clusterDomain ?? 'cluster.local';
  let servers: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  const clusterFirst = policy === 'ClusterFirst' || (policy === 'ClusterFirstWithHostNet' && pod.spec.hostNetwork);
  if (clusterFirst && opts.clusterDNS?.length) {
    servers = [...opts.clusterDNS];
    search = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
    options = ['ndots:5'];
  }
  const cfg = pod.spec.dnsConfig ?? {};
  servers.push(...(cfg.nameservers ?? []));
  search.push(...(cfg.searches ?? []));
  for (const o of (cfg.options ?? []) as { name: string; value?: string }[]) {
    options = options.filter((x) => x.split(':')[0] !== o.name);
    options.push(o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  }
  const out: Pick<ContainerSpec, 'dnsServers' | 'dnsSearch' | 'dnsOptions'> = {};
  if (servers.length) out.dnsServers = servers;
  if (search.length) out.dnsSearch = search;
  if (options.length) out.dnsOptions = options;
  return out;
}

export interface AppOptions {
  role: 'init' | 'app';
  attempt: number;
  infraId: string;
  env: Map<string, string>;
  mounts: Mount[];
}

/** appSpec is an init or app container joined to the pod's infra container. */
export function appSpec(pod: Pod, c: Container, opts: AppOptions): ContainerSpec {
  const spec: ContainerSpec = {
    name: dockerName(pod, c.name, opts.attempt),
    image: c.image,
    labels: podLabels(pod, opts.role, c.name, opts.attempt, containerHash(c)),
    network: `container:${opts.infraId}`,
    env: envList(opts.env),
    mounts: opts.mounts,
  };
  if (c.command) spec.command = c.command.map((s) => expand(s, opts.env));
  if (c.args) spec.args = c.args.map((s) => expand(s, opts.env));
  if (c.workingDir) spec.workingDir = c.workingDir;
  Object.assign(spec, resourceSettings(c));
  const user = runAsUser(pod, c);
  if (user) spec.user = user;
  if (c.securityContext?.privileged) spec.privileged = true;
  return spec;
}

/** resourceSettings maps limits to a memory cap and CPU quota, and the CPU request to shares, as the kubelet does. */
export function resourceSettings(c: Container): Pick<ContainerSpec, 'memoryBytes' | 'nanoCpus' | 'cpuShares'> {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const out: Pick<ContainerSpec, 'memoryBytes' | 'nanoCpus' | 'cpuShares'> = {};
  if (limits.memory) out.memoryBytes = bytes(limits.memory);
  if (limits.cpu) out.nanoCpus = milliCPU(limits.cpu) * 1_000_000;
  const cpuRequest = requests.cpu ?? limits.cpu;
  out.cpuShares = cpuRequest ? Math.max(2, Math.floor((milliCPU(cpuRequest) * 1024) / 1000)) : 2;
  return out;
}

// runAsUser reads runAsUser/runAsGroup from the container, falling back to the pod's securityContext.
function runAsUser(pod: Pod, c: Container): string | undefined {
  const podSc = pod.spec.securityContext ?? {};
  const uid = c.securityContext?.runAsUser ?? podSc.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? podSc.runAsGroup;
  if (uid === undefined) return undefined;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}
