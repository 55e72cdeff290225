// cli-drain: `bramble cordon|uncordon|drain`, run as users run them (the built CLI in a child
// process) against a `bramble server` child process with two fake kubelets. Checks kubectl's
// wording, one-line errors and exit codes, and that drained pods really move.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKubelet, startFakeKubelet } from '../lib/fake-kubelet.js';
import { CLI, type ServerProcess, startServerProcess } from '../lib/server-process.js';

const NS = 'cli-drain';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
    v = await f();
  }
  return v;
}

describe('bramble cordon, uncordon and drain', () => {
  let dir: string;
  let server: ServerProcess;
  const kubelets: FakeKubelet[] = [];
  const bramble = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BRAMBLE_') && k !== 'KUBECONFIG'));
      execFile(process.execPath, [CLI, ...args], { env: { ...env, KUBECONFIG: server.kubeconfig }, cwd: dir }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  const call = (method: string, path: string, body?: unknown) => server.api.call(method, path, body);
  const running = async () =>
    (await call('GET', `/api/v1/namespaces/${NS}/pods`))
      .json()
      .items.filter((p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) as any[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bramble-cli-drain-'));
    server = await startServerProcess(dir);
    kubelets.push(await startFakeKubelet(server.api, 'pi-1'), await startFakeKubelet(server.api, 'pi-2'));
    expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status).toBe(201);
  });
  afterAll(async () => {
    for (const k of kubelets.splice(0)) await k.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([['cordon'], ['uncordon'], ['drain']])('%s of an unknown node is one line and exit 1', async (verb) => {
    expect(await bramble(verb, 'nope')).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): nodes "nope" not found\n' });
  });

  it('refuses usage mistakes in one line', async () => {
    expect(await bramble('drain')).toEqual({ code: 1, stdout: '', stderr: 'error: exactly one node name is required: bramble drain NODE\n' });
    expect(await bramble('cordon')).toEqual({ code: 1, stdout: '', stderr: 'error: at least one node name is required\n' });
    expect((await bramble('--help')).stdout).toMatch(/ {2}cordon {5}.*\n {2}uncordon {3}.*\n {2}drain {6}/);
  });

  it('cordons and uncordons, saying when there was nothing to do', async () => {
    expect(await bramble('cordon', 'pi-2')).toEqual({ code: 0, stdout: 'node/pi-2 cordoned\n', stderr: '' });
    expect((await bramble('cordon', 'pi-2')).stdout).toBe('node/pi-2 already cordoned\n');
    expect((await bramble('get', 'nodes')).stdout).toMatch(/pi-2\s+Ready,SchedulingDisabled\s/);
    expect((await call('GET', '/api/v1/nodes/pi-2')).json().spec.unschedulable).toBe(true);
    expect(await bramble('uncordon', 'pi-2')).toEqual({ code: 0, stdout: 'node/pi-2 uncordoned\n', stderr: '' });
    expect((await bramble('uncordon', 'pi-2')).stdout).toBe('node/pi-2 already uncordoned\n');
    expect((await call('GET', '/api/v1/nodes/pi-2')).json().spec.unschedulable).toBeUndefined();
  });

  it('drains: refuses a pod without a controller unless --force, then moves the pods away', async () => {
    // Everything starts on pi-1: pi-2 is cordoned while the pods are placed.
    await bramble('cordon', 'pi-2');
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } },
      },
    };
    expect((await call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment)).status).toBe(201);
    const solo = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo' }, spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } };
    expect((await call('POST', `/api/v1/namespaces/${NS}/pods`, solo)).status).toBe(201);
    await until(running, (ps) => ps.length === 3 && ps.every((p) => p.spec.nodeName === 'pi-1'));
    await bramble('uncordon', 'pi-2');

    const refused = await bramble('drain', 'pi-1');
    expect(refused).toEqual({
      code: 1,
      stdout: 'node/pi-1 cordoned\n',
      stderr: `error: unable to drain node "pi-1": cannot delete Pods that declare no controller (use --force to override): ${NS}/solo\n`,
    });

    const web = (await running()).filter((p) => p.metadata.name !== 'solo').map((p) => p.metadata.name);
    const r = await bramble('drain', 'pi-1', '--force', '--ignore-daemonsets', '--delete-emptydir-data', '--grace-period', '5', '--timeout', '30s');
    expect(r.stderr).toBe(`Warning: deleting Pods that declare no controller: ${NS}/solo\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('node/pi-1 already cordoned');
    expect(lines.at(-1)).toBe('node/pi-1 drained');
    for (const name of [...web, 'solo']) {
      expect(lines).toContain(`evicting pod ${NS}/${name}`);
      expect(lines).toContain(`pod/${name} evicted`);
    }
    const moved = await until(running, (ps) => ps.length === 2);
    expect(moved.map((p) => p.spec.nodeName)).toEqual(['pi-2', 'pi-2']);
    expect((await bramble('get', 'nodes')).stdout).toMatch(/pi-1\s+Ready,SchedulingDisabled\s/);
    expect((await bramble('uncordon', 'pi-1')).stdout).toBe('node/pi-1 uncordoned\n');
  });

  it('retries while a PodDisruptionBudget refuses, and gives up at --timeout in one line', async () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } };
    expect((await call('POST', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`, pdb)).status).toBe(201);
    await until(async () => (await call('GET', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web`)).json().status, (s) => s.currentHealthy === 2);
    expect((await bramble('get', 'pdb', '-n', NS)).stdout).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+0\s+\d+s\n$/);

    const r = await bramble('drain', 'pi-2', '--timeout', '2s');
    expect(r.code).toBe(1);
    const err = r.stderr.trimEnd().split('\n');
    expect(err[0]).toMatch(new RegExp(`^error when evicting pods/"web-[a-z0-9-]+" -n "${NS}" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.$`));
    expect(err.at(-1)).toMatch(/^error: unable to drain node "pi-2": \[error when evicting pods\/"web-.*global timeout reached: 2s\]$/);
    expect((await running()).map((p) => p.spec.nodeName)).toEqual(['pi-2', 'pi-2']);
    expect((await bramble('uncordon', 'pi-2')).stdout).toBe('node/pi-2 uncordoned\n');
  });
});
