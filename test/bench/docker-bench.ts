// docker-bench: apply → Running on real Docker, Bramble and Docker Swarm side by side in one run.
//  1. Bramble: a 1-node lab cluster (real agent, real dockerd, the test image loaded), a Deployment
//     of N replicas; per pod, the apply → Running-and-ready time seen by a watch.
//  2. Docker Swarm: a fresh 1-node lab, same dockerd flags, same image loaded; `docker swarm init`
//     and `docker service create --detach --replicas N` of the same image and command; per task,
//     create → running from the task's own status timestamp (Swarm's best case: no watch delay).
// They run one after the other, never together (they would share the 2 CPUs); Bramble first, its
// cluster torn down before Swarm's lab starts. A Bramble pod is 2 containers (pause + app), a
// Swarm task 1.
import { BUSYBOX_IMAGE, type Lab, startLab } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { until } from '../lib/until.js';
import { shippedEnvironment } from './agent-bench.js';
import { percentile } from './stats.js';
import { type Swarm, SwarmUnavailable, startSwarm } from './swarm.js';
import { stopClusterBounded } from './teardown.js';

const APP = 'bench';
const COMMAND = ['httpd', '-f', '-p', '80', '-h', '/www']; // what the other benches run
const SETTLE_MS = 5_000; // after the node is ready, before the clock starts: start-up work done
const RUN_MS = 300_000;
const TEARDOWN_MS = 60_000;

export interface Timing {
  samples: number[]; // seconds from apply, sorted
  p50s: number;
  p99s: number;
  allRunningSeconds: number;
}

export type SwarmDockerResult =
  | (Timing & {
      runnable: true;
      endpointMode: 'dnsrr';
      /** imageRef: the image by ID, so the task executor does not try a registry pull first */
      imageRef: string;
      /** createCliSeconds: how long `docker service create --detach` itself took (in the figures) */
      createCliSeconds: number;
      /** observedAllRunningSeconds: when polling the manager's API (every 100 ms) first saw all running */
      observedAllRunningSeconds: number;
    })
  | { runnable: false; reason: string };

