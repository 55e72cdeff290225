// scale-bench: a `bramble server` child process against simulated nodes (test/sim, run by
// sim-cluster.ts as another child process):
//  1. pod rate: bare Pods from 24 concurrent clients → all Running (a simulated node runs a pod
//     as soon as its desired state arrives, so this is the server's and the MQTT path's rate).
//  2. heartbeats: N idle nodes at the default 1 s heartbeat — server CPU, RSS, commits.
//  3. SD-card wear: idle nodes — commits per minute and bytes the server writes per hour.
//  4. scale: thousands of nodes, tens of thousands of pods from Deployments — join time, time to
//     all Running, server RSS peak, API latency during and after the rollout against the
//     Kubernetes SLOs (p99 ≤ 1 s for single objects, ≤ 30 s for lists).
import { loadavg } from 'node:os';
import { type Api, apiFromKubeconfig } from '../lib/api.js';
import { dbFiles, metric, procIo, RssSampler, readyNodes, type SimCluster, sleep, startSimCluster, treeRssMB } from './sim-cluster.js';
import { cpuSeconds, percentile, rssMB } from './stats.js';

const log = (msg: string) => process.stderr.write(`scale bench: ${msg}\n`);
const since = (t0: number) => (performance.now() - t0) / 1000;
const round = (n: number, d = 1) => +n.toFixed(d);
// hostLoad: the machine's 1-minute load at the end; above the core count, something else competed (figures are then low).
const hostLoad = () => round(loadavg()[0], 2);
// Simulated nodes do not fit one simulator process's core past a few hundred.
const shardsFor = (nodes: number) => (nodes >= 500 ? 2 : 1);
// The default cluster CIDR 10.42.0.0/16 has room for 256 per-node /24s.
const clusterCidrFor = (nodes: number) => (nodes > 250 ? ['--cluster-cidr', '10.64.0.0/11'] : []);
// HEARTBEAT_S: the agent's default --heartbeat-interval, which the simulated nodes keep.
const HEARTBEAT_S = 1;
const podSpec = { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

interface Latency {
  count: number;
  errors: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

function latency(samples: number[], errors = 0): Latency {
  const s = [...samples].sort((a, b) => a - b);
  return { count: s.length, errors, p50ms: round(percentile(s, 50)), p99ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? Number.NaN) };
}

/** explained: the error with what became of the server and the simulator (a crash shows as ECONNRESET). */
function explained(e: unknown, c: SimCluster): Error {
  return new Error(`${(e as Error).message}\n  ${c.state()}`, { cause: e });
}

async function ensureNamespace(api: Api, ns: string): Promise<void> {
  const r = await api.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create namespace ${ns}: ${r.status} ${r.text}`);
}

// ---------------------------------------------------------------------------------------------
// 1. pod rate

export interface PodRateResult {
  nodes: number;
  clients: number;
  pods: number;
  joinSeconds: number;
  createSeconds: number;
  createsPerSecond: number;
  createP50ms: number;
  createP99ms: number;
  /** first create → every pod Running */
  allRunningSeconds: number;
  podsRunningPerSecond: number;
  /** per pod: create sent → the watch sees it Running */
  podP50s: number;
  podP99s: number;
  serverCpuPercent: number;
  /** the simulator's CPU (all shards) over the same time: on 2 cores it competes with the server */
  simCpuPercent: number;
  serverPeakRssMB: number;
  /** store commits and writes from first create to all Running */
  commitsPerSecond: number;
  writesPerPod: number;
  hostLoad: number;
  simWarnings: Record<string, number>;
}

export async function benchPodRate(o: { nodes: number; clients: number; pods: number; timeoutS?: number }): Promise<PodRateResult> {
  const c = await startSimCluster({ name: 'podrate', nodes: o.nodes, shards: shardsFor(o.nodes), readyTimeoutS: 600, serverArgs: clusterCidrFor(o.nodes) });
  const rss = new RssSampler(c.serverPid);
  try {
    const api = c.server.api;
    const ns = 'podrate';
    await ensureNamespace(api, ns);
    const base = `/api/v1/namespaces/${ns}/pods`;
    const rv = (await api.call('GET', base)).json().metadata.resourceVersion;
    // A watch from before the first create sees each pod turn Running, with no gap.
    const runningAt = new Map<string, number>();
    let watchError = '';
    const watch = api.stream(`${base}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('status.phase=Running')}`, (line) => {
      const e = JSON.parse(line);
      if (e.type === 'ERROR') watchError = JSON.stringify(e.object);
      else if (e.object?.status?.phase === 'Running' && !runningAt.has(e.object.metadata.name)) runningAt.set(e.object.metadata.name, performance.now());
    });
    let watchEnded = false;
    void watch.done.finally(() => (watchEnded = true)).catch(() => {});
    const cpu0 = cpuSeconds(c.serverPid);
    const simCpu = () => c.simPids().reduce((a, p) => a + cpuSeconds(p), 0);
    const sim0 = simCpu();
    const [c0, w0] = [await metric(api, 'bramble_store_commits_total'), await metric(api, 'bramble_store_writes_total')];
    const createdAt = new Map<string, number>();
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    const client = async () => {
      while (next < o.pods) {
        const name = `rate-${next++}`;
        const t = performance.now();
        createdAt.set(name, t);
        const r = await api.call('POST', base, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'podrate' } }, spec: podSpec });
        if (r.status !== 201) throw new Error(`create pod ${name}: ${r.status} ${r.text.slice(0, 300)}`);
        lat.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: o.clients }, client));
    const createSeconds = since(t0);
    const deadline = t0 + (o.timeoutS ?? 300) * 1000;
    let allAt: number | undefined;
    while (allAt === undefined) {
      if (runningAt.size >= o.pods) allAt = Math.max(...runningAt.values());
      else if (watchEnded) {
        // The watch was cut (a slow reader, a too-old revision): count by listing instead.
        const r = await api.call('GET', `${base}?fieldSelector=${encodeURIComponent('status.phase!=Running')}`);
        if (r.status === 200 && r.json().items.length === 0) allAt = performance.now();
      }
      if (allAt !== undefined) break;
      if (performance.now() > deadline) {
        throw new Error(`podrate: ${runningAt.size}/${o.pods} pods Running after ${since(t0).toFixed(0)} s${watchError ? ` (watch error ${watchError})` : ''}`);
      }
      await sleep(100);
    }
    watch.close();
    const cpu = cpuSeconds(c.serverPid) - cpu0;
    const simCpuS = simCpu() - sim0;
    const [c1, w1] = [await metric(api, 'bramble_store_commits_total'), await metric(api, 'bramble_store_writes_total')];
    const allRunningSeconds = (allAt - t0) / 1000;
    const perPod = [...runningAt].map(([name, at]) => (at - (createdAt.get(name) ?? at)) / 1000).sort((a, b) => a - b);
    lat.sort((a, b) => a - b);
    return {
      nodes: o.nodes,
      clients: o.clients,
      pods: o.pods,
      joinSeconds: round(c.readySeconds),
      createSeconds: round(createSeconds, 2),
      createsPerSecond: round(o.pods / createSeconds),
      createP50ms: round(percentile(lat, 50)),
      createP99ms: round(percentile(lat, 99)),
      allRunningSeconds: round(allRunningSeconds, 2),
      podsRunningPerSecond: round(o.pods / allRunningSeconds),
      podP50s: round(percentile(perPod, 50), 2),
      podP99s: round(percentile(perPod, 99), 2),
      serverCpuPercent: round((100 * cpu) / allRunningSeconds),
      simCpuPercent: round((100 * simCpuS) / allRunningSeconds),
      serverPeakRssMB: round(rss.peakMB, 0),
      commitsPerSecond: round((c1 - c0) / allRunningSeconds),
      writesPerPod: round((w1 - w0) / o.pods, 2),
      hostLoad: hostLoad(),
      simWarnings: c.simWarnings,
    };
  } catch (e) {
    throw explained(e, c);
  } finally {
    rss.stop();
    await c.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 2 and 3. idle nodes

interface IdleWindow {
  seconds: number;
  serverCpuPercent: number;
  serverRssMB: number;
  serverRssPeakMB: number;
  simCpuPercent: number;
  commitsPerMinute: number;
  writesPerMinute: number;
  /** /proc/<server>/io over the window, scaled to an hour: write_bytes (to storage) and wchar (every write(), sockets and pipes too) */
  writeBytesPerHour: number;
  wcharPerHour: number;
  /** growth of state.db over the window, scaled to an hour; the WAL's size at the end */
  dbGrowthBytesPerHour: number;
  walBytes: number;
  /** nodes that stopped being Ready during the window (missed heartbeats) */
  nodesNotReady: number;
  hostLoad: number;
}

async function idleWindow(c: SimCluster, seconds: number): Promise<IdleWindow> {
  const api = c.server.api;
  const pid = c.serverPid;
  const simPids = c.simPids();
  const rv = (await api.call('GET', '/api/v1/nodes?limit=1')).json().metadata.resourceVersion;
  const flapped = new Set<string>();
  const watch = api.stream(`/api/v1/nodes?watch=true&resourceVersion=${rv}`, (line) => {
    const o = JSON.parse(line).object;
    if (!o?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) flapped.add(o?.metadata?.name);
  });
  const rss = new RssSampler(pid);
  const [c0, w0] = [await metric(api, 'bramble_store_commits_total'), await metric(api, 'bramble_store_writes_total')];
  const io0 = procIo(pid);
  const db0 = dbFiles(c.server.dataDir);
  const cpu0 = cpuSeconds(pid);
  const sim0 = simPids.reduce((a, p) => a + cpuSeconds(p), 0);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const s = since(t0);
  const cpu = cpuSeconds(pid) - cpu0;
  const simCpu = simPids.reduce((a, p) => a + cpuSeconds(p), 0) - sim0;
  const io1 = procIo(pid);
  const db1 = dbFiles(c.server.dataDir);
  const [c1, w1] = [await metric(api, 'bramble_store_commits_total'), await metric(api, 'bramble_store_writes_total')];
  rss.stop();
  watch.close();
  const perHour = 3600 / s;
  return {
    seconds: round(s),
    serverCpuPercent: round((100 * cpu) / s),
    serverRssMB: round(rssMB(pid), 0),
    serverRssPeakMB: round(rss.peakMB, 0),
    simCpuPercent: round((100 * simCpu) / s),
    commitsPerMinute: round(((c1 - c0) * 60) / s),
    writesPerMinute: round(((w1 - w0) * 60) / s),
    writeBytesPerHour: Math.round((io1.writeBytes - io0.writeBytes) * perHour),
    wcharPerHour: Math.round((io1.wchar - io0.wchar) * perHour),
    dbGrowthBytesPerHour: Math.round((db1.db - db0.db) * perHour),
    walBytes: db1.wal,
    nodesNotReady: flapped.size,
    hostLoad: hostLoad(),
  };
}

export interface HeartbeatResult extends IdleWindow {
  nodes: number;
  joinSeconds: number;
  readySeconds: number;
  settleSeconds: number;
  /** N ÷ the 1 s heartbeat interval: the server counts no heartbeats itself */
  heartbeatsPerSecond: number;
  simWarnings: Record<string, number>;
}

export async function benchHeartbeats(o: { nodes: number; seconds: number; settleSeconds?: number }): Promise<HeartbeatResult> {
  const c = await startSimCluster({ name: 'heartbeats', nodes: o.nodes, shards: shardsFor(o.nodes), readyTimeoutS: 900, serverArgs: clusterCidrFor(o.nodes) });
  try {
    const settle = o.settleSeconds ?? 10;
    await sleep(settle * 1000);
    const w = await idleWindow(c, o.seconds);
    return { nodes: o.nodes, joinSeconds: round(c.joinSeconds), readySeconds: round(c.readySeconds), settleSeconds: settle, heartbeatsPerSecond: o.nodes / HEARTBEAT_S, ...w, simWarnings: c.simWarnings };
  } catch (e) {
    throw explained(e, c);
  } finally {
    await c.stop();
  }
}

export interface SdWearResult extends IdleWindow {
  nodes: number;
  settleSeconds: number;
}

export async function benchSdWear(o: { nodes: number; seconds: number; settleSeconds?: number }): Promise<SdWearResult> {
  const c = await startSimCluster({ name: 'sdwear', nodes: o.nodes, readyTimeoutS: 300 });
  try {
    const settle = o.settleSeconds ?? 15;
    await sleep(settle * 1000);
    return { nodes: o.nodes, settleSeconds: settle, ...(await idleWindow(c, o.seconds)) };
  } catch (e) {
    throw explained(e, c);
  } finally {
    await c.stop();
  }
}


// ---------------------------------------------------------------------------------------------
// 4. scale

export interface ScaleResult {
  nodes: number;
  /** heartbeat: the agents' heartbeat interval and the server's grace, as run */
  heartbeat: string;
  pods: number;
  deployments: number;
  joinSeconds: number;
  readySeconds: number;
  /** first Deployment created → every pod Running */
  allRunningSeconds: number;
  podsRunningPerSecond: number;
  /** seconds after the first Deployment at which 10 %, 20 %, … of the pods were ready */
  rolloutDeciles: number[];
  serverPeakRssMB: number;
  serverRssAfterMB: number;
  serverCpuSecondsRollout: number;
  simPeakRssMB: number;
  storeObjects: number;
  /** sampled API calls (5 clients, one call each per 200 ms), while rolling out and after */
  during: { get: Latency; create: Latency; listNamespaces: Latency };
  after: { seconds: number; get: Latency; create: Latency; listNamespaces: Latency };
  /** one list of every pod in the namespace, after the rollout (the server has no limit/continue) */
  listAllPods: { ms: number[]; items: number; megabytes: number };
  /** the bench's own progress polls that failed (reset connections) while the server stayed up */
  pollErrors: number;
  hostLoad: number;
  simWarnings: Record<string, number>;
}

/** LatencyProbe: 5 clients, each a get, a create or a namespace list every 200 ms, on their own connections. */
class LatencyProbe {
  private stopped = false;
  private samples = { get: [] as number[], create: [] as number[], listNamespaces: [] as number[] };
  private errors = { get: 0, create: 0, listNamespaces: 0 };
  private readonly running: Promise<void>[];
  private seq = 0;
  constructor(api: Api, ns: string, clients = 5) {
    const ops = [
      ['get', () => api.call('GET', `/api/v1/namespaces/${ns}/configmaps/probe`)],
      ['create', () => api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `lat-${this.seq++}` }, data: { x: 'y' } })],
      ['listNamespaces', () => api.call('GET', '/api/v1/namespaces')],
    ] as const;
    this.running = Array.from({ length: clients }, async (_, k) => {
      await sleep(k * 40); // spread the clients over the period
      for (let i = k; !this.stopped; i++) {
        const [op, call] = ops[i % ops.length];
        const t = performance.now();
        try {
          const r = await call();
          if (r.status >= 300) this.errors[op]++;
          else this.samples[op].push(performance.now() - t);
        } catch {
          this.errors[op]++;
        }
        await sleep(Math.max(0, 200 - (performance.now() - t)));
      }
    });
  }
  /** take returns the figures since the last take and starts afresh. */
  take(): { get: Latency; create: Latency; listNamespaces: Latency } {
    const out = { get: latency(this.samples.get, this.errors.get), create: latency(this.samples.create, this.errors.create), listNamespaces: latency(this.samples.listNamespaces, this.errors.listNamespaces) };
    this.samples = { get: [], create: [], listNamespaces: [] };
    this.errors = { get: 0, create: 0, listNamespaces: 0 };
    return out;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }
}

export async function benchScale(o: {
  nodes: number;
  pods: number;
  /** replicas per Deployment (default 1000) */
  perDeployment?: number;
  clusterCidr?: string;
  /**
   * heartbeat: the agents' heartbeat interval and the server's grace period. Default: Bramble's
   * own (1 s, 3 s). Thousands of nodes take Kubernetes' (a Lease renewal every 10 s, 40 s grace):
   * each heartbeat costs the server ≈ 0.2 ms, so 5,000 nodes at 1 s would need a core for
   * heartbeats alone, and the simulator as much again.
   */
  heartbeat?: { interval: string; grace: string };
  joinTimeoutS: number;
  rolloutTimeoutS: number;
  /** afterSeconds: the latency window after the rollout */
  afterSeconds: number;
  log?: (msg: string) => void;
}): Promise<ScaleResult> {
  const say = o.log ?? log;
  const c = await startSimCluster({
    name: 'scale',
    nodes: o.nodes,
    shards: shardsFor(o.nodes),
    serverArgs: ['--cluster-cidr', o.clusterCidr ?? '10.64.0.0/11', ...(o.heartbeat ? ['--node-monitor-grace-period', o.heartbeat.grace] : [])],
    heartbeatInterval: o.heartbeat?.interval,
    readyTimeoutS: o.joinTimeoutS,
    log: say,
  }).catch((e) => {
    throw new Error(`scale: ${(e as Error).message}`);
  });
  const serverPid = c.serverPid;
  const serverRss = new RssSampler(serverPid);
  let simPeakMB = c.joinPeakSimMB;
  const simTimer = setInterval(() => (simPeakMB = Math.max(simPeakMB, treeRssMB(c.sim.pid!))), 1000);
  const serverPeak = () => Math.max(c.joinPeakServerMB, serverRss.peakMB);
  let probe: LatencyProbe | undefined;
  try {
    say(`${o.nodes} nodes Ready in ${c.readySeconds.toFixed(1)} s (joined in ${c.joinSeconds.toFixed(1)} s)`);
    const api = c.server.api;
    const ns = 'scale';
    await ensureNamespace(api, ns);
    const probeCm = await api.call('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { x: 'y' } });
    if (probeCm.status !== 201) throw new Error(`create configmap: ${probeCm.status} ${probeCm.text}`);
    const per = Math.min(o.perDeployment ?? 1000, o.pods);
    const deployments = Math.ceil(o.pods / per);
    // Own connections for the probe: its calls must not queue behind the bench's polling.
    probe = new LatencyProbe(apiFromKubeconfig(c.server.kubeconfig, { maxSockets: 8 }), ns);
    const cpu0 = cpuSeconds(serverPid);
    const t0 = performance.now();
    for (let d = 0; d < deployments; d++) {
      const replicas = Math.min(per, o.pods - d * per);
      const r = await api.call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `scale-${d}` },
        spec: { replicas, selector: { matchLabels: { app: `scale-${d}` } }, template: { metadata: { labels: { app: `scale-${d}` } }, spec: podSpec } },
      });
      if (r.status !== 201) throw new Error(`create deployment scale-${d}: ${r.status} ${r.text.slice(0, 300)}`);
    }
    // Progress from the Deployments' status (50 objects, not 50,000 pods); the end is confirmed
    // by listing the pods that are not Running, which is small by then.
    const deciles: number[] = [];
    const deadline = t0 + o.rolloutTimeoutS * 1000;
    let ready = 0;
    let lastLog = 0;
    let allAt: number | undefined;
    let pollErrors = 0;
    // A reset connection is worth a retry while the server lives; its death ends the bench.
    const poll = (path: string) =>
      api.call('GET', path).catch((e) => {
        if (c.server.child.exitCode !== null || c.server.child.signalCode !== null) throw e;
        pollErrors++;
        return undefined;
      });
    while (allAt === undefined) {
      const r = await poll(`/apis/apps/v1/namespaces/${ns}/deployments`);
      if (r?.status === 200) ready = (r.json().items as any[]).reduce((a, d) => a + (d.status?.readyReplicas ?? 0), 0);
      while (deciles.length < 10 && ready >= ((deciles.length + 1) * o.pods) / 10) deciles.push(round(since(t0)));
      if (ready >= o.pods) {
        const left = await poll(`/api/v1/namespaces/${ns}/pods?fieldSelector=${encodeURIComponent('status.phase!=Running')}`);
        if (left?.status === 200 && left.json().items.length === 0) allAt = performance.now();
      }
      if (allAt !== undefined) break;
      if (performance.now() > deadline) {
        const nodesNow = await readyNodes(api).catch(() => -1);
        throw new Error(`scale: ${ready}/${o.pods} pods ready after ${since(t0).toFixed(0)} s (deciles at ${deciles.join(', ')} s; ${nodesNow}/${o.nodes} nodes Ready; server RSS peak ${serverPeak().toFixed(0)} MB)`);
      }
      if (since(t0) - lastLog >= 30) {
        lastLog = since(t0);
        say(`${since(t0).toFixed(0)} s: ${ready}/${o.pods} pods ready, server RSS ${rssMB(serverPid).toFixed(0)} MB (peak ${serverPeak().toFixed(0)})`);
      }
      await sleep(Math.min(5000, Math.max(500, o.pods / 20)));
    }
    const allRunningSeconds = (allAt - t0) / 1000;
    const serverCpuSecondsRollout = cpuSeconds(serverPid) - cpu0;
    const during = probe.take();
    say(`all ${o.pods} pods Running in ${allRunningSeconds.toFixed(1)} s; sampling latency for ${o.afterSeconds} s`);
    const a0 = performance.now();
    await sleep(o.afterSeconds * 1000);
    const after = { seconds: round(since(a0)), ...probe.take() };
    await probe.stop();
    probe = undefined;
    const listMs: number[] = [];
    let items = 0;
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const r = await api.call('GET', `/api/v1/namespaces/${ns}/pods`);
      listMs.push(round(performance.now() - t, 0));
      if (r.status !== 200) throw new Error(`list pods: ${r.status}`);
      bytes = r.text.length;
      items = r.json().items.length;
    }
    return {
      nodes: o.nodes,
      heartbeat: o.heartbeat ? `${o.heartbeat.interval} heartbeat, ${o.heartbeat.grace} grace` : '1s heartbeat, 3s grace',
      pods: o.pods,
      deployments,
      joinSeconds: round(c.joinSeconds),
      readySeconds: round(c.readySeconds),
      allRunningSeconds: round(allRunningSeconds),
      podsRunningPerSecond: round(o.pods / allRunningSeconds),
      rolloutDeciles: deciles,
      serverPeakRssMB: round(serverPeak(), 0),
      serverRssAfterMB: round(rssMB(serverPid), 0),
      serverCpuSecondsRollout: round(serverCpuSecondsRollout),
      simPeakRssMB: round(simPeakMB, 0),
      storeObjects: await metric(api, 'bramble_store_objects'),
      during,
      after,
      listAllPods: { ms: listMs, items, megabytes: round(bytes / 2 ** 20) },
      pollErrors,
      hostLoad: hostLoad(),
      simWarnings: c.simWarnings,
    };
  } catch (e) {
    throw explained(e, c);
  } finally {
    await probe?.stop();
    clearInterval(simTimer);
    serverRss.stop();
    await c.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// rows for run.ts

export interface ScaleResults {
  podrate?: PodRateResult;
  heartbeats?: HeartbeatResult;
  sdwear?: SdWearResult;
  scale?: ScaleResult;
}

interface Row {
  scenario: string;
  figure: string;
  target: string;
  anchor: string;
}

export function scaleRows(r: ScaleResults, fmt: (n: number, d?: number) => string): Row[] {
  const rows: Row[] = [];
  const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MB`;
  const lat = (l: Latency) => `p50 ${fmt(l.p50ms, 1)} ms, p99 ${fmt(l.p99ms, 1)} ms (${l.count}${l.errors ? `, ${l.errors} errors` : ''})`;
  if (r.podrate) {
    const p = r.podrate;
    rows.push(
      {
        scenario: `pods Running per second, ${fmt(p.pods)} bare pods, ${p.clients} clients, ${fmt(p.nodes)} sim nodes`,
        figure: `${fmt(p.podsRunningPerSecond)} pods/s (all Running in ${fmt(p.allRunningSeconds, 2)} s)`,
        target: '≥ 200 pods/s',
        anchor: 'k3s ≈ 2.2 pods/s on 2 vCPU (measured elsewhere)',
      },
      { scenario: '  … creates per second / create latency', figure: `${fmt(p.createsPerSecond)} /s, p50 ${fmt(p.createP50ms, 1)} ms, p99 ${fmt(p.createP99ms, 1)} ms`, target: '', anchor: '' },
      { scenario: '  … per pod create → Running (a sim node runs a pod as its desired state arrives)', figure: `p50 ${fmt(p.podP50s, 2)} s, p99 ${fmt(p.podP99s, 2)} s`, target: '', anchor: '' },
      { scenario: '  … server CPU / RSS peak (simulator CPU)', figure: `${fmt(p.serverCpuPercent)} %, ${fmt(p.serverPeakRssMB)} MB (${fmt(p.simCpuPercent)} %)`, target: '', anchor: '' },
      { scenario: '  … store commits / writes per pod', figure: `${fmt(p.commitsPerSecond)} /s, ${fmt(p.writesPerPod, 1)}`, target: '', anchor: '' },
    );
  }
  if (r.heartbeats) {
    const h = r.heartbeats;
    rows.push(
      {
        scenario: `${fmt(h.nodes)} idle sim nodes, 1 s heartbeats: server CPU`,
        figure: `${fmt(h.serverCpuPercent, 1)} % (${fmt(h.heartbeatsPerSecond)} heartbeats/s, over ${fmt(h.seconds)} s)`,
        target: '',
        anchor: 'kubelet renews its Lease every 10 s: a store write per node per 10 s',
      },
      { scenario: '  … server RSS (peak)', figure: `${fmt(h.serverRssMB)} MB (${fmt(h.serverRssPeakMB)} MB)`, target: '', anchor: '' },
      { scenario: '  … store commits / disk writes', figure: `${fmt(h.commitsPerMinute, 1)} /min (${fmt(h.writesPerMinute, 1)} writes/min${h.seconds < 60 ? ', window < the 60 s Lease renewal' : ''}) / ${mb(h.writeBytesPerHour)} per hour`, target: '', anchor: '' },
      { scenario: '  … nodes NotReady during the window / joins', figure: `${h.nodesNotReady} / all Ready in ${fmt(h.readySeconds, 1)} s`, target: '0', anchor: '' },
    );
  }
  if (r.sdwear) {
    const s = r.sdwear;
    rows.push(
      {
        scenario: `SD wear, ${s.nodes} idle sim nodes: database commits`,
        // Each node's Lease is renewed once a minute: a shorter window may fall between renewals.
        figure: `${fmt(s.commitsPerMinute, 1)} /min (over ${fmt(s.seconds)} s${s.seconds < 60 ? ', < the 60 s Lease renewal' : ''})`,
        target: '≤ 6 /min',
        anchor: '',
      },
      {
        scenario: '  … bytes the server writes to disk per hour',
        figure: `${mb(s.writeBytesPerHour)} (state.db +${mb(s.dbGrowthBytesPerHour)}/h, WAL ${mb(s.walBytes)})`,
        target: '',
        anchor: '',
      },
    );
  }
  if (r.scale) {
    const s = r.scale;
    rows.push(
      { scenario: `scale: ${fmt(s.nodes)} sim nodes (${s.heartbeat}) join → all Ready`, figure: `${fmt(s.readySeconds, 1)} s (joined ${fmt(s.joinSeconds, 1)} s)`, target: '', anchor: '' },
      {
        scenario: `  … ${fmt(s.pods)} pods (${s.deployments} Deployments) → all Running`,
        figure: `${fmt(s.allRunningSeconds, 1)} s (${fmt(s.podsRunningPerSecond)} pods/s)`,
        target: '',
        anchor: 'Kubernetes SLO (5k nodes): startup p99 ≤ 5 s per pod at 20 pods/s',
      },
      { scenario: '  … server RSS peak / after', figure: `${fmt(s.serverPeakRssMB)} MB / ${fmt(s.serverRssAfterMB)} MB`, target: '≤ 1,536 MB', anchor: '' },
      { scenario: '  … during rollout: get configmap', figure: lat(s.during.get), target: 'p99 ≤ 1 s', anchor: 'Kubernetes SLO p99 ≤ 1 s' },
      { scenario: '  … during rollout: create configmap', figure: lat(s.during.create), target: 'p99 ≤ 1 s', anchor: 'Kubernetes SLO p99 ≤ 1 s' },
      { scenario: '  … during rollout: list namespaces', figure: lat(s.during.listNamespaces), target: 'p99 ≤ 30 s', anchor: 'Kubernetes SLO p99 ≤ 30 s' },
      { scenario: `  … after (${fmt(s.after.seconds)} s): get / create configmap`, figure: `${lat(s.after.get)} / ${lat(s.after.create)}`, target: 'p99 ≤ 1 s', anchor: 'Kubernetes SLO p99 ≤ 1 s' },
      { scenario: '  … after: list namespaces', figure: lat(s.after.listNamespaces), target: 'p99 ≤ 30 s', anchor: 'Kubernetes SLO p99 ≤ 30 s' },
      {
        scenario: `  … after: list all ${fmt(s.listAllPods.items)} pods (${fmt(s.listAllPods.megabytes, 1)} MB)`,
        figure: s.listAllPods.ms.map((m) => `${fmt(m)} ms`).join(', '),
        target: '≤ 30 s',
        anchor: 'Kubernetes SLO p99 ≤ 30 s',
      },
    );
  }
  return rows;
}
