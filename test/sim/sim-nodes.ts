// sim-nodes: many simulated nodes in one process, like Kubernetes' kubemark. Each is the real
// agent (startAgent): the real join (HTTPS, token, CA pinning; saved credentials reused on a
// restart), its own MQTT session with the real heartbeats, last will, node status and pod
// reports, and the real pod workers acting on the desired state — over a fake container runtime
// and a fake host (sim-host.ts), so the server cannot tell a simulated node from a Pi.
//
//   startSimNodes ──► N × startAgent, at most `concurrency` starting at once (5,000 joins must
//                     not stampede the server: each is two TLS handshakes and a database write)
//                 ──► ready() once every agent has joined and its MQTT link is up
//                 ──► stop(): each agent closes as `bramble agent` does on SIGTERM ("shutdown")
//
// Shared by all the agents of the process: one pino logger (a child per node), one TLS context
// per CA (shared-tls.ts), the network-entry filter (network-map.ts), the options. Per agent: a SimRuntime, a HostProbe, a TLS socket,
// and the agent's own timers — no more than a real agent has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { type RunningAgent, startAgent } from '../../agent/agent.js';
import { AGENT_OPTIONS, type AgentConfig, agentConfig } from '../../agent/config.js';
import { openLink } from '../../agent/link.js';
import { PodManager } from '../../agent/pods/workers.js';
import { resolveOptions } from '../../shared/options.js';
import { ownEntryLink, SharedParse } from './network-map.js';
import { shareCaContexts } from './shared-tls.js';
import { noopDns, noopExec, SimRuntime, simProbe, simProber } from './sim-host.js';

export interface SimNodesOptions {
  /** server: the API's URL, https://HOST:PORT. */
  server: string;
  /** token or tokenFile: the join token (`bramble token create`, or the server's DATA_DIR/node-token). */
  token?: string;
  tokenFile?: string;
  count: number;
  /** prefix: node names are prefix + index (default "sim-"). */
  prefix?: string;
  /** first: the index of the first node (for shards; default 0). */
  first?: number;
  /** dataRoot: each node's data dir is dataRoot/<node>. */
  dataRoot: string;
  /** heartbeatMs / statusMs: default the agent's own defaults (1 s, 10 s). */
  heartbeatMs?: number;
  statusMs?: number;
  /** concurrency: agents joining or starting at once (default 16). */
  concurrency?: number;
  /** labels: extra node labels, key=value. */
  labels?: string[];
  /** fullNetworkMap: give each agent every node's network entry, as a real agent gets (see network-map.ts). */
  fullNetworkMap?: boolean;
  /** logLevel: of the shared logger (default warn). */
  logLevel?: string;
}

export interface SimNodes {
  nodes: string[];
  /** ready resolves once every node has joined and its MQTT link is up; rejects if one cannot start or on timeout. */
  ready(timeoutMs?: number): Promise<void>;
  /** connected counts the links that are up now. */
  connected(): number;
  /** runtime: a node's fake container engine, once the node has started. */
  runtime(node: string): SimRuntime | undefined;
  /** stop closes every agent the way `bramble agent` does on SIGTERM. */
  stop(): Promise<void>;
}

// FIRST_CONNECT_WAIT_MS: how long a start slot waits for the node's first MQTT session.
const FIRST_CONNECT_WAIT_MS = 15_000;

interface SimNode {
  name: string;
  runtime: SimRuntime;
  agent?: RunningAgent;
  up: boolean;
}

