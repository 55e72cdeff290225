// networking: Services, pod routes and cluster DNS across 3 lab nodes — the agent's kube-proxy
// half on real iptables, real Docker bridges and real routes, inside the lab's namespaces only.
// (busybox 1.35's wget crashes on -T; `timeout 3 wget` bounds each request instead.)
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePortKey, svcChain } from '../../agent/proxy/names.js';
import type { LabNode } from '../lab/lab.js';
import { type Cluster, startCluster } from '../lib/cluster.js';
import { until } from '../lib/until.js';

const NS = 'shop';


// Each backend serves its own pod name, so a client can tell which one answered.
const SERVE_NAME = ['sh', '-c', 'mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www'];

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'local/busybox:1', command: SERVE_NAME, ports: [{ name: 'http', containerPort: 80 }] }] },
    },
  },
};

// A pod the selector matches whose readiness probe always fails: it must never get traffic.
const unready = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-unready', namespace: NS, labels: { app: 'web' } },
  spec: {
    terminationGracePeriodSeconds: 1,
    nodeSelector: { 'kubernetes.io/hostname': 'n1' },
    containers: [
      { name: 'httpd', image: 'local/busybox:1', command: SERVE_NAME, ports: [{ name: 'http', containerPort: 80 }], readinessProbe: { httpGet: { path: '/never-there', port: 80 }, periodSeconds: 1 } },
    ],
  },
};

const client = (node: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `client-${node}`, namespace: NS, labels: { app: 'client' } },
  spec: { terminationGracePeriodSeconds: 1, nodeSelector: { 'kubernetes.io/hostname': node }, containers: [{ name: 'sh', image: 'local/busybox:1', command: ['sleep', '3600'] }] },
});

const service = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec },
});

