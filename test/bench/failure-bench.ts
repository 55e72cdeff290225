// failure-bench: node failures on 3 lab nodes, repeated, with Docker Swarm side by side.
//  1. Power cut (as in test/e2e/failure.test.ts): a Deployment of 6 with 3 replicas on the victim
//     and 3 on another node; kill -9 the victim's agent and SIGKILL its dockerd. Detection = cut →
//     the node's Ready condition is no longer True (polled every 50 ms); replacement = cut → 6
//     replicas Running and ready on the other nodes (polled every 100 ms). Then the node comes back
//     (engine, agent) and the next trial waits for it to be Ready and for exactly 6 replicas.
//  2. Cut cable: 100 % packet loss on each node in turn, detection only, while links are steady;
//     then once more on the last node right after it is back.
//  3. Flaps: 20 % packet loss on a node with 3 replicas; Ready transitions seen by a watch.
//  4. Docker Swarm in a lab of its own (test/bench/swarm.ts): the same power cut — SIGKILL of the
//     worker's dockerd, which is also its Swarm agent — and the same cut cable, read from the
//     manager's Engine API.
// A SIGKILLed dockerd takes containerd with it but leaves the container shims: the victim's
// containers keep running, unmanaged, exactly as they would for Swarm. All traffic stays in the
// lab's namespaces and on the test's loopback.
import { BUSYBOX_IMAGE, type Lab, type LabNode, startLab } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { percentile } from './stats.js';
import { type Swarm, SwarmUnavailable, startSwarm } from './swarm.js';
import { until } from '../lib/until.js';
import { stopClusterBounded } from './teardown.js';

export interface Figures {
  samples: number[]; // seconds, in trial order
  p50: number;
  max: number;
}

export interface PowerCutResult {
  victims: string[];
  detection: Figures;
  replacement: Figures;
  /** node back (engine + agent start) → Ready and exactly 6 replicas, per trial */
  restore: Figures;
}

export interface BrambleFailureResult {
  powerCut: PowerCutResult;
  /** repeatS: the last node cut once more, right after it was Ready again */
  cable: { victims: string[]; detection: Figures; repeatS: number };
  flaps: { node: string; loss: number; seconds: number; readyStatuses: ReadyStatus[]; transitions: number; replicasReplaced: number };
}

export interface ReadyStatus {
  atS: number; // seconds since the loss began (negative: before)
  status: string;
  reason: string;
  message: string;
}

export type SwarmFailureResult =
  | { runnable: true; endpointMode: 'dnsrr'; powerCut: PowerCutResult; cable: { victims: string[]; detection: Figures } }
  | { runnable: false; reason: string };

export interface FailureBenchResult {
  trials: number;
  bramble: BrambleFailureResult;
  swarm: SwarmFailureResult;
  /** the cluster's stop() did not finish; the lab is left to its exit handler */
  teardownTimedOut: boolean;
}

export interface FailureBenchOptions {
  trials: number; // power cuts, per system
  cableTrials: number;
  lossSeconds: number; // how long the 20 % loss lasts
  swarm: boolean;
}

const REPLICAS = 6;
const APP = 'web';
const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/www'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const log = (msg: string) => process.stderr.write(`failure bench: ${msg}\n`);
const sum = (counts: Record<string, number>, except = '') => Object.entries(counts).reduce((s, [n, k]) => (n === except ? s : s + k), 0);

export function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: samples.map((s) => round(s)), p50: round(percentile(sorted, 50)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}


// pickVictim: of the nodes holding `holding` replicas, the one cut least often so far (ties: the
// highest index), so that trials rotate over the nodes.
function pickVictim(nodes: LabNode[], counts: Record<string, number>, holding: number, cuts: string[]): LabNode | undefined {
  const times = (n: LabNode) => cuts.filter((c) => c === n.name).length;
  return nodes
    .filter((n) => (counts[n.name] ?? 0) === holding)
    .sort((a, b) => times(a) - times(b) || b.index - a.index)[0];
}

// ---- Bramble ----