export function startSimNodes(o: SimNodesOptions): SimNodes {
  shareCaContexts();
  const token = o.token ?? (o.tokenFile ? readFileSync(o.tokenFile, 'utf8').trim() : '');
  const logger = pino({ level: o.logLevel ?? 'warn', base: { component: 'sim' } });
  const link = o.fullNetworkMap ? openLink : ownEntryLink(openLink, new SharedParse());
  const abort = new AbortController();
  const first = o.first ?? 0;
  const names = Array.from({ length: o.count }, (_, i) => `${o.prefix ?? 'sim-'}${first + i}`);
  const nodes = new Map<string, SimNode>(names.map((name) => [name, { name, runtime: new SimRuntime({ seed: name }), up: false }]));
  const base = baseConfig(o, token);
  let stopping = false;
  let upCount = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
    waiters.clear();
  };
  // waitFor resolves at the next wake, or after ms.
  const waitFor = (resolve: () => void, ms: number) => {
    const t = setTimeout(() => {
      waiters.delete(done);
      resolve();
    }, ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    waiters.add(done);
  };

  const startOne = async (n: SimNode) => {
    if (stopping) return;
    const cfg = agentConfig({ ...base, nodeName: n.name, dataDir: join(o.dataRoot, n.name) });
    const agent = await startAgent(cfg, {
      logger: logger.child({ node: n.name }),
      runtime: n.runtime,
      exec: noopExec,
      dns: noopDns,
      probe: simProbe(n.name),
      openLink: link,
      signal: abort.signal,
      createPodManager: (opts) => new PodManager({ ...opts, prober: simProber(n.runtime) }),
    });
    n.agent = agent;
    if (stopping) return;
    agent.link.onConnection((up) => {
      if (up !== n.up) upCount += up ? 1 : -1;
      n.up = up;
      wake();
    });
    if (agent.link.connected && !n.up) {
      n.up = true;
      upCount++;
    }
    wake();
    // The slot is held until the first MQTT session is up too: nodes restarting from saved
    // credentials skip the join, and must not all open their TLS sessions at once either.
    const end = Date.now() + FIRST_CONNECT_WAIT_MS;
    while (!n.up && !stopping && Date.now() < end) await new Promise<void>((resolve) => waitFor(resolve, end - Date.now()));
  };
  const started = runLimited([...nodes.values()], o.concurrency ?? 16, startOne);
  started.catch(() => {}); // ready() reports it

  return {
    nodes: names,
    async ready(timeoutMs = Number.POSITIVE_INFINITY) {
      const end = Date.now() + timeoutMs;
      const late = () => new Error(`only ${upCount} of ${nodes.size} simulated nodes are connected after ${timeoutMs / 1000} s`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        if (Number.isFinite(timeoutMs)) timer = setTimeout(() => reject(late()), timeoutMs);
      });
      try {
        await Promise.race([started, timeout]);
        while (upCount < nodes.size) {
          if (stopping) throw new Error('simulated nodes stopped before all were up');
          if (Date.now() >= end) throw late();
          await new Promise<void>((resolve) => waitFor(resolve, Math.min(end - Date.now(), 2 ** 31 - 1)));
        }
      } finally {
        clearTimeout(timer);
      }
    },
    connected: () => upCount,
    runtime: (node) => (nodes.get(node)?.agent ? nodes.get(node)?.runtime : undefined),
    async stop() {
      stopping = true;
      abort.abort();
      wake();
      await started.catch(() => {});
      await runLimited([...nodes.values()], 256, async (n) => {
        await n.agent?.close();
        n.agent = undefined;
      });
      logger.flush();
    },
  };
}

// baseConfig: the agent's defaults, resolved as `bramble agent` resolves them but without this
// process's BRAMBLE_* environment, then the simulation's settings.
function baseConfig(o: SimNodesOptions, token: string): Omit<AgentConfig, 'nodeName' | 'dataDir'> {
  const defaults = resolveOptions(AGENT_OPTIONS, [], {}).values as AgentConfig;
  return {
    ...defaults,
    server: o.server,
    token,
    tokenFile: '',
    logLevel: o.logLevel ?? 'warn',
    nodeIp: '127.0.0.1',
    nodeLabel: o.labels ?? [],
    dockerHost: 'fake://sim',
    heartbeatInterval: o.heartbeatMs ?? defaults.heartbeatInterval,
    statusInterval: o.statusMs ?? defaults.statusInterval,
  };
}

/** runLimited runs fn over items, at most `limit` at once; rejects with the first failure after all settle. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