describe('cluster networking on 3 lab nodes', () => {
  let c: Cluster;
  const api = () => c.server.api;
  const get = async (path: string) => (await api().call('GET', path)).json();
  const create = async (path: string, body: unknown) => {
    const r = await api().call('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
    return r.json();
  };
  // execIn runs a command in a pod's app container on its node.
  const execIn = async (node: LabNode, podName: string, cmd: string[], timeoutMs = 30_000) => {
    const id = (await node.docker(['ps', '-q', '--filter', `label=io.bramble.pod.name=${podName}`, '--filter', 'label=io.bramble.container.role=app'])).stdout.trim().split('\n')[0];
    if (!id) throw new Error(`no container of ${podName} on ${node.name}`);
    return node.docker(['exec', id, ...cmd], { timeoutMs });
  };
  const fetchMany = (node: LabNode, from: string, url: string, n: number) =>
    execIn(node, from, ['sh', '-c', `for i in $(seq ${n}); do timeout 3 wget -qO- ${url} || echo FAILED; done`], 60_000);
  const count = (out: string) => {
    const m = new Map<string, number>();
    for (const line of out.split('\n').filter(Boolean)) m.set(line, (m.get(line) ?? 0) + 1);
    return m;
  };
  const chains = async (node: LabNode) => (await node.exec(['iptables-save', '-t', 'nat'])).stdout.split('\n').filter((l) => l.startsWith(':BRAMBLE-')).map((l) => l.split(' ')[0].slice(1));
  let backends: { name: string; node: string; ip: string }[];

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
    for (const n of c.lab.nodes) await c.startAgent(n);
    await until(
      '3 nodes Ready',
      async () => (await get('/api/v1/nodes')).items,
      (ns: any[]) => ns.length === 3 && ns.every((n) => n.spec.podCIDR && n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')),
    );
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await create(`/apis/apps/v1/namespaces/${NS}/deployments`, web);
    await create(`/api/v1/namespaces/${NS}/pods`, unready);
    for (const n of c.lab.nodes) await create(`/api/v1/namespaces/${NS}/pods`, client(n.name));
    await create(`/api/v1/namespaces/${NS}/services`, service('web', {}));
    const ps = await until(
      'web pods Running on 3 nodes, clients Running',
      async () => (await get(`/api/v1/namespaces/${NS}/pods`)).items as any[],
      (items) =>
        items.filter((p) => p.metadata.labels.app === 'web' && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length === 3 &&
        items.filter((p) => p.metadata.labels.app === 'client' && p.status?.phase === 'Running').length === 3 &&
        items.some((p) => p.metadata.name === 'web-unready' && p.status?.phase === 'Running'),
      120_000,
    );
    backends = ps.filter((p) => p.metadata.labels.app === 'web' && p.metadata.name !== 'web-unready').map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, ip: p.status.podIP }));
  }, 240_000);

  afterAll(async () => {
    if (c) {
      if (process.env.BRAMBLE_E2E_DEBUG) for (const n of c.lab.nodes) console.log(n.name, c.agentLog(n));
      await c.stop();
    }
  }, 120_000);

  it('gives each node a pod subnet and pods addresses in it, one backend per node', async () => {
    const nodes = (await get('/api/v1/nodes')).items as any[];
    expect(new Set(nodes.map((n) => n.spec.podCIDR)).size).toBe(3);
    for (const b of backends) {
      const cidr = nodes.find((n) => n.metadata.name === b.node).spec.podCIDR as string;
      expect(b.ip.split('.').slice(0, 3).join('.')).toBe(cidr.split('.').slice(0, 3).join('.'));
    }
    expect(new Set(backends.map((b) => b.node))).toEqual(new Set(['n1', 'n2', 'n3']));
  });

  it('resolves the service name in a pod and spreads 60 requests from each node over all 3 ready backends', async () => {
    const svc = await get(`/api/v1/namespaces/${NS}/services/web`);
    const eps = await get(`/api/v1/namespaces/${NS}/endpoints/web`);
    expect(eps.subsets[0].notReadyAddresses.map((a: any) => a.targetRef.name)).toEqual(['web-unready']);
    const hosts = await execIn(c.lab.node(1), 'client-n1', ['getent', 'hosts', 'web.shop.svc.cluster.local']);
    expect(hosts.stdout.trim()).toMatch(new RegExp(`^${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+web\\.shop\\.svc\\.cluster\\.local`));
    for (const n of c.lab.nodes) {
      const got = count((await fetchMany(n, `client-${n.name}`, 'http://web.shop.svc.cluster.local/', 60)).stdout);
      expect([...got.keys()].sort(), `answers from ${n.name}`).toEqual(backends.map((b) => b.name).sort());
      expect(got.has('web-unready')).toBe(false);
    }
  });

  it('lets a pod on node 1 reach a pod IP on node 2 directly, with its own source address', async () => {
    const target = backends.find((b) => b.node === 'n2')!;
    const page = await execIn(c.lab.node(1), 'client-n1', ['timeout', '3', 'wget', '-qO-', `http://${target.ip}/`]);
    expect(page.stdout.trim()).toBe(target.name);
  });

  it('answers a NodePort on node 1 from a backend on node 3', async () => {
    const svc = await create(`/api/v1/namespaces/${NS}/services`, service('web-np', { type: 'NodePort' }));
    const port = svc.spec.ports[0].nodePort as number;
    expect(port).toBeGreaterThanOrEqual(30000);
    const onN3 = backends.find((b) => b.node === 'n3')!.name;
    const url = `http://${c.lab.node(1).ip}:${port}/`;
    const got = await until(
      'a node-3 backend behind node 1',
      async () => count((await c.lab.execInBridge(['sh', '-c', `for i in $(seq 30); do timeout 3 busybox wget -qO- ${url} || echo FAILED; done`], { timeoutMs: 90_000 })).stdout),
      (m) => m.has(onN3) && !m.has('FAILED'),
      30_000,
    );
    expect(got.has('web-unready')).toBe(false);
  });

  it('publishes a LoadBalancer on every node address and answers on the service port of each', async () => {
    await create(`/api/v1/namespaces/${NS}/services`, service('web-lb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));
    const svc = await until(
      'ingress',
      () => get(`/api/v1/namespaces/${NS}/services/web-lb`),
      (s) => s.status?.loadBalancer?.ingress?.length === 3,
    );
    expect(svc.status.loadBalancer.ingress.map((i: any) => i.ip).sort()).toEqual(c.lab.nodes.map((n) => n.ip).sort());
    for (const n of c.lab.nodes) {
      const page = await until(
        `LoadBalancer on ${n.name}`,
        () => c.lab.execInBridge(['timeout', '3', 'busybox', 'wget', '-qO-', `http://${n.ip}:8080/`]).then((r) => r.stdout.trim()),
        (s) => backends.some((b) => b.name === s),
        30_000,
      );
      expect(backends.map((b) => b.name)).toContain(page);
    }
  });

  it('removes a deleted service from every node and rebuilds rules without duplicates after an agent restart', async () => {
    const gone = svcChain(servicePortKey(NS, 'web-np', 'http', 'tcp'));
    for (const n of c.lab.nodes) expect(await chains(n)).toContain(gone);
    expect((await api().call('DELETE', `/api/v1/namespaces/${NS}/services/web-np`)).status).toBe(200);
    for (const n of c.lab.nodes) await until(`${gone} gone from ${n.name}`, () => chains(n), (cs) => !cs.includes(gone), 15_000);

    const node = c.lab.node(2);
    const rules = async () => (await node.exec(['sh', '-c', 'iptables-save -t nat; iptables-save -t filter'])).stdout.split('\n').filter((l) => /BRAMBLE/.test(l) && !l.startsWith('#')).sort();
    const before = await rules();
    await c.stopAgent(node);
    await c.startAgent(node);
    await until('agent back', async () => c.agentLog(node), (log) => /network rules synced|connected to the server/.test(log), 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await rules();
    expect(after).toEqual(before);
    for (const hook of ['-A PREROUTING -m comment --comment "bramble service portals" -j BRAMBLE-SERVICES', '-A DOCKER-USER -m comment --comment "bramble pod network" -j BRAMBLE-FORWARD']) {
      expect(after.filter((l) => l === hook), hook).toHaveLength(1);
    }
    const page = await fetchMany(node, 'client-n2', 'http://web.shop.svc.cluster.local/', 6);
    expect(page.stdout).not.toContain('FAILED');
  });

  it('leaves no rule, chain or route behind after the uninstall cleanup', async () => {
    const node = c.lab.node(3);
    await c.stopAgent(node);
    const script = fileURLToPath(new URL('../../install/cleanup-network.sh', import.meta.url));
    for (let i = 0; i < 2; i++) expect((await node.exec(['sh', script])).code).toBe(0); // twice: idempotent
    const saved = (await node.exec(['sh', '-c', 'iptables-save -t nat; iptables-save -t filter'])).stdout;
    expect(saved.split('\n').filter((l) => l.includes('BRAMBLE'))).toEqual([]);
    expect(saved).toContain(':DOCKER-USER'); // Docker's own chains stay
    expect((await node.exec(['ip', '-4', 'route', 'show', 'proto', '151'])).stdout.trim()).toBe('');
  });
});