class BrambleWatcher {
  constructor(readonly c: Cluster) {}
  get api() {
    return this.c.server.api;
  }
  async get(path: string): Promise<any> {
    const r = await this.api.call('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return r.json();
  }
  /** ready: the node's Ready condition is True (a node not registered yet is not Ready). */
  async ready(name: string): Promise<boolean> {
    const r = await this.api.call('GET', `/api/v1/nodes/${name}`);
    if (r.status === 404) return false;
    if (r.status !== 200) throw new Error(`GET node ${name}: ${r.status} ${r.text}`);
    const n = r.json();
    return n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True';
  }
  /** pods: every pod of the Deployment, terminating ones included. */
  async pods(): Promise<any[]> {
    return (await this.get(`/api/v1/namespaces/default/pods?labelSelector=app%3D${APP}`)).items;
  }
  /** runningOn counts live (not terminating) replicas that are Running and ready, per node. */
  static runningOn(pods: any[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of pods) {
      if (p.metadata.deletionTimestamp || p.status?.phase !== 'Running' || !p.status.containerStatuses?.every((s: any) => s.ready)) continue;
      out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
    }
    return out;
  }
  async appContainers(node: LabNode): Promise<number> {
    if (!node.engine.running) return 0;
    const r = await node.docker(['ps', '-q', '--filter', 'label=io.bramble.pod.namespace=default', '--filter', 'label=io.bramble.container.role=app'], { timeoutMs: 10_000 });
    return r.stdout.split('\n').filter(Boolean).length;
  }
  async cordon(name: string, on: boolean): Promise<void> {
    const r = await this.api.call('PATCH', `/api/v1/nodes/${name}`, { spec: { unschedulable: on } }, { 'content-type': 'application/merge-patch+json' });
    if (r.status !== 200) throw new Error(`cordon ${name}: ${r.status} ${r.text}`);
  }
  /** settled: exactly 6 pods exist (none terminating), all Running, and 6 app containers run. */
  async settled(ms: number): Promise<Record<string, number>> {
    const state = async () => {
      const pods = await this.pods();
      const containers = (await Promise.all(this.c.lab.nodes.map((n) => this.appContainers(n)))).reduce((a, b) => a + b, 0);
      return { pods: pods.length, running: BrambleWatcher.runningOn(pods), containers };
    };
    const s = await until('exactly 6 replicas, all Running', state, (v) => v.pods === REPLICAS && sum(v.running) === REPLICAS && v.containers === REPLICAS, ms, 500);
    return s.running;
  }
  /** arrange moves replicas until each node holds target[node] of them: nodes that should take
   * more stay schedulable, the rest are cordoned, and surplus pods are deleted. */
  async arrange(target: Record<string, number>): Promise<void> {
    const names = this.c.lab.nodes.map((n) => n.name);
    const matches = (on: Record<string, number>) => names.every((n) => (on[n] ?? 0) === (target[n] ?? 0));
    try {
      for (let round = 0; round < 6; round++) {
        const pods = await this.pods();
        const on = BrambleWatcher.runningOn(pods);
        if (matches(on)) return;
        for (const n of names) await this.cordon(n, (on[n] ?? 0) >= (target[n] ?? 0));
        for (const n of names) {
          const extra = (on[n] ?? 0) - (target[n] ?? 0);
          const victims = pods.filter((p) => p.spec.nodeName === n && !p.metadata.deletionTimestamp).slice(0, Math.max(0, extra));
          for (const p of victims) await this.api.call('DELETE', `/api/v1/namespaces/default/pods/${p.metadata.name}`);
        }
        await this.settled(120_000);
      }
      throw new Error(`could not place replicas as ${JSON.stringify(target)}: ${JSON.stringify(BrambleWatcher.runningOn(await this.pods()))}`);
    } finally {
      for (const n of names) await this.cordon(n, false);
    }
  }
  /** threeThreeZero makes sure two nodes hold 3 replicas each and one none; returns the counts. */
  async threeThreeZero(): Promise<Record<string, number>> {
    const on = await this.settled(120_000);
    const nodes = this.c.lab.nodes;
    if (nodes.filter((n) => on[n.name] === REPLICAS / 2).length === 2) return on;
    const empty = [...nodes].sort((a, b) => (on[a.name] ?? 0) - (on[b.name] ?? 0) || b.index - a.index)[0];
    await this.arrange(Object.fromEntries(nodes.map((n) => [n.name, n === empty ? 0 : REPLICAS / 2])));
    return this.settled(120_000);
  }
}

async function benchBramble(opts: FailureBenchOptions): Promise<{ result: BrambleFailureResult; teardownTimedOut: boolean }> {
  const c = await startCluster({ nodes: 3 });
  let result: BrambleFailureResult;
  try {
    result = await measureBramble(c, opts);
  } catch (e) {
    await stopClusterBounded(c, 30_000, log);
    throw e;
  }
  return { result, teardownTimedOut: !(await stopClusterBounded(c, 30_000, log)) };
}

async function measureBramble(c: Cluster, opts: FailureBenchOptions): Promise<BrambleFailureResult> {
  const w = new BrambleWatcher(c);
  const nodes = c.lab.nodes;
  for (const n of nodes) await c.startAgent(n);
  await until('3 nodes Ready', async () => Promise.all(nodes.map((n) => w.ready(n.name))), (rs) => rs.every(Boolean), 90_000).catch((e) => {
    throw new Error(`${(e as Error).message}\n${nodes.map((x) => `--- ${x.name}\n${c.agentLog(x).slice(-3000)}`).join('\n')}`);
  });
  // 3 + 3 replicas on n2 and n3 to start with, as in the end-to-end test
  await w.cordon('n1', true);
  const created = await w.api.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: APP } },
      template: { metadata: { labels: { app: APP } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: BUSYBOX_IMAGE, command: HTTPD }] } },
    },
  });
  if (created.status !== 201) throw new Error(`create Deployment: ${created.status} ${created.text}`);
  await w.settled(180_000);
  await w.arrange({ n1: 0, n2: 3, n3: 3 });

  // Cut cables first, while every link is steady: one cut per node, then the last node once more
  // right after it is back (its grace is then stretched by the heartbeats that arrived late).
  const cableVictims: string[] = [];
  const cable: number[] = [];
  for (let i = 0; i < opts.cableTrials; i++) {
    await w.threeThreeZero();
    const victim = pickVictim(nodes, {}, 0, cableVictims)!;
    cableVictims.push(victim.name);
    cable.push(await cutCable(w, victim));
    log(`bramble cut cable ${i + 1}/${opts.cableTrials} on ${victim.name}: NotReady ${cable.at(-1)!.toFixed(2)} s`);
  }
  const again = nodes.find((n) => n.name === cableVictims.at(-1))!;
  const repeat = await cutCable(w, again);
  log(`bramble cut cable again on ${again.name}: NotReady ${repeat.toFixed(2)} s`);

  const cuts: string[] = [];
  const detection: number[] = [];
  const replacement: number[] = [];
  const restore: number[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const on = await w.threeThreeZero();
    const victim = pickVictim(nodes, on, REPLICAS / 2, cuts)!;
    cuts.push(victim.name);
    const t0 = performance.now();
    const killing = Promise.all([c.stopAgent(victim, 'SIGKILL'), victim.stopEngine('SIGKILL')]);
    const detected = until(`${victim.name} not Ready`, () => w.ready(victim.name), (r) => !r, 30_000, 50).then(() => (performance.now() - t0) / 1000);
    const replaced = until(`6 replicas Running off ${victim.name}`, () => w.pods(), (ps) => sum(BrambleWatcher.runningOn(ps), victim.name) === REPLICAS, 90_000, 100).then(
      () => (performance.now() - t0) / 1000,
    );
    const [d, r] = await Promise.all([detected, replaced, killing]);
    detection.push(d);
    replacement.push(r);
    const t1 = performance.now();
    await victim.startEngine();
    await c.startAgent(victim);
    await until(`${victim.name} Ready again`, () => w.ready(victim.name), Boolean, 90_000, 200);
    await w.settled(120_000);
    restore.push((performance.now() - t1) / 1000);
    log(`bramble power cut ${i + 1}/${opts.trials} on ${victim.name}: NotReady ${d.toFixed(2)} s, 6 Running ${r.toFixed(2)} s, back ${restore.at(-1)!.toFixed(1)} s`);
  }

  const flaps = await lossyLink(c, w, opts.lossSeconds);
  const seen = flaps.readyStatuses.map((x) => `${x.status} at ${x.atS} s${x.reason ? ` (${x.reason}: ${x.message})` : ''}`).join(' → ');
  log(`bramble 20 % loss for ${opts.lossSeconds} s on ${flaps.node}: Ready ${seen}; ${flaps.replicasReplaced} replicas replaced`);
  return {
    powerCut: { victims: cuts, detection: figures(detection), replacement: figures(replacement), restore: figures(restore) },
    cable: { victims: cableVictims, detection: figures(cable), repeatS: round(repeat) },
    flaps,
  };
}

