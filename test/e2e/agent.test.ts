// agent: real pods on a real Docker engine, through the whole system — kubectl → server →
// MQTT → `bramble agent` in a lab node → Docker — and back (status, logs). One node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabNode } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { BIN } from '../lib/server-process.js';
import { kubectl } from '../lib/kubectl.js';
import { until } from '../lib/until.js';

const NS = 'default';


const deployment = (name: string, replicas: number, container: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', ...container }] } },
  },
});

const HTTPD = { image: 'local/busybox:1', command: ['httpd', '-f', '-p', '80', '-h', '/www'] };

describe('agent on a real Docker engine', () => {
  let c: Cluster;
  let node: LabNode;
  const api = () => c.server.api;
  const pods = async (app: string) =>
    (await api().call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`)).json().items.filter((p: any) => !p.metadata.deletionTimestamp) as any[];
  const running = (ps: any[], n: number) => ps.length === n && ps.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
  const containers = async () => (await node.docker(['ps', '-q', '--filter', 'label=io.bramble.pod.uid'])).stdout.trim().split('\n').filter(Boolean);

  beforeAll(async () => {
    c = await startCluster({ nodes: 1 });
    node = c.lab.node(1);
    await c.startAgent(node);
    await until(
      'node Ready',
      async () => (await api().call('GET', `/api/v1/nodes/${node.name}`)).json(),
      (n) => n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'),
    );
  }, 120_000);

  afterAll(async () => {
    if (c) {
      if (process.env.BRAMBLE_E2E_DEBUG) console.log(c.agentLog(node), c.server.output());
      await c.stop();
    }
  }, 120_000);

  it('registers the node with capacity, arch and conditions', async () => {
    const n = (await api().call('GET', `/api/v1/nodes/${node.name}`)).json();
    expect(n.metadata.labels['kubernetes.io/arch']).toMatch(/^(amd64|arm64|arm)$/);
    expect(n.metadata.labels['kubernetes.io/os']).toBe('linux');
    expect(n.status.capacity).toMatchObject({ cpu: expect.any(String), memory: expect.any(String), pods: expect.any(String) });
    expect(n.status.conditions.map((x: any) => x.type)).toEqual(expect.arrayContaining(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']));
    expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\//);
  });

  it('runs a Deployment of 3 httpd pods with pod IPs that serve the page', async () => {
    expect((await api().call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('web', 3, { ...HTTPD, ports: [{ containerPort: 80 }] }))).status).toBe(201);
    const ps = await until('3 pods Running', () => pods('web'), (p) => running(p, 3) && p.every((x: any) => x.status.podIP));
    for (const p of ps) {
      const page = await node.exec(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${p.status.podIP}/`]);
      expect(page.stdout).toContain('hello from bramble');
    }
    const table = await kubectl(32, c.server.kubeconfig, ['get', 'pods', '-l', 'app=web']);
    expect(table.stdout).toMatch(/web-\S+\s+1\/1\s+Running\s+0/);
  });

  it('restarts a killed container (restartCount 1) and replaces a deleted pod', async () => {
    const [victim] = await pods('web');
    const ids = (await node.docker(['ps', '-q', '--filter', `label=io.bramble.pod.uid=${victim.metadata.uid}`, '--filter', 'label=io.bramble.container.role=app'])).stdout.trim();
    expect(ids).not.toBe('');
    await node.docker(['kill', ids.split('\n')[0]]);
    await until(
      'restartCount 1',
      async () => (await api().call('GET', `/api/v1/namespaces/${NS}/pods/${victim.metadata.name}`)).json(),
      (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && p.status.containerStatuses[0].ready,
    );
    const other = (await pods('web'))[1];
    expect((await api().call('DELETE', `/api/v1/namespaces/${NS}/pods/${other.metadata.name}`)).status).toBe(200);
    await until('replacement', () => pods('web'), (ps) => running(ps, 3) && !ps.some((p) => p.metadata.name === other.metadata.name));
  });

  it('scales to 5 and to 0', async () => {
    const scale = (n: number) =>
      api().call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas: n } }, { 'content-type': 'application/merge-patch+json' });
    await scale(5);
    await until('5 running', () => pods('web'), (ps) => running(ps, 5));
    await scale(0);
    await until('0 pods', async () => (await api().call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`)).json().items, (ps) => ps.length === 0);
    await until('no containers', containers, (ids) => ids.length === 0);
  });

  it('streams logs with kubectl logs -f', async () => {
    await api().call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('talker', 1, { image: 'local/busybox:1', command: ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.5; done'] }));
    const [p] = await until('talker running', () => pods('talker'), (ps) => running(ps, 1));
    const r = await kubectl(32, c.server.kubeconfig, ['logs', p.metadata.name, '--tail=1']);
    expect(r.stdout).toMatch(/^line \d+\n$/);
    const f = await kubectl(32, c.server.kubeconfig, ['logs', '-f', p.metadata.name, '--request-timeout=3s']);
    const lines = f.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const nums = lines.map((l) => Number(l.split(' ')[1]));
    expect(nums[nums.length - 1]).toBeGreaterThan(nums[0]);
  });

  it('shows CrashLoopBackOff with growing delays for a crashing container', async () => {
    await api().call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('crasher', 1, { image: 'local/busybox:1', command: ['sh', '-c', 'echo bye; exit 3'] }));
    const restarts: number[] = [];
    let last = -1;
    const p = await until(
      'three restarts',
      async () => {
        const [x] = await pods('crasher');
        const n = x?.status?.containerStatuses?.[0]?.restartCount ?? 0;
        if (n !== last) {
          restarts.push(Date.now());
          last = n;
        }
        return x;
      },
      (x) => (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3,
      90_000,
    );
    const cs = p.status.containerStatuses[0];
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const waiting = await until('CrashLoopBackOff', async () => (await pods('crasher'))[0], (x) => x.status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff');
    expect(waiting.status.containerStatuses[0].state.waiting.message).toMatch(/back-off \d+s restarting failed container/);
    const gaps = restarts.slice(1).map((t, i) => t - restarts[i]);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]);
  }, 120_000);

  it('keeps a pod with a failing readiness probe not Ready', async () => {
    await api().call(
      'POST',
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      deployment('unready', 1, { ...HTTPD, readinessProbe: { httpGet: { path: '/missing.html', port: 80 }, periodSeconds: 1 } }),
    );
    const [p] = await until('running', () => pods('unready'), (ps) => ps[0]?.status?.phase === 'Running');
    await new Promise((r) => setTimeout(r, 4000));
    const now = (await api().call('GET', `/api/v1/namespaces/${NS}/pods/${p.metadata.name}`)).json();
    expect(now.status.containerStatuses[0].ready).toBe(false);
    expect(now.status.conditions.find((x: any) => x.type === 'Ready').status).toBe('False');
  });

  it('reports a missing image as ErrImagePull / ImagePullBackOff with the registry message', async () => {
    await api().call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('ghost', 1, { image: 'local/does-not-exist:1' }));
    const p = await until(
      'pull error',
      async () => (await pods('ghost'))[0],
      (x) => ['ErrImagePull', 'ImagePullBackOff'].includes(x?.status?.containerStatuses?.[0]?.state?.waiting?.reason),
    );
    expect(p.status.containerStatuses[0].state.waiting.message).toMatch(/local\/does-not-exist/);
  });

  it('restarts no container when the agent restarts', async () => {
    // Only steady pods: a crash-looping one restarts by design.
    for (const d of ['crasher', 'ghost', 'unready']) await api().call('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/${d}`);
    await api().call('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { spec: { replicas: 2 } }, { 'content-type': 'application/merge-patch+json' });
    await until('steady pods', async () => (await api().call('GET', `/api/v1/namespaces/${NS}/pods`)).json().items, (ps: any[]) => ps.length === 3 && running(ps, 3));
    // 3 pods: 2 web + talker, each an infra and an app container.
    const before = await until('6 containers', containers, (ids) => ids.length === 6);
    const started = async (ids: string[]) => (await node.docker(['inspect', '-f', '{{.Id}} {{.State.StartedAt}}', ...ids])).stdout;
    const stamp = await started(before);
    await c.stopAgent(node);
    await c.startAgent(node);
    await new Promise((r) => setTimeout(r, 5000));
    const after = await containers();
    expect([...after].sort()).toEqual([...before].sort());
    expect(await started(before)).toBe(stamp);
  });
});

