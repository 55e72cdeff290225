// agent: wiring only. `bramble agent` on each node:
//
//   join (or reuse credentials) ──► MQTT link ◄──────────────── desired state (retained)
//        │                            │  ▲                            │
//        ▼                            │  │ node status, pod statuses,  ▼
//   container runtime ◄── pod manager ◄──┼── events, log chunks   desired.json (offline copy)
//        ▲                               │
//   runtime monitor ──► sampler ─────────┘
//
//   cluster view (services, endpoints, node subnets; retained) ──► node network: iptables, pod
//   routes, cluster DNS (net/node-network.ts) — and the pod subnet the pod bridge is made with
//
// The agent starts its pods from desired.json when the server is unreachable, keeps running them
// while the link is down, and starts pod workers only once the container engine answers.
import pino, { type Logger } from 'pino';
import { intToIp, parseCidr } from '../shared/net/cidr.js';
import type { DesiredState } from '../shared/mqtt/payloads.js';
import { type AgentConfig, parseNodeLabels } from './config.js';
import { ClusterView } from './cluster-view.js';
import { ensurePrivateDir } from './files.js';
import { ensureJoined, JoinError, type Joined } from './join.js';
import { type Link, type LinkOptions, openLink } from './link.js';
import { serveLogs } from './logs.js';
import { hostExec } from './net/exec.js';
import { NodeNetwork, type NodeNetworkOptions } from './net/node-network.js';
import type { Exec } from './proxy/iptables.js';
import type { PodManager, PodManagerOptions } from './pods/workers.js';
import { RuntimeMonitor } from './runtime-monitor.js';
import type { ContainerRuntime } from './runtime/runtime.js';
import { DesiredStateStore, isDesiredState } from './state.js';
import { readFingerprint } from './stats/fingerprint.js';
import { type HostProbe, HostSampler, localProbe } from './stats/host.js';
import { Sampler } from './stats/sampler.js';

/** PodManagerLike is what the agent uses of the PodManager (tests pass a fake). */
export type PodManagerLike = Pick<PodManager, 'setDesired' | 'start' | 'stop' | 'reportAll'>;

// POD_NETWORK: the bridge the agent creates for pods, with the node's pod subnet when known.
export const POD_NETWORK = 'bramble-pods';

export interface AgentDeps {
  logger?: Logger;
  /** runtime: defaults to Docker at --docker-host. */
  runtime?: ContainerRuntime;
  createPodManager?: (opts: PodManagerOptions) => PodManagerLike;
  openLink?: (o: LinkOptions) => Promise<Link>;
  probe?: HostProbe;
  /** signal: aborts a join that is waiting for an unreachable server. */
  signal?: AbortSignal;
  /** runtimeRetryMs: how often an unreachable engine is probed again (default 5s). */
  runtimeRetryMs?: number;
  joinBackoff?: (attempt: number) => number;
  /** exec runs iptables and ip on the host (tests pass a fake: they must not touch the host's). */
  exec?: Exec;
  /** dns: this node's cluster DNS server (default: agent/dns on the pod bridge address). */
  dns?: NodeNetworkOptions['dns'];
  /** clusterSettleMs: see ClusterView. */
  clusterSettleMs?: number;
}

export interface RunningAgent {
  nodeName: string;
  logger: Logger;
  link: Link;
  close(): Promise<void>;
}