// cutCable drops all of the node's packets until the server calls it not Ready, then plugs the
// cable back in and waits for Ready; it returns the seconds to NotReady.
async function cutCable(w: BrambleWatcher, victim: LabNode): Promise<number> {
  const t0 = performance.now();
  await victim.loss(1);
  let seconds: number;
  try {
    await until(`${victim.name} not Ready`, () => w.ready(victim.name), (r) => !r, 60_000, 50);
    seconds = (performance.now() - t0) / 1000;
  } finally {
    await victim.loss(null);
  }
  await until(`${victim.name} Ready again`, () => w.ready(victim.name), Boolean, 90_000, 200);
  return seconds;
}

// lossyLink drops 20 % of one node's packets (a node holding 3 replicas) for `seconds` and
// records every Ready status a watch on that node delivers; one status ("True") means no flap.
async function lossyLink(c: Cluster, w: BrambleWatcher, seconds: number): Promise<BrambleFailureResult['flaps']> {
  const on = await w.threeThreeZero();
  const node = c.lab.nodes.find((n) => on[n.name] === REPLICAS / 2)!;
  const uids = new Set((await w.pods()).map((p) => p.metadata.uid as string));
  const statuses: ReadyStatus[] = [];
  let t0 = performance.now();
  let watchEnded = false;
  const watch = w.api.stream(`/api/v1/nodes?watch=true&fieldSelector=metadata.name%3D${node.name}`, (line) => {
    const { object: n } = JSON.parse(line);
    const c = n.status?.conditions?.find((x: any) => x.type === 'Ready');
    const status = c?.status ?? 'none';
    if (statuses.at(-1)?.status !== status) statuses.push({ atS: round((performance.now() - t0) / 1000, 1), status, reason: c?.reason ?? '', message: c?.message ?? '' });
  });
  void watch.done.then(() => (watchEnded = true));
  try {
    await until('the watch\'s first event', async () => statuses.length, (k) => k > 0, 10_000, 50);
    t0 = performance.now();
    await node.loss(0.2);
    try {
      await sleep(seconds * 1000);
    } finally {
      await node.loss(null);
    }
    await sleep(1000); // a transition written at the very end still arrives
  } finally {
    watch.close();
  }
  if (watchEnded) throw new Error(`the watch on ${node.name} ended during the lossy period`);
  const after = (await w.pods()).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.uid as string);
  return {
    node: node.name,
    loss: 0.2,
    seconds,
    readyStatuses: statuses,
    transitions: statuses.length - 1,
    replicasReplaced: after.filter((u) => !uids.has(u)).length,
  };
}


