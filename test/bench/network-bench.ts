// network-bench: the agent's kube-proxy half, measured two ways.
//  1. Service create → traffic: 3 lab nodes with real agents and 3 httpd backends; for each new
//     ClusterIP Service, the time from the POST until a request to its ClusterIP succeeds from
//     every node's own network namespace (busybox wget polled every 50 ms on all nodes at once).
//  2. Rule sync at size: in one lab node, 200 services × 5 endpoints computed in memory and
//     written with syncRules — first full sync, a no-op re-sync, one endpoint changed.
// All traffic stays inside the lab's namespaces (and the test's loopback for the API).
import { type AppliedState, cleanupRules, type Exec, syncRules } from '../../agent/proxy/iptables.js';
import { computeRules } from '../../agent/proxy/rules.js';
import { type RuleSet, renderRestore } from '../../agent/proxy/ruleset.js';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { type LabNode, startLab } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { percentile } from './stats.js';
import { until } from '../lib/until.js';
import { stopClusterBounded } from './teardown.js';

export interface ServiceCreateResult {
  services: number;
  backends: { name: string; node: string; ip: string }[];
  /** per service: ms from POST to the first successful request, per node, and the slowest node */
  samples: { service: string; clusterIP: string; apiMs: number; perNodeMs: Record<string, number>; allNodesMs: number; goneMs: number }[];
  p50AllNodesMs: number;
  maxAllNodesMs: number;
  p50FirstNodeMs: number;
  /** delete → requests to the ClusterIP fail on every node */
  p50GoneMs: number;
  /** one successful probe (wget via nsenter) to a pod IP: the measurement's own floor */
  probeMs: number;
  /** the cluster's stop() did not finish (see stopCluster); the lab is left to its exit handler */
  teardownTimedOut: boolean;
}

export interface RuleSyncResult {
  services: number;
  endpointsPerService: number;
  repeats: number;
  chains: number;
  rules: number;
  computeMs: number;
  firstSyncMs: number;
  noopSyncMs: number;
  oneEndpointSyncMs: number;
  oneEndpointChainsWritten: number;
  oneEndpointChainsDeleted: number;
  noStateResyncMs: number;
  restoreBytes: number;
}

