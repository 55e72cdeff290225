// drain: cordon, drain and uncordon with real kubectl (1.31 and 1.32, as kubectl.test.ts) against
// a `bramble server` child process, with two fake kubelets so pods become Ready and have
// somewhere to move to. kubectl drain evicts through pods/eviction (a JSON Eviction), which
// honours PodDisruptionBudgets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubelet, startFakeKubelet } from '../lib/fake-kubelet.js';
import { kubectl, kubectlPath } from '../lib/kubectl.js';
import { type ServerProcess, startServerProcess } from '../lib/server-process.js';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: drain
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: drain
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: local/busybox:1
`;

const PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: drain
spec:
  minAvailable: 3
  selector:
    matchLabels: {app: web}
`;

const BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await f();
  }
  return v;
}

const running = (ps: any[]) => ps.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));

describe.each([31, 32])('kubectl 1.%i cordon, drain, uncordon', (minor) => {
  let server: ServerProcess;
  const nodes: FakeKubelet[] = [];
  let dir: string;
  const k = (...args: string[]) => kubectl(minor, server.kubeconfig, args);
  const pods = async () => (await server.api.call('GET', '/api/v1/namespaces/drain/pods')).json().items as any[];

  beforeAll(async () => {
    if (!kubectlPath(minor)) throw new Error(`kubectl 1.${minor} missing`);
    dir = mkdtempSync(join(tmpdir(), 'bramble-drain-'));
    server = await startServerProcess(dir);
    nodes.push(await startFakeKubelet(server.api, 'pi-1'), await startFakeKubelet(server.api, 'pi-2'));
    writeFileSync(join(dir, 'web.yaml'), MANIFEST);
    writeFileSync(join(dir, 'pdb.yaml'), PDB);
  });
  afterAll(async () => {
    for (const n of nodes.splice(0)) await n.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains a node: its pods move to the other one and it stays SchedulingDisabled until uncordoned', async () => {
    expect((await k('apply', '-f', join(dir, 'web.yaml'))).code).toBe(0);
    const before = await until(pods, (ps) => running(ps).length === 3);
    const node = before[0].spec.nodeName as string;
    const other = node === 'pi-1' ? 'pi-2' : 'pi-1';
    const onNode = before.filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);

    const r = await k('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`node/${node} cordoned`);
    for (const name of onNode) {
      expect(r.stdout).toContain(`evicting pod drain/${name}`);
      expect(r.stdout).toContain(`pod/${name} evicted`);
    }
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`node/${node} drained`);

    expect((await k('get', 'nodes')).stdout).toMatch(new RegExp(`${node}\\s+Ready,SchedulingDisabled\\s`));
    const after = await until(pods, (ps) => ps.length === 3 && running(ps).length === 3);
    expect(after.map((p) => p.spec.nodeName)).toEqual([other, other, other]);

    const u = await k('uncordon', node);
    expect(u).toMatchObject({ code: 0, stdout: `node/${node} uncordoned\n` });
    expect((await k('get', 'nodes')).stdout).toMatch(new RegExp(`${node}\\s+Ready\\s`));
  });

  it('will not break a PodDisruptionBudget: drain fails by timeout with the budget message', async () => {
    expect((await k('apply', '-f', join(dir, 'pdb.yaml'))).stdout).toContain('poddisruptionbudget.policy/web created');
    const pdb = await until(
      async () => (await server.api.call('GET', '/apis/policy/v1/namespaces/drain/poddisruptionbudgets/web')).json(),
      (p) => p.status?.observedGeneration === 1 && p.status.currentHealthy === 3,
    );
    expect(pdb.status).toMatchObject({ expectedPods: 3, desiredHealthy: 3, disruptionsAllowed: 0, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] });
    const table = await k('get', 'pdb', '-n', 'drain');
    expect(table.stdout).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+3\s+N\/A\s+0\s+\d+s\n$/);

    const node = (await pods())[0].spec.nodeName as string;
    const r = await k('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=7s');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`node/${node} cordoned`);
    expect(r.stderr).toContain(`(will retry after 5s): ${BUDGET_MESSAGE}`);
    expect(r.stderr).toContain('global timeout reached');
    expect(running(await pods()).map((p) => p.spec.nodeName)).toEqual([node, node, node]);
    expect((await k('get', 'nodes')).stdout).toMatch(new RegExp(`${node}\\s+Ready,SchedulingDisabled\\s`));

    expect((await k('uncordon', node)).stdout).toBe(`node/${node} uncordoned\n`);
    expect((await k('get', 'nodes')).stdout).not.toContain('SchedulingDisabled');

    // Re-applied with a lower minimum, the budget allows one disruption (generation 2 observed).
    writeFileSync(join(dir, 'pdb.yaml'), PDB.replace('minAvailable: 3', 'minAvailable: 2'));
    expect((await k('apply', '-f', join(dir, 'pdb.yaml'))).stdout).toContain('poddisruptionbudget.policy/web configured');
    await until(
      async () => (await server.api.call('GET', '/apis/policy/v1/namespaces/drain/poddisruptionbudgets/web')).json().status,
      (st) => st.observedGeneration === 2 && st.disruptionsAllowed === 1,
    );
    expect((await k('get', 'pdb', 'web', '-n', 'drain')).stdout).toMatch(/\nweb\s+2\s+N\/A\s+1\s+/);
  });
});