// ---- Docker Swarm ----

async function benchSwarm(opts: FailureBenchOptions): Promise<SwarmFailureResult> {
  const lab = await startLab({ nodes: 3, image: true, name: 'swarm' });
  let swarm: Swarm | undefined;
  try {
    swarm = await startSwarm(lab);
    return await measureSwarm(lab, swarm, opts);
  } catch (e) {
    if (e instanceof SwarmUnavailable) return { runnable: false, reason: e.message };
    throw e;
  } finally {
    if (swarm) await swarm.removeService(APP).catch(() => {});
    await lab.stop();
  }
}

async function swarmSettled(lab: Lab, swarm: Swarm, ms: number): Promise<Record<string, number>> {
  const state = async () => {
    const [nodes, on, containers] = await Promise.all([
      swarm.listNodes(),
      swarm.runningOn(APP),
      Promise.all(lab.nodes.map((n) => swarm.containers(n, APP))).then((k) => k.reduce((a, b) => a + b, 0)),
    ]);
    return { up: nodes.every((n) => n.state === 'ready' && n.availability === 'active'), on, containers };
  };
  return (await until('all nodes ready and exactly 6 tasks running', state, (s) => s.up && sum(s.on) === REPLICAS && s.containers === REPLICAS, ms, 500)).on;
}

// onWorkers waits for 3 + 3 tasks on the two workers; tasks that cannot start at all mean Swarm
// does not run here, and their error says why.
async function onWorkers(swarm: Swarm): Promise<void> {
  try {
    await until('3 + 3 tasks on the workers', () => swarm.runningOn(APP), (o) => swarm.workers.every((n) => o[n.name] === REPLICAS / 2), 180_000, 500);
  } catch (e) {
    const failed = (await swarm.tasks(APP)).filter((t) => t.error);
    if (failed.length) throw new SwarmUnavailable(`tasks do not start: ${failed[0].error}`);
    throw e;
  }
}

