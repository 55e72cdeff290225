// runtime: the narrow interface between the agent and a container engine. The real one is Docker
// (docker.ts, through dockerode); fake.ts is for fast tests and for simulating thousands of nodes.
// One contract test suite runs against both.
//
// Every container the agent creates carries labels naming its pod (uid, name, namespace) and its
// role, so an agent that restarts adopts what is running instead of starting it again.

export const LABELS = {
  podUid: 'io.bramble.pod.uid',
  podName: 'io.bramble.pod.name',
  podNamespace: 'io.bramble.pod.namespace',
  container: 'io.bramble.container.name',
  /** role: 'infra' (holds the pod's network namespace) or 'app' or 'init'. */
  role: 'io.bramble.container.role',
  /** hash: hash of the container spec it was created from; a changed spec means recreate. */
  hash: 'io.bramble.container.hash',
  /** attempt: restart count of this container within its pod. */
  attempt: 'io.bramble.container.attempt',
} as const;

export type ContainerRole = 'infra' | 'app' | 'init';

export interface ContainerState {
  status: 'created' | 'running' | 'exited' | 'unknown';
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  oomKilled?: boolean;
  error?: string;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId?: string;
  labels: Record<string, string>;
  state: ContainerState;
  /** ip: the address on the pod network (set on the infra container). */
  ip?: string;
}

export interface Mount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  command?: string[];
  args?: string[];
  env?: string[];
  workingDir?: string;
  mounts?: Mount[];
  /** network: 'bridge' / a network name for infra containers; `container:<id>` to join a pod's namespace. */
  network: string;
  /** ipAddress: a fixed IP on the network (infra container), if the network has a subnet. */
  ipAddress?: string;
  hostPorts?: { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[];
  memoryBytes?: number;
  nanoCpus?: number;
  cpuShares?: number;
  user?: string;
  privileged?: boolean;
  dnsServers?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  hostname?: string;
  /** init: run an init process as PID 1 so SIGTERM reaches the app and zombies are reaped. */
  init?: boolean;
}

export interface PullProgress {
  status: string;
  detail?: string;
}

export interface ImageInfo {
  id: string;
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  auth?: string;
}

export interface ExecResult {
  exitCode: number;
  /** output: stdout and stderr interleaved as the process wrote them. */
  output: string;
  /** timedOut: the command outlived its timeout; exitCode is then -1 and it may still be running. */
  timedOut?: boolean;
}

export interface LogStreamOptions {
  follow: boolean;
  tail?: number;
  timestamps?: boolean;
  since?: number;
}

export interface RuntimeInfo {
  name: string; // e.g. "docker"
  version: string; // e.g. "20.10.24"
  os: string;
  architecture: string; // Docker's view: x86_64 / aarch64 / armv7l
  kernelVersion: string;
  operatingSystem: string;
  cgroupVersion?: string;
}

export interface ContainerRuntime {
  info(): Promise<RuntimeInfo>;
  /** list returns every container carrying the pod label (all states). */
  list(): Promise<ContainerInfo[]>;
  inspect(id: string): Promise<ContainerInfo | undefined>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  /** stop sends SIGTERM, waits up to graceSeconds, then SIGKILL. */
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  image(ref: string): Promise<ImageInfo | undefined>;
  pull(ref: string, auth: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void>;
  exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  logs(id: string, opts: LogStreamOptions, signal: AbortSignal): AsyncIterable<Buffer>;
  /** ensureNetwork creates (or checks) the bridge network pods use; returns its name. */
  ensureNetwork(name: string, subnet?: string, gateway?: string): Promise<string>;
  /** ensurePauseImage makes the infra container's image available without a pull; returns its ref. */
  ensurePauseImage(): Promise<string>;
  /** events reports container exits (and other state changes) as they happen. */
  events(onEvent: (e: { id: string; action: string }) => void, signal: AbortSignal): Promise<void>;
}
