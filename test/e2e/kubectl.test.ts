// kubectl: the acceptance path of the control plane with real kubectl binaries (1.31 and 1.32),
// against a `bramble server` child process, with a fake kubelet so pods become Ready.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubelet, startFakeKubelet } from '../lib/fake-kubelet.js';
import { kubectl, kubectlPath } from '../lib/kubectl.js';
import { ROOT, type ServerProcess, startServerProcess } from '../lib/server-process.js';

const MANIFEST = join(ROOT, 'test', 'fixtures', 'shop.yaml');

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await f();
  }
  return v;
}

describe.each([31, 32])('kubectl 1.%i', (minor) => {
  let server: ServerProcess;
  let node: FakeKubelet;
  let dir: string;
  const k = (...args: string[]) => kubectl(minor, server.kubeconfig, args);
  const podsOf = async (ns: string) => (await server.api.call('GET', `/api/v1/namespaces/${ns}/pods`)).json().items as any[];

  beforeAll(async () => {
    if (!kubectlPath(minor)) throw new Error(`kubectl 1.${minor} missing`);
    dir = mkdtempSync(join(tmpdir(), 'bramble-kubectl-'));
    server = await startServerProcess(dir);
    node = await startFakeKubelet(server.api, 'pi-1');
  });
  afterAll(async () => {
    await node?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready and answers kubectl version and get nodes', async () => {
    // Start-up time is a benchmark figure (npm run bench: "server ready"); here only a bound that
    // a loaded CI machine cannot trip.
    expect(server.readyMs).toBeLessThan(15_000);
    const v = await k('version', '-o', 'json');
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).serverVersion.minor).toBe('31');
    const nodes = await k('get', 'nodes');
    expect(nodes.stdout).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes.stdout).toMatch(/pi-1\s+Ready/);
  });

  it('applies a manifest, shows the usual columns, and re-applies as unchanged', async () => {
    const r = await k('apply', '-f', MANIFEST);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('namespace/shop created');
    expect(r.stdout).toContain('configmap/web-config created');
    expect(r.stdout).toContain('secret/web-secret created');
    expect(r.stdout).toContain('deployment.apps/web created');
    expect(r.stdout).toContain('service/web created');
    expect(r.stdout).toContain('service/web-nodeport created');
    await until(() => podsOf('shop'), (ps) => ps.length === 3 && ps.every((p) => p.status?.phase === 'Running'));
    const rollout = await k('rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s');
    expect(rollout.stdout).toContain('successfully rolled out');

    const get = await k('get', 'deploy,rs,pods,svc', '-n', 'shop');
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(get.stdout).toMatch(/deployment\.apps\/web\s+3\/3\s+3\s+3/);
    expect(get.stdout).toMatch(/NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
    expect(get.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(get.stdout).toMatch(/pod\/web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0/);
    expect(get.stdout).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(get.stdout).toMatch(/service\/web-nodeport\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+8080:3\d{4}\/TCP/);
    const wide = await k('get', 'pods', '-n', 'shop', '-o', 'wide');
    expect(wide.stdout).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(wide.stdout).toMatch(/10\.42\.0\.\d+\s+pi-1/);

    const again = await k('apply', '-f', MANIFEST);
    expect(again.stdout).toContain('deployment.apps/web unchanged');
    expect(again.stdout).toContain('namespace/shop unchanged');
  });

  it('rolls out a new image, undoes it, scales and deletes everything', async () => {
    const changed = readFileSync(MANIFEST, 'utf8').replace('local/busybox:1', 'local/busybox:2');
    const file = join(dir, 'changed.yaml');
    writeFileSync(file, changed);
    expect((await k('apply', '-f', file)).stdout).toContain('deployment.apps/web configured');
    expect((await k('rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s')).stdout).toContain('successfully rolled out');
    const rs = await k('get', 'rs', '-n', 'shop', '-o', 'json');
    expect(JSON.parse(rs.stdout).items).toHaveLength(2);
    const images = async () => (await podsOf('shop')).map((p) => p.spec.containers[0].image);
    await until(images, (i) => i.length === 3 && i.every((x) => x === 'local/busybox:2'));

    expect((await k('rollout', 'history', 'deployment/web', '-n', 'shop')).stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect((await k('rollout', 'undo', 'deployment/web', '-n', 'shop')).stdout).toContain('deployment.apps/web rolled back');
    expect((await k('rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s')).stdout).toContain('successfully rolled out');
    const dep = JSON.parse((await k('get', 'deploy', 'web', '-n', 'shop', '-o', 'json')).stdout);
    expect(dep.spec.template.spec.containers[0].image).toBe('local/busybox:1');
    await until(images, (i) => i.length === 3 && i.every((x) => x === 'local/busybox:1'));

    expect((await k('scale', 'deployment/web', '-n', 'shop', '--replicas=5')).stdout).toContain('deployment.apps/web scaled');
    await until(() => podsOf('shop'), (ps) => ps.length === 5 && ps.every((p) => p.status?.phase === 'Running'));

    const del = await k('delete', '-f', MANIFEST);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain('deployment.apps "web" deleted');
    await until(
      async () => (await server.api.call('GET', '/api/v1/namespaces/shop')).status,
      (s) => s === 404,
    );
    const leftovers = (await server.api.call('GET', '/api/v1/pods')).json().items.filter((p: any) => p.metadata.namespace === 'shop');
    expect(leftovers).toEqual([]);
    expect((await server.api.call('GET', '/apis/apps/v1/replicasets')).json().items).toEqual([]);
  });

  it('creates namespaces, configmaps and secrets with kubectl create (protobuf from 1.32 on)', async () => {
    expect((await k('create', 'namespace', 'made')).stdout).toContain('namespace/made created');
    expect((await k('create', 'configmap', 'cfg', '-n', 'made', '--from-literal=a=b')).stdout).toContain('configmap/cfg created');
    expect((await k('create', 'secret', 'generic', 'sec', '-n', 'made', '--from-literal=pw=x')).stdout).toContain('secret/sec created');
    const cm = (await server.api.call('GET', '/api/v1/namespaces/made/configmaps/cfg')).json();
    expect(cm.data).toEqual({ a: 'b' });
    const sec = (await server.api.call('GET', '/api/v1/namespaces/made/secrets/sec')).json();
    expect(sec.data).toEqual({ pw: Buffer.from('x').toString('base64') });
  });

  it('prints an invalid name as kubectl does', async () => {
    // kubectl 1.32 sends `create configmap` as protobuf; 1.31 as JSON. Both must be understood.
    const r = await k('create', 'configmap', 'Bad_Name', '--from-literal=a=b');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is invalid');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
    const a = await k('apply', '-f', bad);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
  });
});