// swarmThreeThree: two nodes with 3 tasks each, at least one of them a worker (the manager is
// never cut). Otherwise the manager is drained, every task restarted, and the manager reactivated.
async function swarmThreeThree(lab: Lab, swarm: Swarm): Promise<Record<string, number>> {
  const on = await swarmSettled(lab, swarm, 120_000);
  const holders = lab.nodes.filter((n) => on[n.name] === REPLICAS / 2);
  if (holders.length === 2 && holders.some((n) => n !== swarm.manager)) return on;
  await swarm.setAvailability(swarm.manager, 'drain');
  try {
    await swarm.redistribute(APP);
    await onWorkers(swarm);
  } finally {
    await swarm.setAvailability(swarm.manager, 'active');
  }
  return swarmSettled(lab, swarm, 120_000);
}

async function measureSwarm(lab: Lab, swarm: Swarm, opts: FailureBenchOptions): Promise<SwarmFailureResult> {
  const state = async (node: LabNode) => (await swarm.listNodes()).find((n) => n.hostname === node.name)?.state ?? 'missing';
  // 3 + 3 tasks on the workers: the manager drained while they are placed
  await swarm.setAvailability(swarm.manager, 'drain');
  await swarm.createService(APP, REPLICAS, BUSYBOX_IMAGE, HTTPD);
  await onWorkers(swarm);
  await swarm.setAvailability(swarm.manager, 'active');

  const cuts: string[] = [];
  const detection: number[] = [];
  const replacement: number[] = [];
  const restore: number[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const on = await swarmThreeThree(lab, swarm);
    const victim = pickVictim(swarm.workers, on, REPLICAS / 2, cuts)!;
    cuts.push(victim.name);
    const t0 = performance.now();
    const killing = victim.stopEngine('SIGKILL');
    const detected = until(`${victim.name} down`, () => state(victim), (s) => s !== 'ready', 60_000, 50).then(() => (performance.now() - t0) / 1000);
    const replaced = until(`6 tasks running off ${victim.name}`, () => swarm.runningOn(APP), (o) => sum(o, victim.name) === REPLICAS, 120_000, 100).then(() => (performance.now() - t0) / 1000);
    const [d, r] = await Promise.all([detected, replaced, killing]);
    detection.push(d);
    replacement.push(r);
    const t1 = performance.now();
    await victim.startEngine();
    await swarmSettled(lab, swarm, 120_000);
    restore.push((performance.now() - t1) / 1000);
    log(`swarm power cut ${i + 1}/${opts.trials} on ${victim.name}: Down ${d.toFixed(2)} s, 6 running ${r.toFixed(2)} s, back ${restore.at(-1)!.toFixed(1)} s`);
  }

  const cableVictims: string[] = [];
  const cable: number[] = [];
  for (let i = 0; i < opts.cableTrials; i++) {
    const on = await swarmThreeThree(lab, swarm);
    // a worker without tasks, so nothing is rescheduled while the cable is out
    const victim = pickVictim(swarm.workers, on, 0, cableVictims) ?? pickVictim(swarm.workers, on, REPLICAS / 2, cableVictims)!;
    cableVictims.push(victim.name);
    const t0 = performance.now();
    await victim.loss(1);
    try {
      await until(`${victim.name} down`, () => state(victim), (s) => s !== 'ready', 90_000, 50);
      cable.push((performance.now() - t0) / 1000);
    } finally {
      await victim.loss(null);
    }
    await until(`${victim.name} ready again`, () => state(victim), (s) => s === 'ready', 90_000, 200);
    log(`swarm cut cable ${i + 1}/${opts.cableTrials} on ${victim.name}: Down ${cable.at(-1)!.toFixed(2)} s`);
  }
  return {
    runnable: true,
    endpointMode: 'dnsrr',
    powerCut: { victims: cuts, detection: figures(detection), replacement: figures(replacement), restore: figures(restore) },
    cable: { victims: cableVictims, detection: figures(cable) },
  };
}

export async function benchFailure(opts: FailureBenchOptions): Promise<FailureBenchResult> {
  const { result: bramble, teardownTimedOut } = await benchBramble(opts);
  const swarm: SwarmFailureResult = opts.swarm ? await benchSwarm(opts) : { runnable: false, reason: 'not run (swarm: false)' };
  return { trials: opts.trials, bramble, swarm, teardownTimedOut };
}
