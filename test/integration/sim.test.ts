// sim: simulated nodes (test/sim) against a real `bramble server --no-agent` child process. The
// nodes join with the server's token, report themselves Ready over MQTT, run a Deployment's pods
// in their fake runtimes, report them gone when it is deleted, say goodbye when stopped, and come
// back from their saved credentials — all through the same API and MQTT paths a Pi uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archLabel } from '../../agent/stats/fingerprint.js';
import { LABELS } from '../../agent/runtime/runtime.js';
import { type ServerProcess, startServerProcess } from '../lib/server-process.js';
import { type SimNodes, startSimNodes } from '../sim/sim-nodes.js';

const NODES = 20;
const REPLICAS = 100;

async function waitFor<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ready = (n: any) => n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;

describe('simulated nodes against a server process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-sim-'));
  let server: ServerProcess;
  let sim: SimNodes;

  const simNodes = async () => {
    const r = await server.api.call('GET', '/api/v1/nodes');
    expect(r.status).toBe(200);
    return (r.json().items as any[]).filter((n) => n.metadata.name.startsWith('sim-'));
  };
  const pods = async () => {
    const r = await server.api.call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dsim');
    expect(r.status).toBe(200);
    return r.json().items as any[];
  };

  beforeAll(async () => {
    server = await startServerProcess(join(dir, 'server'));
    sim = startSimNodes({ server: `https://127.0.0.1:${server.port}`, tokenFile: join(server.dataDir, 'node-token'), count: NODES, dataRoot: join(dir, 'nodes') });
    await sim.ready(45_000);
  });

  afterAll(async () => {
    await sim?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins every node, and each becomes a Ready Node with what the agent reports', async () => {
    expect(sim.nodes).toHaveLength(NODES);
    expect(sim.connected()).toBe(NODES);
    // A node is Ready once its agent reports; its pod CIDR comes from another controller, maybe a moment later.
    const nodes = await waitFor('all simulated nodes Ready, with pod CIDRs', async () => {
      const ns = await simNodes();
      return ns.length === NODES && ns.every((n) => ready(n) === 'True' && n.spec?.podCIDR) && ns;
    });
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual([...sim.nodes].sort());
    for (const n of nodes) {
      expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': n.metadata.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': archLabel(arch()) });
      expect(n.status.capacity).toMatchObject({ cpu: String(availableParallelism()), pods: '110', 'ephemeral-storage': `${32 * 1024 * 1024}Ki` });
      expect(n.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.31.0-bramble', containerRuntimeVersion: 'fake://0.0.0', osImage: 'Bramble simulated node' });
      expect(n.spec.podCIDR).toMatch(/^10\.42\.\d+\.0\/24$/);
    }
  });

  it('runs a Deployment of 100 replicas across the nodes, and removes its pods when it is deleted', async () => {
    const created = await server.api.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sim' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'sim' } },
        template: {
          metadata: { labels: { app: 'sim' } },
          spec: { containers: [{ name: 'web', image: 'example.org/anything:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        },
      },
    });
    expect(created.status, created.text).toBe(201);
    const running = await waitFor(
      `${REPLICAS} pods Running`,
      async () => {
        const ps = await pods();
        return ps.length === REPLICAS && ps.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) && ps;
      },
      40_000,
    );
    const perNode = new Map<string, number>();
    for (const p of running) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect(perNode.size).toBeGreaterThanOrEqual(NODES / 2);
    for (const [node, n] of perNode) {
      expect(sim.nodes).toContain(node);
      const containers = (await sim.runtime(node)!.list()).filter((c) => c.state.status === 'running' && c.labels[LABELS.podUid]);
      expect(containers.length).toBe(2 * n); // each pod: its infra container and "web"
    }
    for (const p of running) expect(p.status.podIP).toMatch(/^10\.42\.\d+\.\d+$/);

    const deleted = await server.api.call('DELETE', '/apis/apps/v1/namespaces/default/deployments/sim');
    expect(deleted.status, deleted.text).toBe(200);
    await waitFor('the pods to be gone', async () => (await pods()).length === 0, 40_000);
    for (const node of sim.nodes) expect(await sim.runtime(node)!.list()).toEqual([]);
  });

  it('marks the nodes NotReady once the simulator stops', async () => {
    await sim.stop();
    await waitFor('every simulated node NotReady', async () => {
      const ns = await simNodes();
      return ns.length === NODES && ns.every((n) => ready(n) !== 'True');
    });
  });

  it('brings the same nodes back from their saved credentials, without a token', async () => {
    sim = startSimNodes({ server: `https://127.0.0.1:${server.port}`, token: '', count: NODES, dataRoot: join(dir, 'nodes') });
    await sim.ready(30_000);
    await waitFor('all simulated nodes Ready again', async () => {
      const ns = await simNodes();
      return ns.length === NODES && ns.every((n) => ready(n) === 'True');
    });
  });
});