describe('offline autonomy on a real Docker engine', () => {
  let c: Cluster;
  let node: LabNode;
  const api = () => c.server.api;
  const appContainers = async () => {
    const out = (await node.docker(['ps', '--filter', 'label=io.bramble.container.role=app', '--format', '{{.ID}} {{.Label "io.bramble.pod.name"}}'])).stdout.trim();
    return out ? out.split('\n').map((l) => l.split(' ') as [string, string]) : [];
  };
  const startedAt = async (ids: string[]) => (await node.docker(['inspect', '-f', '{{.Id}} {{.State.StartedAt}}', ...ids])).stdout.trim().split('\n').sort();

  beforeAll(async () => {
    c = await startCluster({ nodes: 1 });
    node = c.lab.node(1);
    await c.startAgent(node);
    await until('node Ready', async () => (await api().call('GET', `/api/v1/nodes/${node.name}`)).json(), (n) =>
      n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'),
    );
    await api().call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('steady', 3, HTTPD));
    await until('3 app containers', appContainers, (cs) => cs.length === 3);
    await until('3 pods Running', async () => (await api().call('GET', `/api/v1/namespaces/${NS}/pods`)).json().items, (ps: any[]) =>
      ps.length === 3 && ps.every((p) => p.status?.phase === 'Running'),
    );
  }, 120_000);

  afterAll(async () => {
    if (c) {
      if (process.env.BRAMBLE_E2E_DEBUG) console.log(c.agentLog(node));
      await c.stop();
    }
  }, 120_000);

  it('keeps pods running for 60 s without the server, restarts a killed one, and comes back without restarts', async () => {
    const before = await appContainers();
    const stampsBefore = await startedAt(before.map(([id]) => id));
    const podNames = before.map(([, pod]) => pod).sort();
    const downSince = Date.now();
    await c.stopServer();

    // A container killed while the server is away is restarted by the agent alone.
    const [killedId, killedPod] = before[0];
    await node.docker(['kill', killedId]);
    const afterKill = await until('killed container replaced', appContainers, (cs) => cs.length === 3 && !cs.some(([id]) => id === killedId));
    expect(afterKill.map(([, pod]) => pod).sort()).toEqual(podNames);

    // The untouched containers never restarted.
    const untouched = before.filter(([id]) => id !== killedId).map(([id]) => id);
    const wait = 60_000 - (Date.now() - downSince);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    expect(await startedAt(untouched)).toEqual(stampsBefore.filter((l) => !l.startsWith(killedId)));

    await c.startServer();
    // Give the agent time to reconnect and the server time to settle, then check nothing moved.
    await until('pods reported Running again', async () => (await api().call('GET', `/api/v1/namespaces/${NS}/pods`)).json().items, (ps: any[]) =>
      ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready && !p.metadata.deletionTimestamp),
    );
    await new Promise((r) => setTimeout(r, 10_000));
    const pods = (await api().call('GET', `/api/v1/namespaces/${NS}/pods`)).json().items;
    expect(pods.map((p: any) => p.metadata.name).sort()).toEqual(podNames);
    expect(pods.find((p: any) => p.metadata.name === killedPod).status.containerStatuses[0].restartCount).toBe(1);
    expect(await startedAt(untouched)).toEqual(stampsBefore.filter((l) => !l.startsWith(killedId)));
  }, 150_000);

  it('brings pods back from disk when the agent restarts while the server is down', async () => {
    const podNames = (await appContainers()).map(([, pod]) => pod).sort();
    await c.stopServer();
    await c.stopAgent(node);
    // A power cut takes the containers with it.
    const all = (await node.docker(['ps', '-aq', '--filter', 'label=io.bramble.pod.uid'])).stdout.trim().split('\n').filter(Boolean);
    await node.docker(['rm', '-f', ...all]);
    await c.startAgent(node);
    const back = await until('pods back without the server', appContainers, (cs) => cs.length === 3);
    expect(back.map(([, pod]) => pod).sort()).toEqual(podNames);
    const ip = (await node.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', (await node.docker(['ps', '-q', '--filter', 'label=io.bramble.container.role=infra'])).stdout.trim().split('\n')[0]])).stdout.trim();
    expect((await node.exec(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${ip}/`])).stdout).toContain('hello from bramble');
    await c.startServer();
  }, 120_000);

  it.each([
    ['a token for another CA', () => `K10${'ab'.repeat(32)}::abcdef.0123456789abcdef`, /does not match the join token/],
    ['a wrong secret', (good: string) => good.replace(/\.[a-z0-9]+$/, '.0123456789abcdef'), /join refused: join token is invalid, expired or revoked/],
  ])('refuses to join with %s, in one line', async (_what, token, message) => {
    const good = readFileSync(join(c.server.dataDir, 'node-token'), 'utf8').trim();
    const bad = node.spawn([process.execPath, BIN, 'agent', '--server', `https://${c.lab.gatewayIp}:${c.server.port}`, '--token', token(good), '--data-dir', `/tmp/bramble-badjoin-${process.pid}-${Date.now()}`, '--node-name', 'intruder', '--docker-host', node.dockerHost]);
    let out = '';
    bad.stdout?.on('data', (d) => (out += d));
    bad.stderr?.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => bad.once('exit', r));
    expect(code).not.toBe(0);
    expect(out).toMatch(message);
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
    expect((await api().call('GET', '/api/v1/nodes/intruder')).status).toBe(404);
  }, 60_000);
});