export interface DockerBenchResult {
  pods: number;
  image: string;
  command: string[];
  bramble: Timing & { containersPerPod: 2 };
  swarm: SwarmDockerResult;
  /** Bramble ÷ Swarm; below 1 Bramble is faster */
  ratio?: { allRunning: number; p99: number };
  /** a teardown did not finish in time; its lab is left to the exit handler */
  teardownTimedOut: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const log = (msg: string) => process.stderr.write(`docker bench: ${msg}\n`);

function timing(seconds: number[]): Timing {
  const s = [...seconds].sort((a, b) => a - b);
  return { samples: s.map((x) => round(x)), p50s: round(percentile(s, 50)), p99s: round(percentile(s, 99)), allRunningSeconds: round(s[s.length - 1] ?? Number.NaN) };
}

// ---- Bramble ----

async function benchBramble(pods: number): Promise<{ timing: Timing; teardownTimedOut: boolean }> {
  const c = await startCluster({ nodes: 1 });
  let t: Timing;
  try {
    t = await measureBramble(c, pods);
  } catch (e) {
    await stopClusterBounded(c, TEARDOWN_MS, log);
    throw e;
  }
  return { timing: t, teardownTimedOut: !(await stopClusterBounded(c, TEARDOWN_MS, log)) };
}

async function measureBramble(c: Cluster, pods: number): Promise<Timing> {
  const node = c.lab.node(1);
  await c.startAgent(node, [], shippedEnvironment());
  const api = c.server.api;
  const ready = async () => (await api.call('GET', `/api/v1/nodes/${node.name}`)).json().status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
  await until('the node Ready', ready, Boolean, 60_000, 200).catch((e) => {
    throw new Error(`${(e as Error).message}\n--- agent\n${c.agentLog(node).slice(-3000)}\n--- server\n${c.server.output().slice(-3000)}`);
  });
  await sleep(SETTLE_MS);

  const runningAt = new Map<string, number>();
  const seen = (p: any, at: number) => {
    if (p.status?.phase === 'Running' && p.status.containerStatuses?.every((s: any) => s.ready) && !runningAt.has(p.metadata.name)) runningAt.set(p.metadata.name, at);
  };
  // A watch sees each status as it is written; without resourceVersion it first replays what
  // exists, so it may connect after the apply. Should it end early, polling takes over.
  let watchEnded = false;
  const watch = api.stream(`/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3D${APP}`, (line) => seen(JSON.parse(line).object, performance.now()));
  void watch.done.then(() => (watchEnded = true));
  try {
    const t0 = performance.now();
    const r = await api.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: APP },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: APP } },
        template: { metadata: { labels: { app: APP } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: COMMAND }] } },
      },
    });
    if (r.status !== 201) throw new Error(`create Deployment: ${r.status} ${r.text}`);
    for (const end = Date.now() + RUN_MS; runningAt.size < pods; await sleep(100)) {
      if (Date.now() > end) throw new Error(`only ${runningAt.size}/${pods} pods Running after ${RUN_MS / 1000} s:\n${c.agentLog(node).slice(-3000)}`);
      if (watchEnded) {
        const now = performance.now();
        for (const p of (await api.call('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${APP}`)).json().items) seen(p, now);
      }
    }
    return timing([...runningAt.values()].map((at) => (at - t0) / 1000));
  } finally {
    watch.close();
  }
}

// ---- Docker Swarm ----

async function benchSwarm(pods: number): Promise<{ result: SwarmDockerResult; teardownTimedOut: boolean }> {
  let lab: Lab | undefined;
  let swarm: Swarm | undefined;
  let result: SwarmDockerResult;
  try {
    lab = await startLab({ nodes: 1, image: true, name: 'swarm' });
    swarm = await startSwarm(lab);
    result = await measureSwarm(lab, swarm, pods);
  } catch (e) {
    // Swarm is the yardstick: when it cannot run (or fails), the Bramble figures still stand.
    const reason = e instanceof SwarmUnavailable ? e.message : `failed: ${(e as Error).message}`;
    result = { runnable: false, reason: reason.slice(0, 500) };
  }
  if (!lab) return { result, teardownTimedOut: false };
  const stop = async () => {
    // no service, no restarts racing the lab's container removal
    if (swarm) await swarm.removeService(APP).catch(() => {});
    await lab.stop();
    return true;
  };
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([stop(), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), TEARDOWN_MS)))]);
  clearTimeout(timer);
  if (!done) log(`the Swarm lab's teardown hung; ${lab.name} is removed at exit`);
  return { result, teardownTimedOut: !done };
}

