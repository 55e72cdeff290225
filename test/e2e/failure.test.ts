// failure: a node's power cut, a cut cable and a lossy link, on 3 lab nodes with real agents and
// Docker engines, default server settings (3 s grace, 5 s not-ready toleration).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabNode } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { until } from '../lib/until.js';


const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'local/busybox:1', command: ['httpd', '-f', '-p', '80', '-h', '/www'] }] } },
  },
};

// tools: the test's view of a cluster, given lazily (describe blocks assign theirs in beforeAll).
function tools(cluster: () => Cluster) {
  const api = () => cluster().server.api;
  const get = async (path: string) => (await api().call('GET', path)).json();
  const ready = (n: any) => n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True';
  const node = (name: string) => get(`/api/v1/nodes/${name}`);
  const webPods = async () => ((await get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items as any[]).filter((p) => !p.metadata.deletionTimestamp);
  const runningOn = (ps: any[]) => {
    const out: Record<string, number> = {};
    for (const p of ps) if (p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) out[p.spec.nodeName] = (out[p.spec.nodeName] ?? 0) + 1;
    return out;
  };
  const appContainers = async (n: LabNode) =>
    (await n.docker(['ps', '-q', '--filter', 'label=io.bramble.pod.namespace=default', '--filter', 'label=io.bramble.container.role=app'])).stdout.trim().split('\n').filter(Boolean).length;
  const setUnschedulable = (name: string, on: boolean) =>
    api().call('PATCH', `/api/v1/nodes/${name}`, { spec: { unschedulable: on } }, { 'content-type': 'application/merge-patch+json' });

  return { api, get, ready, node, webPods, runningOn, appContainers, setUnschedulable };
}

// powerCut: kill -9 the agent and dockerd of the node running 3 of 6 replicas; NotReady within
// 3 s, 6 replicas Running on the others within 15 s; when it returns, nothing runs twice.
async function powerCut(c: Cluster, label: string): Promise<void> {
  const { api, node, ready, webPods, runningOn, appContainers, setUnschedulable } = tools(() => c);
  // 3 of the 6 replicas on n3: n1 takes none until the cut
  await setUnschedulable('n1', true);
  expect((await api().call('POST', '/apis/apps/v1/namespaces/default/deployments', web)).status).toBe(201);
  await until('3 + 3 replicas Running on n2 and n3', webPods, (ps) => JSON.stringify(runningOn(ps)) === JSON.stringify({ n2: 3, n3: 3 }) || (runningOn(ps).n2 === 3 && runningOn(ps).n3 === 3), 90_000);
  await setUnschedulable('n1', false);

  const n3 = c.lab.node(3);
  const t0 = Date.now();
  await Promise.all([c.stopAgent(n3, 'SIGKILL'), n3.stopEngine('SIGKILL')]);
  await until('n3 not Ready', () => node('n3'), (n) => !ready(n), 10_000, 50);
  const detected = (Date.now() - t0) / 1000;
  await until('6 replicas Running on n1 and n2', webPods, (ps) => (runningOn(ps).n1 ?? 0) + (runningOn(ps).n2 ?? 0) === 6, 30_000, 100);
  const replaced = (Date.now() - t0) / 1000;
  console.log(`${label} power cut: NotReady after ${detected.toFixed(2)} s, 6 replicas Running after ${replaced.toFixed(2)} s`);
  expect(detected).toBeLessThanOrEqual(3);
  expect(replaced).toBeLessThanOrEqual(15);

  // the node comes back: its replaced pods are stopped, nothing runs twice
  await n3.startEngine();
  await c.startAgent(n3);
  await until('n3 Ready again', () => node('n3'), ready, 60_000);
  const total = await until(
    'exactly 6 web containers across the nodes',
    async () => (await Promise.all(c.lab.nodes.map(appContainers))).reduce((a, b) => a + b, 0),
    (n) => n === 6,
    60_000,
    500,
  );
  expect(total).toBe(6);
  await new Promise((r) => setTimeout(r, 5_000));
  expect((await Promise.all(c.lab.nodes.map(appContainers))).reduce((a, b) => a + b, 0)).toBe(6);
  expect((await webPods()).length).toBe(6);
}

describe('node failures on 3 lab nodes', () => {
  let c: Cluster;
  const { api, get, ready, node, webPods, runningOn, appContainers, setUnschedulable } = tools(() => c);

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
    for (const n of c.lab.nodes) await c.startAgent(n);
    await until('3 nodes Ready', async () => (await get('/api/v1/nodes')).items as any[], (ns) => ns.length === 3 && ns.every(ready));
  }, 120_000);

  afterAll(async () => {
    if (c) {
      if (process.env.BRAMBLE_E2E_DEBUG) console.log(c.server.output());
      await c.stop();
    }
  }, 120_000);

  it('survives a power cut: NotReady within 3 s, 6 replicas Running elsewhere within 15 s, none twice when it returns', async () => {
    await powerCut(c, 'embedded broker:');
  });

  it('marks a node whose cable is cut NotReady within the grace period, and Ready when it is back', async () => {
    const n2 = c.lab.node(2);
    await until('n2 Ready', () => node('n2'), ready);
    // n2's grace: 3 s on a steady link, more if its heartbeats have been arriving unevenly (a busy
    // 2-core machine running several clusters can do that too)
    const metrics = (await api().call('GET', '/metrics')).text;
    const grace = Number(/^bramble_node_heartbeat_grace_seconds\{node="n2"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(grace).toBeGreaterThanOrEqual(3);
    const t0 = Date.now();
    await n2.loss(1);
    try {
      await until('n2 not Ready', () => node('n2'), (n) => !ready(n), 30_000, 50);
      const detected = (Date.now() - t0) / 1000;
      console.log(`100 % loss: NotReady after ${detected.toFixed(2)} s (grace ${grace.toFixed(2)} s)`);
      expect(detected).toBeLessThanOrEqual(grace + 1); // checked every second
    } finally {
      await n2.loss(null);
    }
    await until('n2 Ready again', () => node('n2'), ready, 60_000);
  });

  it('keeps a partitioned node\'s pods running, replaces them elsewhere, and leaves no duplicate or orphan on heal', async () => {
    const n3 = c.lab.node(3);
    await until('6 replicas Running', webPods, (ps) => Object.values(runningOn(ps)).reduce((a, b) => a + b, 0) === 6, 60_000);
    // move 2 replicas onto n3 (cordon the others, delete 2 pods elsewhere)
    await setUnschedulable('n1', true);
    await setUnschedulable('n2', true);
    for (const p of (await webPods()).filter((x) => x.spec.nodeName !== 'n3').slice(0, 2)) {
      await api().call('DELETE', `/api/v1/namespaces/default/pods/${p.metadata.name}`);
    }
    await until('2 replicas on n3', webPods, (ps) => runningOn(ps).n3 === 2, 60_000);
    await setUnschedulable('n1', false);
    await setUnschedulable('n2', false);
    const before = await appContainers(n3);
    expect(before).toBe(2);

    await n3.loss(1);
    try {
      await until('replacements Running on n1 and n2', webPods, (ps) => (runningOn(ps).n1 ?? 0) + (runningOn(ps).n2 ?? 0) === 6, 60_000, 200);
      // cut off, the node keeps its containers: nothing tells it otherwise
      expect(await appContainers(n3)).toBe(2);
      await new Promise((r) => setTimeout(r, Number(process.env.BRAMBLE_PARTITION_SECONDS ?? 20) * 1000));
      expect(await appContainers(n3)).toBe(2);
    } finally {
      await n3.loss(null);
    }
    await until('n3 Ready again', () => node('n3'), ready, 60_000);
    await until('n3 stopped its replaced pods', () => appContainers(n3), (n) => n === 0, 60_000, 500);
    // every container left on any node belongs to a live pod (the replaced pods' containers are
    // removed a moment after they stop: converged, not at one instant)
    const orphans = async () => {
      const podUids = new Set((await webPods()).map((p) => p.metadata.uid));
      const found: string[] = [];
      for (const n of c.lab.nodes) {
        const ids = (await n.docker(['ps', '-aq', '--filter', 'label=io.bramble.pod.namespace=default'])).stdout.trim().split('\n').filter(Boolean);
        if (!ids.length) continue;
        const uids = (await n.docker(['inspect', '-f', '{{.Id}} {{index .Config.Labels "io.bramble.pod.uid"}}', ...ids])).stdout.trim().split('\n');
        for (const line of uids) if (!podUids.has(line.split(' ')[1])) found.push(`${n.name}:${line.slice(0, 12)}`);
      }
      return found;
    };
    expect(await until('no orphaned container', orphans, (o) => o.length === 0, 30_000, 500)).toEqual([]);
    expect((await Promise.all(c.lab.nodes.map(appContainers))).reduce((a, b) => a + b, 0)).toBe(6);
  }, 240_000);

  it('restarts no container and reschedules no pod while the server is down', async () => {
    await until('6 replicas Running', webPods, (ps) => Object.values(runningOn(ps)).reduce((a, b) => a + b, 0) === 6, 60_000);
    const uids = (await webPods()).map((p) => p.metadata.uid).sort();
    const started = async () =>
      (
        await Promise.all(
          c.lab.nodes.map(async (n) => {
            const ids = (await n.docker(['ps', '-aq', '--filter', 'label=io.bramble.pod.namespace=default'])).stdout.trim().split('\n').filter(Boolean);
            return ids.length ? (await n.docker(['inspect', '-f', '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}', ...ids])).stdout.trim().split('\n') : [];
          }),
        )
      )
        .flat()
        .sort();
    const before = await started();
    await c.stopServer();
    await new Promise((r) => setTimeout(r, Number(process.env.BRAMBLE_SERVER_DOWN_SECONDS ?? 30) * 1000));
    expect(await started()).toEqual(before);
    await c.startServer();
    await until('3 nodes Ready', async () => (await get('/api/v1/nodes')).items as any[], (ns) => ns.length === 3 && ns.every(ready), 60_000);
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await webPods()).map((p) => p.metadata.uid).sort()).toEqual(uids);
    expect(await started()).toEqual(before);
  }, 400_000);
});