export async function startAgent(cfg: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const logger = deps.logger ?? pino({ level: cfg.logLevel, base: { component: 'agent', node: cfg.nodeName } });
  await ensurePrivateDir(cfg.dataDir);
  const joined = await joinWithRetry(cfg, logger, deps);
  const nodeName = joined.credentials.nodeName;
  logger.info({ server: joined.credentials.server }, joined.joinedNow ? 'joined the cluster' : 'using saved credentials');

  const store = new DesiredStateStore(cfg.dataDir, logger);
  const saved = await store.load();
  if (saved) logger.info({ revision: saved.revision, pods: saved.pods.length }, `loaded the last desired state from ${store.path}`);

  const runtime = deps.runtime ?? new (await import('./runtime/docker.js')).DockerRuntime(cfg.dockerHost);
  const monitor = new RuntimeMonitor({ runtime, dockerHost: cfg.dockerHost, logger, downRetryMs: deps.runtimeRetryMs ?? 5_000, upCheckMs: cfg.statusInterval });
  const sampler = new Sampler({
    fingerprint: await readFingerprint((deps.probe ?? localProbe).read),
    identity: { nodeName, nodeIp: cfg.nodeIp, extraLabels: parseNodeLabels(cfg.nodeLabel) },
    host: new HostSampler(deps.probe ?? localProbe, cfg.dataDir),
    runtime: () => monitor.status,
    intervalMs: cfg.statusInterval,
  });
  // The link opens after the view exists (it needs the view's handlers); until then there is nothing to ask.
  let askSnapshot = () => {};
  const view = new ClusterView({
    dataDir: cfg.dataDir,
    requestNetworkSnapshot: () => askSnapshot(),
    settleMs: deps.clusterSettleMs,
    onChange: () => {
      network.update();
      tryStartPods(); // the first network map brings this node's pod subnet
    },
    warn: (msg) => logger.warn({}, msg),
  });
  await view.load();
  const network = new NodeNetwork({
    nodeName,
    nodeIp: cfg.nodeIp,
    podCidr: cfg.podCidr || undefined,
    exec: deps.exec ?? hostExec,
    snapshot: () => view.snapshot(),
    dns: deps.dns ?? (await loadDns(cfg.dnsPort, logger)),
    log: logger,
  });
  const link = await (deps.openLink ?? openLink)({
    url: joined.credentials.mqtt.url,
    ca: joined.caCert,
    username: joined.credentials.mqtt.username,
    password: joined.credentials.mqtt.password,
    nodeName,
    heartbeatMs: cfg.heartbeatInterval,
    logger,
  });

  askSnapshot = () => link.requestNetworkSnapshot();
  link.onCluster((topic, payload) => view.onMessage(topic, payload));
  link.onConnection((up) => up && view.connected());

  let pods: PodManagerLike | undefined;
  let waitingForSubnet = false;
  let podsStarting: Promise<void> | undefined;
  let retryPods: NodeJS.Timeout | undefined;
  let closing = false;
  const retryMs = deps.runtimeRetryMs ?? 5_000;
  const startPods = async (podCidr: string) => {
    const bridge = await ensurePodNetwork(runtime, podCidr);
    const opts: PodManagerOptions = {
      runtime,
      nodeName,
      nodeIP: cfg.nodeIp,
      network: bridge,
      clusterDNS: [network.clusterDns()],
      dataDir: cfg.dataDir,
      onStatus: (entries) => link.publishPods({ v: 1, pods: entries }),
      onEvent: (e) => link.publishEvents([e]),
      log: (msg, err) => logger.warn({ component: 'pods', err: err instanceof Error ? err.message : err }, msg),
    };
    const pm = (deps.createPodManager ?? (await loadPodManager()))(opts);
    if (closing) return;
    if (store.last) pm.setDesired(store.last);
    pods = pm;
    await pm.start();
  };
  // tryStartPods starts the pod workers once the engine answers, retrying if that fails.
  const tryStartPods = () => {
    if (pods || podsStarting || closing || !monitor.status.ok) return;
    const podCidr = network.podCidr();
    if (!podCidr) {
      if (!waitingForSubnet) logger.info({}, 'waiting for the server to assign this node a pod subnet');
      waitingForSubnet = true;
      return;
    }
    podsStarting = startPods(podCidr).then(() => network.update()).catch((e) => {
      logger.error({}, `cannot start the pod workers: ${(e as Error).message}`);
      pods = undefined;
      podsStarting = undefined;
      if (!closing) retryPods = setTimeout(tryStartPods, retryMs);
    });
  };

  sampler.onReport((r) => link.publishStatus(r));
  monitor.onChange(() => {
    void sampler.sampleNow().catch((e) => logger.warn({ err: (e as Error).message }, 'node sample failed'));
    tryStartPods();
  });
  link.onConnection((up) => {
    if (up) pods?.reportAll(); // pod reports are deltas; the server may have missed some
  });
  link.onDesired((s, retained) => void applyDesired(s, retained));
  link.onLogRequest((req, signal) => void serveLogs(runtime, req, signal, (chunk) => link.sendLogChunk(req.id, chunk)));

  async function applyDesired(s: DesiredState, retained: boolean): Promise<void> {
    if (!isDesiredState(s)) return logger.warn({}, 'ignoring a malformed desired state from the server');
    let accepted: boolean;
    try {
      accepted = await store.accept(s, retained);
    } catch (e) {
      logger.warn({ err: (e as Error).message }, `cannot save ${store.path}; applying the desired state anyway`);
      accepted = true;
    }
    if (!accepted) return;
    logger.debug({ revision: s.revision, pods: s.pods.length }, 'desired state');
    const newest = store.last;
    if (newest) pods?.setDesired(newest); // before the workers start, startPods applies store.last
  }

  await monitor.start();
  sampler.start();
  network.update(); // at start too: rules and routes from the saved view, stale ones removed

  return {
    nodeName,
    logger,
    link,
    async close() {
      closing = true;
      clearTimeout(retryPods);
      sampler.stop();
      monitor.stop();
      view.stop();
      await podsStarting;
      await pods?.stop();
      await network.stop(); // rules and routes stay: pods keep being reachable across a restart
      await view.flush();
      await link.close();
    },
  };
}

// joinWithRetry retries only what may heal by itself (server down or starting); a refused token
// or a CA mismatch is final.
async function joinWithRetry(cfg: AgentConfig, logger: Logger, deps: AgentDeps): Promise<Joined> {
  let lastMsg = '';
  for (let attempt = 0; ; attempt++) {
    try {
      return await ensureJoined({ server: cfg.server, token: cfg.token, nodeName: cfg.nodeName, dataDir: cfg.dataDir });
    } catch (e) {
      if (!(e instanceof JoinError) || !e.retryable || deps.signal?.aborted) throw e;
      if (e.message !== lastMsg) logger.warn({}, `${e.message}; retrying`);
      lastMsg = e.message;
      await sleep((deps.joinBackoff ?? ((n) => Math.min(30_000, 1_000 * 2 ** n)))(attempt), deps.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('stopped while waiting for the server'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// loadDns imports the DNS server only when the agent runs it (tests pass their own).
async function loadDns(port: number, logger: Logger): Promise<NodeNetworkOptions['dns']> {
  const { NodeDns } = await import('./dns/node-dns.js');
  return new NodeDns(port, logger);
}

// loadPodManager imports the pod workers only when the agent runs them.
async function loadPodManager(): Promise<(opts: PodManagerOptions) => PodManagerLike> {
  const { PodManager } = await import('./pods/workers.js');
  return (opts) => new PodManager(opts);
}

/** ensurePodNetwork creates the pods' bridge on the node's pod subnet, its gateway the first address. */
export async function ensurePodNetwork(runtime: ContainerRuntime, podCidr: string): Promise<string> {
  const c = parseCidr(podCidr);
  return runtime.ensureNetwork(POD_NETWORK, podCidr, intToIp(c.base + 1));
}