export interface NetworkBenchResult {
  serviceCreate: ServiceCreateResult;
  ruleSync: RuleSyncResult;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

// Each backend serves its own pod name (as in test/e2e/networking.test.ts).
const SERVE_NAME = ['sh', '-c', 'mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www'];
const APP = 'netbench';

// probe is one request from a node's own namespace; busybox 1.35's wget crashes on -T.
const probe = (node: LabNode, url: string) => node.exec(['timeout', '1', 'busybox', 'wget', '-qO-', url], { timeoutMs: 5_000 });

// probeUntil starts a probe every 50 ms without waiting for the ones in flight — a request to a
// ClusterIP that has no rules yet is not refused but hangs until `timeout 1` ends it, so one probe
// after another would only see changes to the nearest second. It returns, relative to t0, when the
// first probe with the wanted outcome began and ended, once every probe it started has ended.
async function probeUntil(node: LabNode, url: string, wantOk: boolean, t0: number, what: string): Promise<{ startMs: number; endMs: number }> {
  const deadline = performance.now() + 30_000;
  const inFlight = new Set<Promise<void>>();
  const seen: { hit?: { startMs: number; endMs: number }; last: string } = { last: '' };
  while (!seen.hit) {
    if (performance.now() > deadline) {
      await Promise.all(inFlight);
      throw new Error(`timed out waiting for ${what} on ${node.name}; last probe: ${seen.last}`);
    }
    const started = performance.now();
    const p: Promise<void> = probe(node, url)
      .then((r) => {
        const ok = r.code === 0 && r.stdout.trim() !== '';
        if (ok === wantOk && !seen.hit) seen.hit = { startMs: started - t0, endMs: performance.now() - t0 };
        seen.last = `exit ${r.code} ${r.stderr.trim()}`;
      })
      .catch((e) => {
        seen.last = (e as Error).message;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    await sleep(50);
  }
  await Promise.all(inFlight);
  return seen.hit;
}


export async function benchNetwork(opts: { services: number; syncServices: number; syncEndpoints: number; syncRepeats: number }): Promise<NetworkBenchResult> {
  const serviceCreate = await benchServiceCreate(opts.services);
  const ruleSync = await benchRuleSync(opts.syncServices, opts.syncEndpoints, opts.syncRepeats);
  return { serviceCreate, ruleSync };
}

async function benchServiceCreate(n: number): Promise<ServiceCreateResult> {
  const c = await startCluster({ nodes: 3 });
  let timedOut = false;
  let r: Omit<ServiceCreateResult, 'teardownTimedOut'>;
  try {
    r = await measureServiceCreate(c, n);
  } finally {
    timedOut = !(await stopClusterBounded(c, 15_000, (m) => process.stderr.write(`network bench: ${m}\n`)));
  }
  return { ...r, teardownTimedOut: timedOut };
}

async function measureServiceCreate(c: Cluster, n: number): Promise<Omit<ServiceCreateResult, 'teardownTimedOut'>> {
  const api = c.server.api;
  const get = async (path: string) => (await api.call('GET', path)).json();
  const create = async (path: string, body: unknown) => {
    const r = await api.call('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
    return r.json();
  };
  for (const node of c.lab.nodes) await c.startAgent(node);
  await until(
    '3 nodes Ready with a pod CIDR',
    async () => (await get('/api/v1/nodes')).items as any[],
    (ns) => ns.length === 3 && ns.every((x) => x.spec?.podCIDR && x.status?.conditions?.some((k: any) => k.type === 'Ready' && k.status === 'True')),
    60_000,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}\n${c.lab.nodes.map((x) => `--- ${x.name}\n${c.agentLog(x).slice(-3000)}`).join('\n')}`);
  });
  await create('/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels: { app: APP } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'local/busybox:1', command: SERVE_NAME, ports: [{ name: 'http', containerPort: 80 }] }] },
      },
    },
  });
  const pods = await until(
    '3 backends Ready',
    async () => (await get(`/api/v1/namespaces/default/pods?labelSelector=app%3D${APP}`)).items as any[],
    (ps) => ps.filter((p) => p.metadata.labels?.app === APP && p.status?.conditions?.some((k: any) => k.type === 'Ready' && k.status === 'True')).length === 3,
    120_000,
  );
  const backends = pods
    .filter((p) => p.metadata.labels?.app === APP)
    .map((p) => ({ name: p.metadata.name as string, node: p.spec.nodeName as string, ip: p.status.podIP as string }));

  // The probe's own cost: a request from node 1 to a backend on another node, once routes exist.
  const far = backends.find((b) => b.node !== c.lab.node(1).name) ?? backends[0];
  await until(`node 1 reaches ${far.ip}`, () => probe(c.lab.node(1), `http://${far.ip}/`), (r) => r.code === 0, 30_000);
  const probeTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await probe(c.lab.node(1), `http://${far.ip}/`);
    probeTimes.push(performance.now() - t);
  }

  const samples: ServiceCreateResult['samples'] = [];
  for (let i = 0; i < n; i++) {
    const name = `${APP}-${i}`;
    const t0 = performance.now();
    const svc = await create('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: APP }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const apiMs = performance.now() - t0;
    const clusterIP = svc.spec.clusterIP as string;
    const url = `http://${clusterIP}/`;
    const perNode = await Promise.all(c.lab.nodes.map((node) => probeUntil(node, url, true, t0, `service ${name} (${clusterIP}) answering`)));
    const perNodeMs = Object.fromEntries(c.lab.nodes.map((node, k) => [node.name, round(perNode[k].endMs)]));
    const allNodesMs = Math.max(...perNode.map((h) => h.endMs));

    // Delete, and wait until no node answers on the ClusterIP any more, so the next service
    // (which may get the same address back) starts from a clean slate. A request to an address
    // without rules hangs until its timeout, so what counts is when the first failing probe began.
    const d0 = performance.now();
    const del = await api.call('DELETE', `/api/v1/namespaces/default/services/${name}`);
    if (del.status !== 200) throw new Error(`DELETE ${name}: ${del.status} ${del.text}`);
    const gone = await Promise.all(c.lab.nodes.map((node) => probeUntil(node, url, false, d0, `deleted service ${name} (${clusterIP}) not answering`)));
    samples.push({ service: name, clusterIP, apiMs: round(apiMs), perNodeMs, allNodesMs: round(allNodesMs), goneMs: round(Math.max(...gone.map((h) => h.startMs))) });
    await sleep(200);
  }
  const all = samples.map((s) => s.allNodesMs).sort((a, b) => a - b);
  return {
    services: n,
    backends,
    samples,
    p50AllNodesMs: percentile(all, 50),
    maxAllNodesMs: all[all.length - 1],
    p50FirstNodeMs: median(samples.map((s) => Math.min(...Object.values(s.perNodeMs)))),
    p50GoneMs: median(samples.map((s) => s.goneMs)),
    probeMs: round(median(probeTimes)),
  };
}


// The in-memory cluster for the sync benchmark: service i gets 10.43.(i/250).(i%250+1), its
// endpoints pod IPs spread over 10 nodes' subnets.
function syntheticCluster(services: number, perService: number): { services: Service[]; endpoints: Endpoints[] } {
  const svcs: Service[] = [];
  const eps: Endpoints[] = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    svcs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'bench', name },
      spec: { type: 'ClusterIP', clusterIP: `10.43.${Math.floor(i / 250)}.${(i % 250) + 1}`, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
    const addresses = Array.from({ length: perService }, (_, j) => {
      const k = i * perService + j;
      const node = (k % 10) + 1;
      return { ip: `10.244.${node}.${Math.floor(k / 10) % 250 + 2}`, nodeName: `n${node}` };
    });
    eps.push({ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'bench', name }, subsets: [{ addresses, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] });
  }
  return { services: svcs, endpoints: eps };
}

async function benchRuleSync(services: number, perService: number, repeats: number): Promise<RuleSyncResult> {
  const lab = await startLab({ nodes: 1, name: 'netbench' });
  try {
    const node = lab.node(1);
    const exec: Exec = (argv, input) => node.exec(argv, { input });
    const cluster = syntheticCluster(services, perService);
    const input = (endpoints: Endpoints[]) => ({ services: cluster.services, endpoints, node: { name: node.name, addresses: [node.ip] }, clusterCidr: lab.clusterCidr, podCidr: node.podCidr });

    const computeTimes: number[] = [];
    let ruleSet: RuleSet = computeRules(input(cluster.endpoints)); // warm-up
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      ruleSet = computeRules(input(cluster.endpoints));
      computeTimes.push(performance.now() - t);
    }
    // One endpoint of one service moves to another pod IP.
    const changed = structuredClone(cluster.endpoints);
    changed[Math.floor(services / 2)].subsets![0].addresses![0].ip = '10.244.99.99';
    const changedSet = computeRules(input(changed));

    const timed = async (f: () => Promise<{ state: AppliedState; written: string[]; deleted: string[] }>) => {
      const t = performance.now();
      const r = await f();
      return { ms: performance.now() - t, ...r };
    };
    const first: number[] = [];
    const noop: number[] = [];
    const one: number[] = [];
    const noState: number[] = [];
    let oneWritten = 0;
    let oneDeleted = 0;
    for (let i = 0; i < repeats; i++) {
      await cleanupRules(exec);
      const a = await timed(() => syncRules(ruleSet, exec));
      if (a.written.length !== ruleSet.chains.length) throw new Error(`first sync wrote ${a.written.length} of ${ruleSet.chains.length} chains`);
      first.push(a.ms);
      const b = await timed(() => syncRules(ruleSet, exec, a.state));
      if (b.written.length !== 0) throw new Error(`no-op sync wrote ${b.written.length} chains`);
      noop.push(b.ms);
      const c = await timed(() => syncRules(changedSet, exec, b.state));
      one.push(c.ms);
      oneWritten = c.written.length;
      oneDeleted = c.deleted.length;
      const d = await timed(() => syncRules(changedSet, exec)); // as after an agent restart
      noState.push(d.ms);
    }
    // Sanity: what the kernel holds matches what was computed.
    const saved = await node.run(['sh', '-c', 'iptables-save -t nat; iptables-save -t filter']);
    const inKernel = saved.split('\n').filter((l) => /^-A BRAMBLE-/.test(l)).length;
    const rules = changedSet.chains.reduce((s, ch) => s + ch.rules.length, 0);
    if (inKernel !== rules) throw new Error(`kernel holds ${inKernel} BRAMBLE rules, computed ${rules}`);
    await cleanupRules(exec);
    return {
      services,
      endpointsPerService: perService,
      repeats,
      chains: ruleSet.chains.length,
      rules: ruleSet.chains.reduce((s, ch) => s + ch.rules.length, 0),
      computeMs: round(median(computeTimes), 2),
      firstSyncMs: round(median(first)),
      noopSyncMs: round(median(noop)),
      oneEndpointSyncMs: round(median(one)),
      oneEndpointChainsWritten: oneWritten,
      oneEndpointChainsDeleted: oneDeleted,
      noStateResyncMs: round(median(noState)),
      restoreBytes: renderRestore({ write: ruleSet.chains, remove: [] }).length,
    };
  } finally {
    await lab.stop();
  }
}