async function measureSwarm(lab: Lab, swarm: Swarm, pods: number): Promise<SwarmDockerResult> {
  await until('the Swarm node ready', () => swarm.listNodes(), (ns) => ns.length === 1 && ns[0].state === 'ready' && ns[0].availability === 'active', 60_000, 200);
  // By ID: a tag makes the executor try a registry pull for every task before it falls back to
  // the local image (moby's "pull to make sure we have the most up to date version").
  const imageRef = lab.imageId!;
  await sleep(SETTLE_MS);

  const filters = encodeURIComponent(JSON.stringify({ service: [APP], 'desired-state': ['running'] }));
  const observed = new Map<string, number>(); // task ID → first poll that saw it running
  const reported = new Map<string, number>(); // task ID → its status timestamp (wall clock, ms)
  const t0 = performance.now();
  const wall0 = Date.now();
  await swarm.createService(APP, pods, imageRef, COMMAND);
  const createCliSeconds = (performance.now() - t0) / 1000;
  let last: any[] = [];
  for (const end = Date.now() + RUN_MS; ; await sleep(100)) {
    last = await swarm.get(`/tasks?filters=${filters}`);
    const now = performance.now();
    for (const t of last) {
      if (t.Status?.State !== 'running') continue;
      if (!observed.has(t.ID)) observed.set(t.ID, now);
      const ts = Date.parse(t.Status.Timestamp ?? '');
      if (!reported.has(t.ID) && Number.isFinite(ts)) reported.set(t.ID, ts);
    }
    const running = last.filter((t) => t.Status?.State === 'running');
    if (running.length >= pods) {
      last = running;
      break;
    }
    if (Date.now() > end) {
      const failed = (await swarm.tasks(APP)).filter((t) => t.error);
      if (failed.length) throw new SwarmUnavailable(`tasks do not start: ${failed[0].error}`);
      throw new Error(`only ${running.length}/${pods} Swarm tasks running after ${RUN_MS / 1000} s`);
    }
  }
  const observedAllRunningSeconds = (Math.max(...last.map((t) => observed.get(t.ID)!)) - t0) / 1000;
  // The tasks running now (a failed task is replaced by a new one, which is the one counted).
  const perTask = last.map((t) => (reported.has(t.ID) ? (reported.get(t.ID)! - wall0) / 1000 : (observed.get(t.ID)! - t0) / 1000));
  const containers = await swarm.containers(swarm.manager, APP);
  if (containers < pods) throw new Error(`Swarm says ${pods} tasks run, the engine has ${containers} containers`);
  return { runnable: true, endpointMode: 'dnsrr', imageRef, createCliSeconds: round(createCliSeconds), observedAllRunningSeconds: round(observedAllRunningSeconds), ...timing(perTask) };
}

export async function benchDocker(opts: { pods: number }): Promise<DockerBenchResult> {
  const pods = opts.pods || 50;
  const b = await benchBramble(pods);
  log(`bramble ${pods} pods: p50 ${b.timing.p50s.toFixed(2)} s, all ${b.timing.allRunningSeconds.toFixed(2)} s`);
  const s = await benchSwarm(pods);
  const sw = s.result;
  log(sw.runnable ? `swarm ${pods} tasks: p50 ${sw.p50s.toFixed(2)} s, all ${sw.allRunningSeconds.toFixed(2)} s` : `swarm not runnable: ${sw.reason}`);
  return {
    pods,
    image: BUSYBOX_IMAGE,
    command: COMMAND,
    bramble: { ...b.timing, containersPerPod: 2 },
    swarm: sw,
    ratio: sw.runnable ? { allRunning: round(b.timing.allRunningSeconds / sw.allRunningSeconds), p99: round(b.timing.p99s / sw.p99s) } : undefined,
    teardownTimedOut: b.teardownTimedOut || s.teardownTimedOut,
  };
}

export function dockerRows(r: DockerBenchResult, fmt: (n: number, d?: number) => string): { scenario: string; figure: string; target: string; anchor: string }[] {
  const figs = (t: Timing) => `p50 ${fmt(t.p50s, 2)} s, p99 ${fmt(t.p99s, 2)} s, all ${fmt(t.allRunningSeconds, 2)} s`;
  const anchor = 'Docker Swarm on an identical lab engine (same dockerd flags and image), same run';
  const rows = [{ scenario: `real Docker: apply → Running, ${r.pods} pods, image present, 1 node (Bramble)`, figure: figs(r.bramble), target: '', anchor: '' }];
  const sw = r.swarm;
  if (!sw.runnable) {
    rows.push({ scenario: '  … Docker Swarm, same image and command', figure: `not runnable here: ${sw.reason}`, target: '≤ 0.5', anchor });
    return rows;
  }
  rows.push(
    { scenario: `  … Docker Swarm: service create --replicas ${r.pods} → running, same image and command`, figure: figs(sw), target: '', anchor: '' },
    {
      scenario: '  … Bramble ÷ Swarm, all Running',
      figure: `${fmt(r.ratio!.allRunning, 2)} (p99 ${fmt(r.ratio!.p99, 2)})`,
      target: '≤ 0.5',
      anchor,
    },
  );
  return rows;
}
