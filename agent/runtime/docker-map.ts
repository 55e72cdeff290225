// docker-map: pure translations between Bramble's runtime types and Docker Engine API bodies.
// Kept apart from docker.ts so they are tested without an engine.
import type Dockerode from 'dockerode';
import type { ContainerInfo, ContainerSpec, ContainerState, ImageInfo } from './runtime.js';
import { joinedContainer } from './spec-rules.js';

/**
 * toCreateOptions maps a spec to a create body with Kubernetes semantics: `command` replaces the
 * image's ENTRYPOINT (and then the image's CMD is dropped too), `args` replaces its CMD.
 */
export function toCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const joined = joinedContainer(spec) !== undefined;
  const ports = spec.hostPorts ?? [];
  const portKey = (p: (typeof ports)[number]) => `${p.containerPort}/${p.protocol}`;
  const hostConfig: Dockerode.HostConfig = {
    NetworkMode: spec.network,
    Binds: spec.mounts?.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
    Memory: spec.memoryBytes,
    // MemorySwap = Memory: no swap, as the kubelet does, so a memory limit means an OOM kill.
    MemorySwap: spec.memoryBytes,
    NanoCpus: spec.nanoCpus,
    CpuShares: spec.cpuShares,
    Privileged: spec.privileged,
    Init: spec.init,
    RestartPolicy: { Name: 'no' },
  };
  if (!joined) {
    if (spec.dnsServers?.length) hostConfig.Dns = spec.dnsServers;
    if (spec.dnsSearch?.length) hostConfig.DnsSearch = spec.dnsSearch;
    if (spec.dnsOptions?.length) hostConfig.DnsOptions = spec.dnsOptions;
    if (ports.length > 0) {
      hostConfig.PortBindings = Object.fromEntries(ports.map((p) => [portKey(p), [{ HostPort: String(p.hostPort) }]]));
    }
  }
  const options: Dockerode.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Entrypoint: spec.command,
    Cmd: spec.command ? (spec.args ?? []) : spec.args,
    Env: spec.env,
    WorkingDir: spec.workingDir,
    User: spec.user,
    Hostname: joined ? undefined : spec.hostname,
    ExposedPorts: !joined && ports.length > 0 ? Object.fromEntries(ports.map((p) => [portKey(p), {}])) : undefined,
    HostConfig: hostConfig,
  };
  if (spec.ipAddress && !joined) {
    options.NetworkingConfig = { EndpointsConfig: { [spec.network]: { IPAMConfig: { IPv4Address: spec.ipAddress } } } };
  }
  return dropUndefined(options);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** mapStatus folds Docker's container states into the runtime's four. */
export function mapStatus(status: string | undefined): ContainerState['status'] {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

/** dockerTime drops Docker's zero time ("0001-01-01T00:00:00Z"), which means "never". */
export function dockerTime(t: string | undefined): string | undefined {
  return !t || t.startsWith('0001-01-01') ? undefined : t;
}

/** fromInspect maps an inspect body; joinedIp is the IP of the container whose namespace it joined. */
export function fromInspect(c: Dockerode.ContainerInspectInfo, joinedIp?: string): ContainerInfo {
  const s = c.State;
  const state: ContainerState = {
    status: mapStatus(s.Status),
    startedAt: dockerTime(s.StartedAt),
    finishedAt: dockerTime(s.FinishedAt),
    exitCode: s.Status === 'exited' || s.Status === 'dead' ? s.ExitCode : undefined,
    oomKilled: s.OOMKilled || undefined,
    error: s.Error || undefined,
  };
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image,
    imageId: c.Image,
    labels: c.Config.Labels ?? {},
    state: dropUndefined(state),
    ip: joinedIp ?? containerIp(c),
  };
}

/** containerIp returns a container's own address (none when it joined another's namespace). */
export function containerIp(c: Pick<Dockerode.ContainerInspectInfo, 'NetworkSettings'>): string | undefined {
  const settings = c.NetworkSettings as { Networks?: Record<string, { IPAddress?: string }>; IPAddress?: string } | undefined;
  return firstIp(settings?.Networks) ?? (settings?.IPAddress || undefined);
}

/** fromListEntry maps a list entry; the exit code is only in Docker's status text there. */
export function fromListEntry(c: Dockerode.ContainerInfo): ContainerInfo {
  const exit = /^Exited \((-?\d+)\)/.exec(c.Status ?? '');
  const state: ContainerState = { status: mapStatus(c.State) };
  if (exit) state.exitCode = Number(exit[1]);
  return {
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    image: c.Image,
    imageId: c.ImageID,
    labels: c.Labels ?? {},
    state,
    ip: firstIp(c.NetworkSettings?.Networks),
  };
}

function firstIp(networks: Record<string, { IPAddress?: string }> | undefined): string | undefined {
  for (const n of Object.values(networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return undefined;
}

export function fromImageInspect(i: Dockerode.ImageInspectInfo): ImageInfo {
  const variant = (i as { Variant?: string }).Variant;
  return dropUndefined({ id: i.Id, os: i.Os, architecture: i.Architecture, variant: variant || undefined });
}

/** splitImageRef splits "repo[:tag|@digest]" the way the create-image API wants it; the tag defaults to latest. */
export function splitImageRef(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

/** statusCode returns the HTTP status of a docker-modem error. */
export function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}

/** engineMessage returns the engine's own words for a failed call, without docker-modem's prefix. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: unknown } | undefined)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString().trim();
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