// The agents' MQTT traffic reaches the server 0–100 ms late (the lab relay's jitter: this kernel
// has no netem), and node 1 loses 20 % of its packets both ways.
describe('a lossy, jittery link', () => {
  let c: Cluster;
  const { api, node, ready } = tools(() => c);

  beforeAll(async () => {
    c = await startCluster({ nodes: 2, mqttJitterMs: 100 });
    for (const n of c.lab.nodes) await c.startAgent(n);
    await until('2 nodes Ready', async () => ((await api().call('GET', '/api/v1/nodes')).json().items as any[]), (ns) => ns.length === 2 && ns.every(ready));
  }, 120_000);

  afterAll(async () => {
    if (c) await c.stop();
  }, 120_000);

  it('does not flap a node on a link losing 20 % of its packets, with 100 ms of jitter', async () => {
    const n1 = c.lab.node(1);
    await until('n1 Ready', () => node('n1'), ready);
    const transitions: string[] = [];
    const watch = api().stream('/api/v1/nodes?watch=true&fieldSelector=metadata.name%3Dn1', (line) => {
      const { object: n } = JSON.parse(line);
      const status = n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status;
      if (transitions.at(-1) !== status) transitions.push(status);
    });
    await n1.loss(0.2);
    try {
      await new Promise((r) => setTimeout(r, Number(process.env.BRAMBLE_LOSS_SECONDS ?? 60) * 1000));
    } finally {
      await n1.loss(null);
      watch.close();
    }
    expect(transitions).toEqual(['True']);
  }, 400_000);

  it('still notices the same node losing everything, within its stretched grace', async () => {
    const n1 = c.lab.node(1);
    await n1.loss(0.2); // keep the link bad: the grace stays stretched
    const grace = Number(/^bramble_node_heartbeat_grace_seconds\{node="n1"\} (\S+)$/m.exec((await api().call('GET', '/metrics')).text)?.[1]);
    const t0 = Date.now();
    await n1.loss(1);
    try {
      await until('n1 not Ready', () => node('n1'), (n) => !ready(n), 60_000, 100);
    } finally {
      await n1.loss(null);
    }
    const detected = (Date.now() - t0) / 1000;
    console.log(`lossy link, then 100 % loss: NotReady after ${detected.toFixed(2)} s (grace ${grace.toFixed(2)} s)`);
    expect(grace).toBeLessThanOrEqual(20); // --node-monitor-grace-period-max
    expect(detected).toBeLessThanOrEqual(grace + 1);
    await until('n1 Ready again', () => node('n1'), ready, 60_000);
  }, 120_000);
});

describe('a power cut with an external Mosquitto instead of the embedded broker', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster({ nodes: 3, mqtt: 'mosquitto' });
    for (const n of c.lab.nodes) await c.startAgent(n);
    const { get, ready } = tools(() => c);
    await until('3 nodes Ready', async () => (await get('/api/v1/nodes')).items as any[], (ns) => ns.length === 3 && ns.every(ready));
  }, 120_000);

  afterAll(async () => {
    if (c) await c.stop();
  }, 120_000);

  it('detects it within 3 s and has 6 replicas Running elsewhere within 15 s, none twice after', async () => {
    await powerCut(c, 'Mosquitto:');
  });
});
